// Messages between the processes of an embedded (SQLite) server. There is one server process
// (db/server-lock.ts), but admin commands run beside it in processes of their own and queue work
// (`./skein mail test`, an account's purge): without a way to say so, the server's idle loops had
// to poll the database several times a second to find it.
//
// Each notifier that listens owns a mailbox folder beside the database (`<file>.signals/<id>/`),
// watched with fs.watch (inotify on Linux). A message goes to this process's own listeners
// directly, and to every other mailbox as a small file, which the owner reads and deletes. A server with no other
// listener pays nothing per message beyond a cached list; a command writes a file or two.
// The database stays the truth: a lost message only delays work until the listener's backstop.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { getLogger } from "@logtape/logtape";
import { InProcessNotifier, type Notifier, type NotifyHandler } from "../notify.ts";
import { processAlive as alive } from "../../util/processes.ts";

const logger = getLogger(["skein", "db", "notify"]);

/** A mailbox's name: the owner's pid (to clear those of crashed processes) and a random part. */
function ownerOf(mailbox: string): number {
  return Number(mailbox.split("-")[0]);
}

export class SqliteNotifier implements Notifier {
  /** False if the folder cannot be watched here: the loops then poll, as they must without signals. */
  crossProcess = true;
  private readonly root: string;
  private readonly id = `${process.pid}-${randomBytes(6).toString("hex")}`;
  /** This process's own listeners. */
  private readonly local = new InProcessNotifier();
  private mailbox: { dir: string; watcher: fs.FSWatcher } | null = null;
  /** The other mailboxes, listed again when the folder changes (a listener came or went). */
  private others: string[] | null = null;
  private rootWatcher: fs.FSWatcher | null = null;
  private sequence = 0;
  private closed = false;

  /** `root`: the folder of mailboxes, beside the database file. */
  constructor(root: string) {
    this.root = root;
  }

  async notify(channel: string, payload: string): Promise<void> {
    // The local notifier checks the channel and payload (PostgreSQL's limits) before anything goes out.
    await this.local.notify(channel, payload);
    if (this.closed) return;
    for (const other of this.otherMailboxes()) {
      if (alive(ownerOf(path.basename(other)))) this.post(other, channel, payload);
      else this.forget(other);
    }
  }

  listen(channel: string, handler: NotifyHandler): () => void {
    const stop = this.local.listen(channel, handler);
    if (!this.mailbox && !this.closed) this.openMailbox();
    return stop;
  }

  /** The mailbox is watched as soon as `listen` returns. */
  ready(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.local.close();
    this.rootWatcher?.close();
    if (this.mailbox) {
      this.mailbox.watcher.close();
      fs.rmSync(this.mailbox.dir, { recursive: true, force: true });
      this.mailbox = null;
    }
  }

  private openMailbox(): void {
    const dir = path.join(this.root, this.id);
    try {
      fs.mkdirSync(dir, { recursive: true });
      this.clearDeadMailboxes();
      const watcher = fs.watch(dir, () => this.drain());
      watcher.on("error", (error) => this.giveUp(error));
      watcher.unref();
      this.mailbox = { dir, watcher };
    } catch (error) {
      this.giveUp(error);
    }
  }

  private giveUp(error: unknown): void {
    if (!this.crossProcess) return;
    logger.warn("Cannot watch {root} for other processes' messages; idle loops will poll instead: {error}", { root: this.root, error });
    this.crossProcess = false;
  }

  /** Mailboxes of processes that ended without closing theirs. */
  private clearDeadMailboxes(): void {
    for (const name of fs.readdirSync(this.root)) {
      if (name !== this.id && !alive(ownerOf(name))) fs.rmSync(path.join(this.root, name), { recursive: true, force: true });
    }
  }

  private otherMailboxes(): string[] {
    if (this.others) return this.others;
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.root);
      if (!this.rootWatcher) {
        this.rootWatcher = fs.watch(this.root, () => (this.others = null));
        this.rootWatcher.on("error", () => (this.rootWatcher = null));
        this.rootWatcher.unref();
      }
    } catch {
      /* no folder yet: nobody listens */
    }
    // Whether each owner still runs is asked at each message (notify), where a cached list needs it.
    const others = names.filter((name) => name !== this.id).map((name) => path.join(this.root, name));
    // Without a watcher to say when the list changes, it is read again at each message.
    if (this.rootWatcher) this.others = others;
    return others;
  }

  /** A mailbox whose process ended without closing it. */
  private forget(mailbox: string): void {
    fs.rmSync(mailbox, { recursive: true, force: true });
    this.others = null;
  }

  private post(mailbox: string, channel: string, payload: string): void {
    const name = `${Date.now()}-${String(this.sequence++).padStart(6, "0")}-${this.id}`;
    try {
      // Written under a name the reader skips, then renamed: a reader never sees half a message.
      const aside = path.join(mailbox, `.${name}`);
      fs.writeFileSync(aside, `${channel}\n${payload}`);
      fs.renameSync(aside, path.join(mailbox, name));
    } catch (error) {
      // The listener went away between the listing and now: nothing to tell it.
      logger.debug("Could not leave a message in {mailbox}: {error}", { mailbox, error });
    }
  }

  /**
   * Reads and deletes the mailbox's messages, oldest first. Synchronous: a watcher event cannot
   * come in the middle of a pass, and one that comes after it starts the next.
   */
  private drain(): void {
    const mailbox = this.mailbox;
    if (!mailbox || this.closed) return;
    let names: string[];
    try {
      names = fs.readdirSync(mailbox.dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith(".")) continue;
      const file = path.join(mailbox.dir, name);
      let message: string;
      try {
        message = fs.readFileSync(file, "utf8");
        fs.unlinkSync(file);
      } catch {
        continue;
      }
      const newline = message.indexOf("\n");
      if (newline > 0) void this.local.notify(message.slice(0, newline), message.slice(newline + 1)).catch(() => {});
    }
  }
}
