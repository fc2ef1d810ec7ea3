// Search as Mastodon clients use it: posts by their words (status-search.ts), accounts by name
// or handle prefix and hashtags by prefix, ranked (store/search/directory-search.ts), and — with
// `resolve` — accounts and posts of other servers by handle or URL, fetched on demand.
// Posts found by URL are shown only if the reader may read them.
import type { Config } from "../../config/config.ts";
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { StatusRow, TagRow } from "../../store/statuses.ts";
import type { RemoteLookup } from "../remote-lookup.ts";
import { notFound } from "../errors.ts";
import { idAtTime } from "../../util/ids.ts";
import { searchStatuses } from "./status-search.ts";
import { reindexStatuses, StatusIndexer } from "./indexer.ts";

export interface SearchResults {
  accounts: AccountRow[];
  statuses: StatusRow[];
  hashtags: TagRow[];
}

const HANDLE = /^@?([a-z0-9_][a-z0-9_.-]*)@([a-z0-9.-]+\.[a-z]{2,}|[a-z0-9.-]+(:\d+)?)$/i;

export class SearchService {
  private readonly stores: Stores;
  private readonly config: Config;
  private readonly remote: RemoteLookup;
  /** Queues what posting writes and indexes it after the commit (SEARCH_INDEXING=off: nothing is queued). */
  readonly indexer: StatusIndexer;

  constructor(stores: Stores, config: Config, remote: RemoteLookup) {
    this.stores = stores;
    this.config = config;
    this.remote = remote;
    this.indexer = new StatusIndexer(config.search.indexing, stores);
  }

  /** `user`, `user@domain` or `@user@domain`: stored, or (with `resolve`) looked up on its server. */
  async lookupAccount(acct: string, resolve: boolean): Promise<AccountRow> {
    const handle = acct.trim().replace(/^@/, "");
    const [username, domain] = handle.split("@");
    const local = !domain || domain.toLowerCase() === this.config.localDomain;
    let account = username ? await this.stores.accounts.byUsername(username, local ? null : domain) : undefined;
    if (!account && !local && resolve) account = (await this.remote.accountByHandle(handle)) ?? undefined;
    if (!account || account.suspended_at) throw notFound();
    return account;
  }

  async search(query: string, options: { type?: "accounts" | "statuses" | "hashtags"; resolve: boolean; viewerId: string | null; limit: number; offset: number; accountId?: string | null; following?: boolean; minId?: string | null; maxId?: string | null }): Promise<SearchResults> {
    const q = query.trim().slice(0, 500);
    const results: SearchResults = { accounts: [], statuses: [], hashtags: [] };
    if (!q) return results;
    const wants = (type: SearchResults extends never ? never : "accounts" | "statuses" | "hashtags") => !options.type || options.type === type;

    if (/^https?:\/\//i.test(q)) {
      // Only signed-in readers make us fetch from other servers (as Mastodon requires).
      const found = options.resolve && options.viewerId ? await this.remote.byUrl(q) : await this.storedByUrl(q);
      if (found?.account && wants("accounts") && !found.account.suspended_at) results.accounts.push(found.account);
      if (found?.status && wants("statuses")) {
        const readable = await this.stores.statuses.readableById(found.status.id, options.viewerId);
        if (readable) results.statuses.push(readable);
      }
      return results;
    }

    if (wants("accounts")) {
      if (HANDLE.test(q)) {
        const account = await this.lookupAccount(q, options.resolve && options.viewerId !== null).catch(() => null);
        if (account) results.accounts.push(account);
      }
      if (results.accounts.length === 0) {
        const [username = "", domain] = q.replace(/^@/, "").split("@");
        if (/[\p{L}\p{N}_]/u.test(username)) results.accounts = await this.stores.directorySearch.accounts({ username: username.slice(0, 100), domain: domain ? domain.slice(0, 253) : null }, options.viewerId, { followingOnly: options.following === true, limit: options.limit, offset: options.offset });
      }
    }
    if (wants("statuses")) {
      results.statuses = await searchStatuses(this.stores, q, { ...options, localDomain: this.config.localDomain });
    }
    if (wants("hashtags")) {
      const prefix = q.replace(/^#/, "");
      if (/^[\p{L}\p{N}_]+$/u.test(prefix)) results.hashtags = await this.stores.directorySearch.hashtags(prefix.slice(0, 100), idAtTime(new Date(Date.now() - 7 * 86_400_000)), options.limit, options.offset);
    }
    return results;
  }

  /**
   * Rebuilds the full-text index of every status in batches (`./skein search reindex`, the
   * benchmark); returns how many statuses were indexed. A server may run meanwhile.
   */
  async reindex(options: { progress?: (done: number, total: number) => void; batchSize?: number; signal?: AbortSignal } = {}): Promise<number> {
    const result = await reindexStatuses(this.stores, { batchSize: options.batchSize, signal: options.signal, onProgress: (p) => options.progress?.(p.done, p.total) });
    return result.done;
  }

  private async storedByUrl(url: string): Promise<{ account?: AccountRow; status?: StatusRow } | null> {
    const status = await this.stores.statuses.byUri(url);
    if (status) return { status };
    const account = await this.stores.accounts.byUri(url);
    return account ? { account } : null;
  }
}
