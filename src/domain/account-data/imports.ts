// CSV imports (Mastodon's bulk imports): an upload is parsed and checked at once (import-format.ts),
// stored with its rows, and carried out by a durable job in the ACCOUNT_DATA_QUEUE. The job
// resolves each address (stored accounts first, then the remote lookup port: WebFinger on
// another server) and does what the user would have done by hand — follow, block, mute, block a
// domain, bookmark, add to a list — through the same services as the API. A row that cannot be
// done (an unknown account, a server that does not answer, a post that is gone) is counted as
// failed and the import goes on. Progress is saved every few rows, so a job taken again after a
// restart carries on from there; every action is idempotent, so a row done twice changes nothing.
//
// Overwrite (Mastodon's "overwrite" mode) first undoes what the file does not list: follows,
// blocks, mutes, domain blocks or bookmarks not in it; lists not named in it are deleted and the
// others emptied.
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { AccountImportSummary } from "../../store/account-data/imports.ts";
export type { AccountImportSummary };
import type { AccountImportType } from "../../db/schema.ts";
import type { RemoteLookup } from "../remote-lookup.ts";
import type { ListRow } from "../../store/lists.ts";
import { getLogger } from "@logtape/logtape";
import { DomainError, notFound, validationFailed } from "../errors.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { isImportType, parseImport, type ImportRow } from "./import-format.ts";

const logger = getLogger(["skein", "account-data", "imports"]);

/** The queue of account-data jobs (imports and archives), run by every full server and worker. */
export const ACCOUNT_DATA_QUEUE = "account-data";

/** The durable job queue (queue/job-queue.ts) as these services use it: delayed jobs included. */
export interface JobSink {
  enqueue(queue: string, payloads: readonly unknown[], options?: { orderingKey?: string | null; delayMs?: number }): Promise<void>;
}

/** Imports one user may have waiting or running at once. */
const MAX_UNFINISHED = 5;
/** Rows done between two saves of the progress. */
const CHUNK = 25;
/** How long a lists import waits, in all, for other servers to accept the follows it sent. */
const WAIT_FOR_ACCEPT_MS = 60_000;

interface Waiting {
  listId: string;
  targetId: string;
}

/** What an import does with the rows: the services that act for the user (set when services are assembled). */
export interface ImportActions {
  follow(actor: AccountRow, targetId: string, options: { reblogs?: boolean; notify?: boolean }): Promise<unknown>;
  unfollow(actor: AccountRow, targetId: string): Promise<unknown>;
  block(actor: AccountRow, targetId: string): Promise<unknown>;
  unblock(actor: AccountRow, targetId: string): Promise<unknown>;
  mute(actor: AccountRow, targetId: string, options: { notifications?: boolean }): Promise<unknown>;
  unmute(actor: AccountRow, targetId: string): Promise<unknown>;
  blockDomain(actor: AccountRow, domain: string): Promise<void>;
  unblockDomain(actor: AccountRow, domain: string): Promise<void>;
  bookmark(actor: AccountRow, statusId: string, on: boolean): Promise<unknown>;
  createList(ownerId: string, title: string): Promise<ListRow>;
  deleteList(ownerId: string, listId: string): Promise<void>;
  addToList(ownerId: string, listId: string, accountIds: string[]): Promise<void>;
  removeFromList(ownerId: string, listId: string, accountIds: string[]): Promise<void>;
}

interface ImportJob {
  kind: "import";
  importId: string;
}

export interface NewImport {
  type: unknown;
  mode: unknown;
  filename?: string;
  data: Uint8Array;
}

export class AccountImports {
  private readonly stores: Stores;
  private readonly localDomain: string;
  private readonly resolver: RemoteLookup;
  private readonly actions: () => ImportActions;
  /** The durable job queue (the one moderation uses, plugged in where processes are assembled). */
  private readonly jobs: () => JobSink | null;

  constructor(stores: Stores, localDomain: string, resolver: RemoteLookup, actions: () => ImportActions, jobs: () => JobSink | null) {
    this.stores = stores;
    this.jobs = jobs;
    this.localDomain = localDomain.toLowerCase();
    this.resolver = resolver;
    this.actions = actions;
  }

  /** Checks and stores an upload, and queues its job. */
  async create(accountId: string, input: NewImport): Promise<AccountImportSummary> {
    if (!isImportType(input.type)) throw validationFailed("Validation failed: type must be one of following, blocks, mutes, domain_blocks, bookmarks, lists");
    const mode = input.mode === undefined || input.mode === null || input.mode === "" ? "merge" : input.mode;
    if (mode !== "merge" && mode !== "overwrite") throw validationFailed("Validation failed: mode must be merge or overwrite");
    const rows = parseImport(input.type, input.data);
    if ((await this.stores.accountImports.unfinishedCount(accountId)) >= MAX_UNFINISHED) {
      throw new DomainError("rate_limited", `At most ${MAX_UNFINISHED} imports can wait at once; try again when one has finished`);
    }
    const jobs = this.jobs();
    if (!jobs) throw new Error("No job queue in this process: the import was not queued");
    const row = {
      id: newId(),
      account_id: accountId,
      type: input.type,
      mode: mode as "merge" | "overwrite",
      state: "queued" as const,
      filename: (input.filename ?? "").replace(/[\u0000-\u001f\u007f]/g, "").slice(0, 200),
      rows: JSON.stringify(rows),
      total_rows: rows.length,
      processed_rows: 0,
      imported_rows: 0,
      failed_rows: 0,
      created_at: nowIso(),
      finished_at: null,
    };
    await this.stores.accountImports.insert(row);
    const job: ImportJob = { kind: "import", importId: row.id };
    await jobs.enqueue(ACCOUNT_DATA_QUEUE, [job], { orderingKey: `import:${accountId}` });
    const { rows: _rows, ...summary } = row;
    return summary;
  }

  async get(accountId: string, id: string): Promise<AccountImportSummary> {
    const row = await this.stores.accountImports.summary(accountId, id);
    if (!row) throw notFound();
    return row;
  }

  recent(accountId: string): Promise<AccountImportSummary[]> {
    return this.stores.accountImports.recent(accountId, 20);
  }

  /** Runs one import job (ACCOUNT_DATA_QUEUE, kind "import"). */
  async handleJob(payload: unknown): Promise<boolean> {
    const job = payload as Partial<ImportJob> | null;
    if (!job || job.kind !== "import" || typeof job.importId !== "string") return false;
    const imp = await this.stores.accountImports.byId(job.importId);
    if (!imp || imp.state === "finished" || imp.state === "failed") return true;
    const actor = await this.stores.accounts.byId(imp.account_id);
    if (!actor || actor.suspended_at) {
      await this.stores.accountImports.update(imp.id, { state: "failed", rows: "[]", finished_at: nowIso() });
      return true;
    }
    await this.stores.accountImports.update(imp.id, { state: "running" });
    const rows = JSON.parse(imp.rows) as ImportRow[];
    const resolved = new Map<string, AccountRow | null>();
    const lists = new Map<string, ListRow>();
    if (imp.mode === "overwrite" && imp.processed_rows === 0) await this.overwrite(actor, imp.type, rows, lists);
    let { processed_rows: processed, imported_rows: imported, failed_rows: failed } = imp;
    const waiting: Waiting[] = [];
    while (processed < rows.length) {
      for (const row of rows.slice(processed, processed + CHUNK)) {
        try {
          const outcome = await this.apply(actor, imp.type, row, resolved, lists);
          if (outcome) waiting.push(outcome);
          else imported++;
        } catch (error) {
          failed++;
          if (!(error instanceof DomainError)) logger.info("Import {id}: a row failed: {error}", { id: imp.id, error });
        }
        processed++;
      }
      await this.stores.accountImports.update(imp.id, { processed_rows: processed, imported_rows: imported, failed_rows: failed });
    }
    const joined = await this.joinWhenAccepted(actor.id, waiting);
    await this.stores.accountImports.update(imp.id, { state: "finished", rows: "[]", imported_rows: imported + joined, failed_rows: failed + waiting.length - joined, finished_at: nowIso() });
    return true;
  }

  /**
   * List members on other servers whose follow was only just requested: they join their list
   * when the other server accepts (waited for here, up to WAIT_FOR_ACCEPT_MS in all); those
   * still pending then count as failed (Skein's lists hold followed accounts only).
   */
  private async joinWhenAccepted(ownerId: string, waiting: Waiting[]): Promise<number> {
    let joined = 0;
    const deadline = Date.now() + WAIT_FOR_ACCEPT_MS;
    let left = waiting;
    while (left.length > 0) {
      const still: Waiting[] = [];
      for (const w of left) {
        if (await this.stores.relationships.find("follows", ownerId, w.targetId)) {
          await this.actions().addToList(ownerId, w.listId, [w.targetId]).then(() => joined++, () => undefined);
        } else still.push(w);
      }
      left = still;
      if (left.length === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    return joined;
  }

  /** An address as written in a file → the account, looked up here or on its server; null if none. */
  private async account(acct: string | undefined, cache: Map<string, AccountRow | null>): Promise<AccountRow | null> {
    const match = /^([^@\s]+)(?:@([^@\s]+))?$/.exec(acct ?? "");
    if (!match) return null;
    const username = match[1];
    const domain = match[2]?.toLowerCase() ?? null;
    const local = domain === null || domain === this.localDomain;
    const key = local ? username.toLowerCase() : `${username.toLowerCase()}@${domain}`;
    if (cache.has(key)) return cache.get(key)!;
    let account = (await this.stores.accounts.byUsername(username, local ? null : domain)) ?? null;
    if (!account && !local) account = await this.resolver.accountByHandle(`${username}@${domain}`).catch(() => null);
    const found = account && !account.suspended_at ? account : null;
    if (cache.size < 20_000) cache.set(key, found);
    return found;
  }

  private async status(uri: string | undefined): Promise<StatusRow | null> {
    if (!uri || !/^https?:\/\//.test(uri) || uri.length > 2000) return null;
    const stored = await this.stores.statuses.byUri(uri);
    if (stored) return stored;
    return (await this.resolver.byUrl(uri).catch(() => null))?.status ?? null;
  }

  /** Does one row; returns what must wait for another server's Accept (a list member), if anything. */
  private async apply(actor: AccountRow, type: AccountImportType, row: ImportRow, cache: Map<string, AccountRow | null>, lists: Map<string, ListRow>): Promise<Waiting | void> {
    const act = this.actions();
    if (type === "domain_blocks") return act.blockDomain(actor, row.domain ?? "");
    if (type === "bookmarks") {
      const status = await this.status(row.uri);
      if (!status) throw notFound();
      await act.bookmark(actor, status.id, true);
      return;
    }
    const target = await this.account(row.acct, cache);
    if (!target) throw notFound();
    switch (type) {
      case "following":
        await act.follow(actor, target.id, { reblogs: row.show_reblogs ?? undefined, notify: row.notify ?? undefined });
        return;
      case "blocks":
        await act.block(actor, target.id);
        return;
      case "mutes":
        await act.mute(actor, target.id, { notifications: row.hide_notifications ?? true });
        return;
      case "lists": {
        const list = await this.list(actor.id, row.list_name ?? "", lists);
        // As on Mastodon: a list holds accounts one follows, so the import follows them first.
        if (target.id !== actor.id && !(await this.stores.relationships.find("follows", actor.id, target.id))) {
          await act.follow(actor, target.id, {});
        }
        // A remote follow waits for the other server's Accept; the account joins the list once it is followed.
        if (!(await this.stores.relationships.find("follows", actor.id, target.id))) return { listId: list.id, targetId: target.id };
        await act.addToList(actor.id, list.id, [target.id]);
        return;
      }
    }
  }

  /** The owner's list with this title, created if missing. */
  private async list(ownerId: string, title: string, lists: Map<string, ListRow>): Promise<ListRow> {
    if (!title) throw validationFailed("A list needs a name");
    if (lists.size === 0) for (const list of await this.stores.lists.ofOwner(ownerId)) if (!lists.has(list.title)) lists.set(list.title, list);
    const known = lists.get(title);
    if (known) return known;
    const created = await this.actions().createList(ownerId, title);
    lists.set(title, created);
    return created;
  }

  /** Overwrite mode: what the user has of this kind and the file does not list is undone first. */
  private async overwrite(actor: AccountRow, type: AccountImportType, rows: ImportRow[], lists: Map<string, ListRow>): Promise<void> {
    const act = this.actions();
    const q = this.stores.accountExports;
    const norm = (acct: string) => {
      const [user, domain] = acct.toLowerCase().split("@");
      return domain && domain !== this.localDomain ? `${user}@${domain}` : user;
    };
    const wanted = new Set(rows.map((r) => norm(r.acct ?? "")));
    const keyOf = (a: { username: string; domain: string | null }) => (a.domain ? `${a.username}@${a.domain}`.toLowerCase() : a.username.toLowerCase());
    const undo = async (page: (before: string | null) => Promise<{ id: string; username: string; domain: string | null }[]>, remove: (target: AccountRow) => Promise<unknown>) => {
      // Collected first: undoing while paging would move the pages under the cursor.
      const drop: { username: string; domain: string | null }[] = [];
      let before: string | null = null;
      for (;;) {
        const batch = await page(before);
        for (const r of batch) if (!wanted.has(keyOf(r))) drop.push(r);
        if (batch.length < 1000) break;
        before = batch[batch.length - 1].id;
      }
      for (const r of drop) {
        const target = await this.stores.accounts.byUsername(r.username, r.domain);
        if (target) await remove(target).catch(() => undefined);
      }
    };
    switch (type) {
      case "following":
        return undo((b) => q.following(actor.id, b, 1000), (t) => act.unfollow(actor, t.id));
      case "blocks":
        return undo((b) => q.blocks(actor.id, b, 1000), (t) => act.unblock(actor, t.id));
      case "mutes":
        return undo((b) => q.mutes(actor.id, b, 1000, nowIso()), (t) => act.unmute(actor, t.id));
      case "domain_blocks": {
        const keep = new Set(rows.map((r) => r.domain));
        for (const r of await q.domainBlocks(actor.id, null, 100_000)) if (!keep.has(r.domain)) await act.unblockDomain(actor, r.domain);
        return;
      }
      case "bookmarks": {
        const keep = new Set(rows.map((r) => r.uri));
        const drop: string[] = [];
        for (const r of await q.statusUris("bookmarks", actor.id, null, 100_000)) if (!keep.has(r.uri)) drop.push(r.uri);
        for (const uri of drop) {
          const status = await this.stores.statuses.byUri(uri);
          if (status) await act.bookmark(actor, status.id, false).catch(() => undefined);
        }
        return;
      }
      case "lists": {
        const titles = new Set(rows.map((r) => r.list_name));
        for (const list of await this.stores.lists.ofOwner(actor.id)) {
          if (!titles.has(list.title)) {
            await act.deleteList(actor.id, list.id);
            continue;
          }
          const members = await this.stores.lists.members(list.id, null);
          if (members.length) await act.removeFromList(actor.id, list.id, members.map((m) => m.account.id));
          lists.set(list.title, list);
        }
        return;
      }
    }
  }
}
