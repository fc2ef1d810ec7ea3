// LISTEN/NOTIFY between the processes of a scaled deployment. Sending uses the shared pool
// (`pg_notify` after the sender's changes are committed); receiving needs one dedicated
// connection per process, opened on the first `listen`, checked every 30 s, and reopened with
// backoff when it drops. Messages sent while it is down are lost: PostgreSQL keeps none for an
// absent listener. Streaming clients reconnect and refetch, as they do after any network loss.
import pg from "pg";
import { sql, type Kysely } from "kysely";
import { getLogger } from "@logtape/logtape";
import type { DB } from "../schema.ts";
import { checkChannel, checkPayload, type Notifier, type NotifyHandler } from "../notify.ts";

const logger = getLogger(["skein", "db", "notify"]);

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 30_000;
const HEALTH_CHECK_MS = 30_000;
/** What the listening connection calls itself in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = "skein-listen";

export class PostgresNotifier implements Notifier {
  readonly crossProcess = true;
  private readonly url: string;
  private readonly db: Kysely<DB>;
  private readonly handlers = new Map<string, Set<NotifyHandler>>();
  private client: pg.Client | null = null;
  private connected = false;
  private closed = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private healthTimer: NodeJS.Timeout | null = null;
  private readyWaiters: (() => void)[] = [];
  /** Notifications on their way: close() lets them go out (a CLI command's queued job must wake the server). */
  private readonly sending = new Set<Promise<unknown>>();
  /**
   * The listening connection's statements (LISTEN, UNLISTEN, the health check), one after another:
   * several channels are listened to at once at start-up, and handing pg a query while its client
   * is still busy with another is deprecated (pg@9 removes it). They are rare, so waiting costs nothing.
   */
  private commands: Promise<unknown> = Promise.resolve();

  constructor(url: string, db: Kysely<DB>) {
    this.url = url;
    this.db = db;
  }

  async notify(channel: string, payload: string): Promise<void> {
    checkChannel(channel);
    checkPayload(payload);
    const sent = sql`select pg_notify(${channel}, ${payload})`.execute(this.db);
    this.sending.add(sent);
    try {
      await sent;
    } finally {
      this.sending.delete(sent);
    }
  }

  listen(channel: string, handler: NotifyHandler): () => void {
    checkChannel(channel);
    let set = this.handlers.get(channel);
    if (!set) {
      this.handlers.set(channel, (set = new Set()));
      const client = this.client;
      if (client && this.connected) this.command(client, `LISTEN ${channel}`).catch((error) => this.lost(client, error));
    }
    set.add(handler);
    if (!this.client && !this.reconnectTimer && !this.closed) void this.connect();
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(channel) === set) {
        this.handlers.delete(channel);
        if (this.client && this.connected) this.command(this.client, `UNLISTEN ${channel}`).catch(() => {});
      }
    };
  }

  /** Resolves once this process is listening (immediately if it already is). */
  ready(): Promise<void> {
    if (this.connected || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  async close(): Promise<void> {
    // A process that queued a job and ends (`./skein mail test`, any CLI command) would otherwise
    // close the pool under its pg_notify: the server's listener then slept until its 30 s backstop.
    // A signal sent when one finishes (WakeSignal merges them) joins the set before this looks again.
    while (this.sending.size > 0) await Promise.allSettled([...this.sending]);
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.reconnectTimer = this.healthTimer = null;
    const client = this.client;
    this.client = null;
    this.connected = false;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: LISTENER_APPLICATION_NAME,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      query_timeout: 10_000,
    });
    this.client = client;
    client.on("notification", (message) => {
      if (this.client === client) this.dispatch(message.channel, message.payload ?? "");
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, null));
    try {
      await client.connect();
      // One statement for every channel (a simple query may hold several); then for channels
      // added meanwhile (listen() sends nothing until the connection is ready).
      const listening = new Set<string>();
      for (;;) {
        const channels = [...this.handlers.keys()].filter((channel) => !listening.has(channel));
        if (channels.length === 0) break;
        await this.command(client, channels.map((channel) => `LISTEN ${channel}`).join("; "));
        for (const channel of channels) listening.add(channel);
      }
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.client !== client) return;
    if (this.failures > 0) logger.info("Listening for notifications again after {failures} failed attempt(s)", { failures: this.failures });
    this.failures = 0;
    this.connected = true;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
    this.healthTimer ??= setInterval(() => this.checkHealth(), HEALTH_CHECK_MS).unref();
  }

  /** A half-open TCP connection looks alive until something is sent: ask every so often. */
  private checkHealth(): void {
    const client = this.client;
    if (client && this.connected) this.command(client, "select 1").catch((error) => this.lost(client, error));
  }

  /** Sends `text` on the listening connection once the statement before it has finished. */
  private command(client: pg.Client, text: string): Promise<unknown> {
    const run = this.commands.then(() => client.query(text));
    this.commands = run.catch(() => {});
    return run;
  }

  private lost(client: pg.Client, error: Error | null): void {
    if (this.client !== client) return; // an older connection, already replaced
    this.client = null;
    this.connected = false;
    client.on("error", () => {});
    client.end().catch(() => {});
    if (this.closed) return;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.failures);
    this.failures++;
    logger.warning("Lost the PostgreSQL notification connection ({reason}); reconnecting in {delay} ms", {
      reason: error?.message || "connection ended",
      delay,
    });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.closed) void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private dispatch(channel: string, payload: string): void {
    for (const handler of this.handlers.get(channel) ?? []) {
      try {
        handler(payload);
      } catch (error) {
        logger.error("A notification handler on {channel} failed: {error}", { channel, error });
      }
    }
  }
}
