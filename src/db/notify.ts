// Short messages between the processes of one server (the seam for "wake up" and streaming
// fan-out). SQLite allows one server process (db/server-lock.ts) and admin commands beside it:
// messages go through files beside the database (dialects/sqlite-notify.ts); PostgreSQL carries
// them between processes and machines with LISTEN/NOTIFY (dialects/postgres-notify.ts). Payloads are small strings (ids, not documents): receivers load
// what they need from the database.
import type { Kysely } from "kysely";
import type { Config } from "../config/config.ts";
import type { DB } from "./schema.ts";

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; the same limit holds everywhere. */
export const MAX_NOTIFY_PAYLOAD_BYTES = 7999;

export type NotifyHandler = (payload: string) => void;

export interface Notifier {
  /**
   * Whether messages reach the other processes of the server (admin commands' too). Without that
   * (a folder SQLite's notifier cannot watch), work queued elsewhere is only found by polling.
   */
  readonly crossProcess: boolean;
  /** Sends `payload` to every listener of `channel` in every process (including this one). */
  notify(channel: string, payload: string): Promise<void>;
  /** Receives the channel's messages until the returned function is called. */
  listen(channel: string, handler: NotifyHandler): () => void;
  /** Resolves once this process receives messages (after `listen`, PostgreSQL must connect first). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export class PayloadTooLargeError extends Error {}

/** Channel names are SQL identifiers on PostgreSQL; keep them simple everywhere. */
export function checkChannel(channel: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`Invalid notification channel name: ${channel}`);
}

export function checkPayload(payload: string): void {
  const bytes = Buffer.byteLength(payload, "utf8");
  if (bytes > MAX_NOTIFY_PAYLOAD_BYTES) {
    throw new PayloadTooLargeError(`A notification payload of ${bytes} bytes exceeds the limit of ${MAX_NOTIFY_PAYLOAD_BYTES}`);
  }
}

/** Delivery inside this process only: the listeners of the process SQLite's notifier runs in (and tests). */
export class InProcessNotifier implements Notifier {
  readonly crossProcess = false;
  private readonly handlers = new Map<string, Set<NotifyHandler>>();
  private closed = false;

  async notify(channel: string, payload: string): Promise<void> {
    checkChannel(channel);
    checkPayload(payload);
    if (this.closed) return;
    const handlers = this.handlers.get(channel);
    if (!handlers?.size) return;
    // Asynchronous, like a real notification: the sender never runs the receivers' code.
    setImmediate(() => {
      for (const handler of handlers) {
        try {
          handler(payload);
        } catch {
          /* a receiver's failure is its own */
        }
      }
    });
  }

  listen(channel: string, handler: NotifyHandler): () => void {
    checkChannel(channel);
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
  }
}

/**
 * The notifier for the configured database. PostgreSQL opens its listening connection lazily;
 * SQLite's reaches the admin commands' processes through files beside the database.
 */
export async function openNotifier(config: Config["database"], db: Kysely<DB>): Promise<Notifier> {
  if (config.kind !== "postgres") {
    const { SqliteNotifier } = await import("./dialects/sqlite-notify.ts");
    return new SqliteNotifier(`${config.file}.signals`);
  }
  // Imported only on PostgreSQL: it brings pg (see database.ts).
  const { PostgresNotifier } = await import("./dialects/postgres-notify.ts");
  return new PostgresNotifier(config.url, db);
}
