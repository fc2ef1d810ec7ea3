// People asking to follow a locked account: accept or reject each one.
import { api } from "../api/client.ts";
import type { Account } from "../api/types.ts";
import { Store } from "./store.ts";

export const followRequests = new Store<{ accounts: Account[]; loaded: boolean; error: string | null }>({ accounts: [], loaded: false, error: null });

export async function loadFollowRequests(): Promise<void> {
  try {
    const accounts = await api.request<Account[]>("GET", "/api/v1/follow_requests", { query: { limit: 80 } });
    followRequests.set({ accounts, loaded: true, error: null });
  } catch (error) {
    followRequests.update((s) => ({ ...s, error: (error as Error).message }));
  }
}

export async function answerFollowRequest(id: string, accept: boolean): Promise<void> {
  try {
    await api.request("POST", `/api/v1/follow_requests/${id}/${accept ? "authorize" : "reject"}`);
    followRequests.update((s) => ({ ...s, accounts: s.accounts.filter((a) => a.id !== id), error: null }));
  } catch (error) {
    followRequests.update((s) => ({ ...s, error: (error as Error).message }));
  }
}
