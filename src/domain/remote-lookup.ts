// The port through which the domain (search, lookups, following by handle) reaches other servers
// for accounts and posts it does not have yet. federation/ plugs a resolver in at start; without
// one, only what is already stored is found.
import type { AccountRow } from "../store/accounts.ts";
import type { StatusRow } from "../store/statuses.ts";

export interface RemoteLookup {
  accountByHandle(handle: string): Promise<AccountRow | null>;
  /** An account or a post by URL (an actor URI, a profile URL, a status URI). */
  byUrl(url: string): Promise<{ account?: AccountRow; status?: StatusRow } | null>;
  /** The account at this actor URI, fetched again now (its aliases may just have changed). */
  refreshAccount(uri: string): Promise<AccountRow | null>;
}

export class RemoteLookupSlot implements RemoteLookup {
  target: RemoteLookup | null = null;
  async accountByHandle(handle: string): Promise<AccountRow | null> {
    return this.target ? this.target.accountByHandle(handle) : null;
  }
  async byUrl(url: string): Promise<{ account?: AccountRow; status?: StatusRow } | null> {
    return this.target ? this.target.byUrl(url) : null;
  }
  async refreshAccount(uri: string): Promise<AccountRow | null> {
    return this.target ? this.target.refreshAccount(uri) : null;
  }
}
