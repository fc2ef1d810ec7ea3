// The user's lists: their titles and who is in each (the list's timeline is a feed, "list:ID").
// Create, rename, delete; add and remove accounts (only accounts the user follows can be added).
import { api } from "../api/client.ts";
import type { Account, List } from "../api/types.ts";
import { Store } from "./store.ts";
import { forgetFeed } from "./feeds.ts";

export interface ListsState {
  lists: List[];
  members: Record<string, Account[]>;
  loaded: boolean;
  error: string | null;
}

export const lists = new Store<ListsState>({ lists: [], members: {}, loaded: false, error: null });

const fail = (error: unknown) => lists.update((s) => ({ ...s, error: (error as Error).message }));

export async function loadLists(): Promise<void> {
  try {
    const all = await api.request<List[]>("GET", "/api/v1/lists");
    lists.update((s) => ({ ...s, lists: all, loaded: true, error: null }));
  } catch (error) {
    fail(error);
  }
}

export async function createList(title: string): Promise<List | null> {
  try {
    const list = await api.request<List>("POST", "/api/v1/lists", { body: { title } });
    lists.update((s) => ({ ...s, lists: [...s.lists, list], error: null }));
    return list;
  } catch (error) {
    fail(error);
    return null;
  }
}

export async function renameList(id: string, title: string): Promise<void> {
  try {
    const list = await api.request<List>("PUT", `/api/v1/lists/${id}`, { body: { title } });
    lists.update((s) => ({ ...s, lists: s.lists.map((l) => (l.id === id ? list : l)), error: null }));
  } catch (error) {
    fail(error);
  }
}

export async function deleteList(id: string): Promise<void> {
  try {
    await api.request("DELETE", `/api/v1/lists/${id}`);
    lists.update((s) => ({ ...s, lists: s.lists.filter((l) => l.id !== id), error: null }));
  } catch (error) {
    fail(error);
  }
}

export async function loadMembers(id: string): Promise<void> {
  try {
    const members = await api.request<Account[]>("GET", `/api/v1/lists/${id}/accounts`, { query: { limit: 0 } });
    lists.update((s) => ({ ...s, members: { ...s.members, [id]: members } }));
  } catch (error) {
    fail(error);
  }
}

export async function addMember(id: string, account: Account): Promise<void> {
  try {
    await api.request("POST", `/api/v1/lists/${id}/accounts`, { body: { account_ids: [account.id] } });
    lists.update((s) => ({ ...s, members: { ...s.members, [id]: [...(s.members[id] ?? []).filter((a) => a.id !== account.id), account] }, error: null }));
    forgetFeed(`list:${id}`);
  } catch (error) {
    fail(error);
  }
}

export async function removeMember(id: string, accountId: string): Promise<void> {
  try {
    await api.request("DELETE", `/api/v1/lists/${id}/accounts`, { body: { account_ids: [accountId] } });
    lists.update((s) => ({ ...s, members: { ...s.members, [id]: (s.members[id] ?? []).filter((a) => a.id !== accountId) }, error: null }));
    forgetFeed(`list:${id}`);
  } catch (error) {
    fail(error);
  }
}

/** The lists an account is in (for the profile's list buttons). */
export async function listsContaining(accountId: string): Promise<string[]> {
  const found = await api.request<List[]>("GET", `/api/v1/accounts/${accountId}/lists`);
  return found.map((l) => l.id);
}

/** People the user follows whose name or address matches (only they can be added to a list). */
export function findFollowed(q: string): Promise<Account[]> {
  return api.request<Account[]>("GET", "/api/v1/accounts/search", { query: { q, following: true, limit: 10 } });
}
