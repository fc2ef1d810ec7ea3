// Lists of accounts a screen pages through: an account's followers and the accounts it follows,
// and the people one has muted or blocked (with Unmute / Unblock beside each).
import { api } from "../api/client.ts";
import type { Account } from "../api/types.ts";
import { Store } from "./store.ts";

export type AccountListKind = "followers" | "following" | "mutes" | "blocks";

export interface AccountList {
  accounts: Account[];
  next: string | null;
  loading: boolean;
  loaded: boolean;
  error: string | null;
}

export const accountLists = new Store<Record<string, AccountList>>({});

const EMPTY: AccountList = { accounts: [], next: null, loading: false, loaded: false, error: null };

export const listKey = (kind: AccountListKind, id?: string) => (id ? `${kind}:${id}` : kind);

function pathOf(kind: AccountListKind, id?: string): string {
  return kind === "mutes" || kind === "blocks" ? `/api/v1/${kind}` : `/api/v1/accounts/${encodeURIComponent(id ?? "")}/${kind}`;
}

function change(key: string, update: (list: AccountList) => AccountList): void {
  accountLists.update((all) => ({ ...all, [key]: update(all[key] ?? EMPTY) }));
}

/** The first page (afresh each time the screen opens), or the next one. */
export async function loadAccountList(kind: AccountListKind, id?: string, options: { more?: boolean } = {}): Promise<void> {
  const key = listKey(kind, id);
  const current = accountLists.get()[key] ?? EMPTY;
  if (current.loading || (options.more && !current.next)) return;
  change(key, (l) => ({ ...l, loading: true, error: null }));
  try {
    const page = await api.page<Account>(pathOf(kind, id), { limit: 40, max_id: options.more ? (current.next ?? undefined) : undefined });
    change(key, (l) => ({ accounts: options.more ? [...l.accounts, ...page.items.filter((a) => !l.accounts.some((b) => b.id === a.id))] : page.items, next: page.next, loading: false, loaded: true, error: null }));
  } catch (error) {
    change(key, (l) => ({ ...l, loading: false, error: (error as Error).message }));
  }
}

/** Unmute or unblock from the list: the account leaves it. */
export async function release(kind: "mutes" | "blocks", account: Account): Promise<void> {
  try {
    await api.request("POST", `/api/v1/accounts/${account.id}/${kind === "mutes" ? "unmute" : "unblock"}`);
    change(kind, (l) => ({ ...l, accounts: l.accounts.filter((a) => a.id !== account.id) }));
  } catch (error) {
    change(kind, (l) => ({ ...l, error: (error as Error).message }));
  }
}
