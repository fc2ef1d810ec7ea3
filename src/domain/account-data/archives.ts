// Archives of an account, as Mastodon offers them ("Request your archive"): a .tar.gz holding
// actor.json (the actor, pointing at the files beside it), outbox.json (the account's public and
// unlisted posts as ActivityPub Create activities, oldest first), likes.json and bookmarks.json
// (collections of post URIs) and media.json (the posts' media, as references: Skein keeps no
// local media files yet; when it does, the files go in beside it). Built by a durable job in
// ACCOUNT_DATA_QUEUE, kept in the file storage (DATA_DIR/archives/), downloadable for a week;
// one request per week per user, as Mastodon allows. A delayed job removes each archive when it
// expires (the queue holds it, so a restart loses none), and every request sweeps any left over.
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { AccountArchiveRow } from "../../store/account-data/archives.ts";
export type { AccountArchiveRow };
import type { FileStorage } from "../../store/account-data/file-storage.ts";
import { getLogger } from "@logtape/logtape";
import { DomainError, notFound } from "../errors.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { tarStream, type TarEntry } from "../../util/tar.ts";
import { ACCOUNT_DATA_QUEUE, type JobSink } from "./imports.ts";

const logger = getLogger(["skein", "account-data", "archives"]);

export const ARCHIVE_LIFETIME_MS = 7 * 24 * 3600 * 1000;
/** Mastodon's rule: one archive per week. */
const ARCHIVE_INTERVAL_MS = 7 * 24 * 3600 * 1000;
const PAGE = 500;
const AS_CONTEXT = "https://www.w3.org/ns/activitystreams";

/** ActivityPub documents for the archive, rendered by the federation layer (it plugs in at start). */
export interface ArchiveDocuments {
  /** The actor as other servers fetch it. */
  actor(account: AccountRow): Promise<Record<string, unknown>>;
  /** The Create activity of one of the account's posts (without @context), or null if it cannot be rendered. */
  create(status: StatusRow): Promise<Record<string, unknown> | null>;
}

export class ArchiveDocumentsSlot {
  target: ArchiveDocuments | null = null;
}

type ArchiveJob = { kind: "archive"; archiveId: string } | { kind: "expire_archive"; archiveId: string };

export class AccountArchives {
  private readonly stores: Stores;
  private readonly storage: FileStorage;
  readonly documents = new ArchiveDocumentsSlot();
  private readonly jobs: () => JobSink | null;

  constructor(stores: Stores, storage: FileStorage, jobs: () => JobSink | null) {
    this.stores = stores;
    this.jobs = jobs;
    this.storage = storage;
  }

  /** Queues a new archive, unless one was requested in the past week (429). */
  async request(accountId: string): Promise<AccountArchiveRow> {
    await this.sweep().catch((error) => logger.warn("Could not sweep expired archives: {error}", { error }));
    const since = new Date(Date.now() - ARCHIVE_INTERVAL_MS).toISOString();
    const latest = await this.stores.accountArchives.latestSince(accountId, since);
    if (latest) throw new DomainError("rate_limited", "You can request an archive once a week; the last one was requested less than a week ago");
    const jobs = this.jobs();
    if (!jobs) throw new Error("No job queue in this process: the archive was not queued");
    const now = nowIso();
    const row: AccountArchiveRow = {
      id: newId(),
      account_id: accountId,
      state: "pending",
      file_key: null,
      size_bytes: 0,
      created_at: now,
      finished_at: null,
      expires_at: new Date(Date.now() + ARCHIVE_LIFETIME_MS).toISOString(),
    };
    await this.stores.accountArchives.insert(row);
    await jobs.enqueue(ACCOUNT_DATA_QUEUE, [{ kind: "archive", archiveId: row.id } satisfies ArchiveJob], { orderingKey: `archive:${accountId}` });
    return row;
  }

  /** The account's archives, newest first (expired ones are gone). */
  list(accountId: string): Promise<AccountArchiveRow[]> {
    return this.stores.accountArchives.recent(accountId, 10);
  }

  /** A ready archive of this account, to download. */
  async open(accountId: string, id: string): Promise<{ row: AccountArchiveRow; filename: string; size: number; stream: ReadableStream<Uint8Array> }> {
    const row = await this.stores.accountArchives.byId(id);
    if (!row || row.account_id !== accountId || row.state !== "ready" || !row.file_key || row.expires_at <= nowIso()) throw notFound();
    const file = await this.storage.open(row.file_key);
    if (!file) throw notFound();
    return { row, filename: row.file_key, ...file };
  }

  /** Runs one archive job (ACCOUNT_DATA_QUEUE); false if the payload is not an archive job. */
  async handleJob(payload: unknown): Promise<boolean> {
    const job = payload as Partial<ArchiveJob> | null;
    if (!job || (job.kind !== "archive" && job.kind !== "expire_archive") || typeof job.archiveId !== "string") return false;
    const row = await this.stores.accountArchives.byId(job.archiveId);
    if (!row) return true;
    if (job.kind === "expire_archive") {
      if (row.expires_at <= nowIso()) await this.remove(row);
      return true;
    }
    if (row.state !== "pending") return true;
    const account = await this.stores.accounts.byId(row.account_id);
    if (!account || account.suspended_at) {
      await this.remove(row);
      return true;
    }
    const key = `archive-${account.username.replace(/[^A-Za-z0-9_]/g, "_")}-${row.created_at.replace(/\D/g, "").slice(0, 14)}-${row.id}.tar.gz`;
    try {
      const size = await this.storage.put(key, tarStream(this.entries(account)), { gzip: true });
      // The account may have been deleted while the archive was built (its rows went with it).
      if (!(await this.stores.accountArchives.byId(row.id))) {
        await this.storage.remove(key);
        return true;
      }
      const finished = nowIso();
      const expires = new Date(Date.now() + ARCHIVE_LIFETIME_MS).toISOString();
      await this.stores.accountArchives.update(row.id, { state: "ready", file_key: key, size_bytes: size, finished_at: finished, expires_at: expires });
      await this.jobs()?.enqueue(ACCOUNT_DATA_QUEUE, [{ kind: "expire_archive", archiveId: row.id } satisfies ArchiveJob], { delayMs: ARCHIVE_LIFETIME_MS + 60_000 });
    } catch (error) {
      logger.error("Archive {id} could not be built: {error}", { id: row.id, error });
      await this.storage.remove(key).catch(() => undefined);
      await this.stores.accountArchives.update(row.id, { state: "failed", finished_at: nowIso() });
    }
    return true;
  }

  /** Removes expired archives (files and rows); returns how many. */
  async sweep(): Promise<number> {
    const expired = await this.stores.accountArchives.expired(nowIso(), 100);
    for (const row of expired) await this.remove(row);
    return expired.length;
  }

  /** Every archive of an account (its deletion). */
  async removeAllOf(accountId: string): Promise<void> {
    for (const row of await this.stores.accountArchives.ofAccount(accountId)) await this.remove(row);
  }

  private async remove(row: AccountArchiveRow): Promise<void> {
    if (row.file_key) await this.storage.remove(row.file_key);
    await this.stores.accountArchives.delete(row.id);
  }

  /** The archive's files, one after another (each complete before it is written: tar needs sizes first). */
  private async *entries(account: AccountRow): AsyncGenerator<TarEntry> {
    const documents = this.documents.target;
    if (!documents) throw new Error("No ActivityPub renderer in this process: archives are built where federation runs");
    const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    const q = this.stores.accountExports;

    // outbox.json: Create activities, oldest first; media references collected on the way.
    const items: Record<string, unknown>[] = [];
    const media: Record<string, unknown>[] = [];
    let after: string | null = null;
    for (;;) {
      const posts = await q.publicPosts(account.id, after, PAGE);
      for (const status of posts) {
        const create = await documents.create(status);
        if (create) items.push(create);
      }
      const byStatus = new Map(posts.map((p) => [p.id, p.uri]));
      for (const m of await q.mediaOf(posts.map((p) => p.id))) {
        media.push({ status: byStatus.get(m.status_id ?? "") ?? null, url: m.url ?? m.remote_url, mediaType: m.media_type, name: m.description });
      }
      if (posts.length < PAGE) break;
      after = posts[posts.length - 1].id;
    }
    yield { name: "outbox.json", data: json({ "@context": AS_CONTEXT, id: "outbox.json", type: "OrderedCollection", totalItems: items.length, orderedItems: items }) };
    items.length = 0;

    for (const [name, table] of [["likes.json", "favourites"], ["bookmarks.json", "bookmarks"]] as const) {
      const uris: string[] = [];
      let before: string | null = null;
      for (;;) {
        const rows = await q.statusUris(table, account.id, before, 1000);
        uris.push(...rows.map((r) => r.uri));
        if (rows.length < 1000) break;
        before = rows[rows.length - 1].id;
      }
      yield { name, data: json({ "@context": AS_CONTEXT, id: name, type: "OrderedCollection", totalItems: uris.length, orderedItems: uris }) };
    }

    yield { name: "media.json", data: json({ note: "Media of the posts in outbox.json, by reference: this server keeps no copies of media files.", items: media }) };

    const actor = await documents.actor(account);
    yield { name: "actor.json", data: json({ ...actor, outbox: "outbox.json", likes: "likes.json", bookmarks: "bookmarks.json" }) };
  }
}
