// Whole threads (Mastodon 4.5's "fetch all replies"): a remote thread stored here is often
// incomplete — replies from servers that do not deliver to us, and parents that could not be
// fetched when a reply arrived. Opening a thread's context (GET /api/v1/statuses/:id/context,
// by a signed-in user) queues its completion on the durable `threads` queue; federation/threads.ts
// does the fetching within THREAD_BOUNDS. This service holds the rule: which threads, how often
// (at most once per conversation per interval, recorded in the database so every process agrees),
// the bounds, and how a late parent is attached. Clients learn of a running completion from
// Mastodon's `Mastodon-Async-Refresh` header and GET /api/v1_alpha/async_refreshes/:id.
import type { Stores } from "../../store/stores.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { ThreadRefreshRecord } from "../../store/threads.ts";
import { getLogger } from "@logtape/logtape";

const logger = getLogger(["skein", "threads"]);

export const THREADS_QUEUE = "threads";

/** How much one completion may do. */
export const THREAD_BOUNDS = {
  /** A conversation is completed at most once per interval (Mastodon's default debounce is 15 min). */
  intervalMs: 15 * 60_000,
  /** Pages read of one replies collection. */
  pagesPerCollection: 3,
  /** Levels of replies below the thread's top. */
  depth: 5,
  /** Posts looked at (stored or fetched) in one run. */
  posts: 200,
  /** Remote documents fetched in one run (posts and collection pages). */
  fetches: 400,
  /** Times a missing parent is looked for above the thread's top (each one fetches up to 5 levels). */
  ancestorRounds: 3,
  /** Wall-clock time of one run. */
  runMs: 120_000,
} as const;

/** Seconds a client is told to wait before asking about a running completion again. */
export const REFRESH_RETRY_SECONDS = 3;
/** Levels walked up to find a thread's top (stored threads are rarely deeper; it only bounds a loop). */
const MAX_WALK_UP = 256;
/** Posts moved with a late-attached subtree (its stored replies). */
const MAX_SUBTREE = 2000;

export interface ThreadJob {
  conversationId: string;
  /** The thread's topmost stored post when the job was queued. */
  rootId: string;
}

export interface ThreadJobSink {
  enqueue(queue: string, payloads: readonly unknown[]): Promise<void>;
}

/** Mastodon's AsyncRefresh. */
export interface AsyncRefresh {
  id: string;
  status: "running" | "finished";
  resultCount: number;
}

export class ThreadService {
  private readonly stores: Stores;
  /** Where completions are queued (server/context.ts); null: threads are shown as stored. */
  jobs: ThreadJobSink | null = null;

  constructor(stores: Stores) {
    this.stores = stores;
  }

  /**
   * A reader opened the context of `statusId`: queues the thread's completion if it has a remote
   * top and was not completed within the interval. Returns the completion running for this
   * thread (just queued, or queued by someone else), for the response header; null otherwise.
   * Anonymous readers start nothing (as on Mastodon): only accounts make a server fetch.
   */
  async contextOpened(statusId: string, viewerId: string | null, ancestors: readonly StatusRow[]): Promise<AsyncRefresh | null> {
    if (viewerId === null || !this.jobs) return null;
    const status = await this.stores.statuses.readableById(statusId, viewerId);
    if (!status) return null;
    // The context's ancestors (oldest first) spare most of the walk up; above them, the stored top.
    const highest = ancestors[0] ?? status;
    const root = highest.in_reply_to_id ? await this.topOf(highest) : highest;
    if (root.local === 1 && status.local === 1) return null;
    const conversationId = root.conversation_id;
    const running = (record: ThreadRefreshRecord | null): AsyncRefresh | null =>
      record && record.finishedAt === null ? { id: refreshIdOf(conversationId), status: "running", resultCount: record.resultCount } : null;
    // Within the interval (the usual case) one read decides, without a write.
    const record = await this.stores.threads.refresh(conversationId);
    if (record) return running(record);
    if (await this.stores.threads.claimRefresh(conversationId, THREAD_BOUNDS.intervalMs)) {
      await this.jobs.enqueue(THREADS_QUEUE, [{ conversationId, rootId: root.id } satisfies ThreadJob]);
      return { id: refreshIdOf(conversationId), status: "running", resultCount: 0 };
    }
    return running(await this.stores.threads.refresh(conversationId));
  }

  /** GET /api/v1_alpha/async_refreshes/:id: a completion's state while its record lasts. */
  async asyncRefresh(id: string): Promise<AsyncRefresh | null> {
    const conversationId = conversationOfRefreshId(id);
    if (!conversationId) return null;
    const record = await this.stores.threads.refresh(conversationId);
    if (!record) return null;
    return { id, status: record.finishedAt === null ? "running" : "finished", resultCount: record.resultCount };
  }

  /** A job's payload, checked (a malformed one is dropped). */
  jobOf(payload: unknown): ThreadJob | null {
    const job = payload as Partial<ThreadJob> | null;
    if (!job || typeof job.conversationId !== "string" || typeof job.rootId !== "string") return null;
    return { conversationId: job.conversationId, rootId: job.rootId };
  }

  /** The topmost stored post above `status` (itself if it has no stored parent). */
  async topOf(status: StatusRow): Promise<StatusRow> {
    let top = status;
    for (let i = 0; i < MAX_WALK_UP && top.in_reply_to_id; i++) {
      const parent = await this.stores.statuses.byId(top.in_reply_to_id);
      if (!parent) break;
      top = parent;
    }
    return top;
  }

  /**
   * Attaches `child`, a remote post stored without a parent (its parent could not be fetched
   * when it arrived), to `parent`, fetched since: the child and its stored replies join the
   * parent's conversation. Refused (false) for local posts (their author chose), a child that
   * has a parent, and a parent inside the child's own subtree (a cycle).
   */
  async attachParent(child: StatusRow, parent: StatusRow): Promise<boolean> {
    if (child.local === 1 || child.in_reply_to_id !== null || child.id === parent.id) return false;
    const subtree = await this.stores.threads.descendantIds(child.id, MAX_SUBTREE);
    if (subtree.includes(parent.id)) return false;
    // The parent's own ancestors must not include the child either (a longer cycle).
    if ((await this.topOf(parent)).id === child.id) return false;
    const attached = await this.stores.transaction((tx) => tx.threads.attach(child, parent, subtree));
    if (attached) logger.debug("Attached {child} to its parent {parent}", { child: child.uri, parent: parent.uri });
    return attached;
  }

  /**
   * Records the end of a completion, with the posts it brought into the thread. A thread whose
   * top was attached to a parent now lives in the parent's conversation: that one counts as
   * completed too, so the next open within the interval does not start again.
   */
  async finished(job: ThreadJob, conversationNow: string, resultCount: number): Promise<void> {
    await this.stores.threads.finishRefresh(job.conversationId, resultCount);
    if (conversationNow !== job.conversationId && (await this.stores.threads.claimRefresh(conversationNow, THREAD_BOUNDS.intervalMs))) {
      await this.stores.threads.finishRefresh(conversationNow, resultCount);
    }
  }
}

/** Mastodon names a refresh by its key ("context:<id>:refresh"); ours is the conversation's. */
function refreshIdOf(conversationId: string): string {
  return Buffer.from(`context:${conversationId}:refresh`).toString("base64url");
}

function conversationOfRefreshId(id: string): string | null {
  if (id.length > 100 || !/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const match = /^context:(\d{1,20}):refresh$/.exec(Buffer.from(id, "base64url").toString("utf8"));
  return match ? match[1] : null;
}
