// "Work is waiting" between the processes of one server, so that loops over the database (job
// queues, the delivery engine, sweeps) can sleep while idle instead of polling every second.
// A signal names what is waiting (a queue, a sweep); whoever listens for that name looks in the
// database, which stays the truth: a lost signal (PostgreSQL keeps none for a listener that is
// reconnecting) only delays the work until the listener's backstop poll.
import { randomUUID } from "node:crypto";
import { getLogger } from "@logtape/logtape";
import type { Notifier } from "../db/notify.ts";

const logger = getLogger(["skein", "queue", "wake"]);

/** How long an idle loop sleeps when other processes can wake it: what a lost signal may delay work by. */
export const IDLE_BACKSTOP_MS = 30_000;

/**
 * How long an idle loop that other processes can wake sleeps, given when its next row is due
 * (null: none): until then, or the backstop; `pollMs` when a row is due yet was not claimed
 * (another worker holds it, or an earlier one with its ordering key runs).
 */
export function idleSleepUntil(nextDueAt: string | null, pollMs: number): number {
  if (nextDueAt === null) return IDLE_BACKSTOP_MS;
  const wait = Date.parse(nextDueAt) - Date.now();
  return wait <= 0 ? pollMs : Math.min(wait + 5, IDLE_BACKSTOP_MS);
}

export class WakeSignal {
  private readonly notifier: Notifier | null;
  private readonly channel: string;
  /**
   * Signals carry their sender's id: a notifier hands a message to its own process's listeners
   * too, and this process's listeners were already woken directly — a second wake-up would make
   * every idle loop look for work twice per signal.
   */
  private readonly id = randomUUID().slice(0, 8);
  private readonly local = new Map<string, Set<() => void>>();
  private readonly sending = new Set<string>();
  private readonly again = new Set<string>();
  private unlisten: (() => void) | null = null;

  /** Without a notifier, signals stay in this process. */
  constructor(notifier: Notifier | null, channel: string) {
    this.notifier = notifier;
    this.channel = channel;
  }

  /** Whether signals reach the other processes: if not, listeners must keep polling for their work. */
  get crossProcess(): boolean {
    return this.notifier?.crossProcess ?? false;
  }

  /**
   * Wakes the listeners of `name` here at once and, through the notifier, in the other processes.
   * Signals sent while one for the same name is on its way are merged into one more.
   */
  send(name: string): void {
    this.wakeLocal(name);
    if (!this.notifier?.crossProcess) return;
    if (this.sending.has(name)) {
      this.again.add(name);
      return;
    }
    this.sending.add(name);
    this.notifier
      .notify(this.channel, `${name}@${this.id}`)
      .catch((error) => logger.debug("Could not signal {name}: {error}", { name, error }))
      .finally(() => {
        this.sending.delete(name);
        if (this.again.delete(name)) this.send(name);
      });
  }

  /**
   * For work that any one listener does whole (a sweep): wakes this process's listeners of `name`
   * if it has any, and signals the other processes only if it has none (a web process's post
   * wakes a worker's sweep; a full server's post costs PostgreSQL no NOTIFY).
   */
  nudge(name: string): void {
    if (this.local.get(name)?.size) this.wakeLocal(name);
    else this.send(name);
  }

  /** Calls `wake` for every signal of `name` (from any process); returns how to stop. */
  listen(name: string, wake: () => void): () => void {
    let set = this.local.get(name);
    if (!set) this.local.set(name, (set = new Set()));
    set.add(wake);
    if (this.notifier?.crossProcess && !this.unlisten) this.unlisten = this.notifier.listen(this.channel, (payload) => this.received(payload));
    return () => {
      set.delete(wake);
    };
  }

  /** A signal from any process: `name@sender` (a bare name from a process of an earlier version). */
  private received(payload: string): void {
    const at = payload.lastIndexOf("@");
    if (at < 0) return this.wakeLocal(payload);
    if (payload.slice(at + 1) !== this.id) this.wakeLocal(payload.slice(0, at));
  }

  private wakeLocal(name: string): void {
    for (const wake of this.local.get(name) ?? []) wake();
  }
}

/** A loop's sleep that a wake-up cuts short, including a wake-up that came while the loop was busy. */
export class Alarm {
  private woken = false;
  private ring: (() => void) | null = null;

  wake(): void {
    this.woken = true;
    this.ring?.();
  }

  /** Sleeps `ms`, or less if woken meanwhile or since the last sleep ended. */
  async sleep(ms: number): Promise<void> {
    if (!this.woken) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.ring = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.ring = null;
    this.woken = false;
  }
}
