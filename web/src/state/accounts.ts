// Profiles: the account, the signed-in user's relationship to it, follow and unfollow, mute,
// block and a private note.
import { api } from "../api/client.ts";
import type { Account, Relationship } from "../api/types.ts";
import { Store } from "./store.ts";

export interface ProfileState {
  account: Account | null;
  relationship: Relationship | null;
  error: string | null;
}

export const profiles = new Store<Record<string, ProfileState>>({});

function set(id: string, change: Partial<ProfileState>): void {
  profiles.update((all) => ({ ...all, [id]: { ...(all[id] ?? { account: null, relationship: null, error: null }), ...change } }));
}

export async function loadProfile(id: string): Promise<void> {
  try {
    const [account, relationships] = await Promise.all([
      api.request<Account>("GET", `/api/v1/accounts/${encodeURIComponent(id)}`),
      api.request<Relationship[]>("GET", "/api/v1/accounts/relationships", { query: { id: [id] } }),
    ]);
    set(id, { account, relationship: relationships[0] ?? null, error: null });
  } catch (error) {
    set(id, { error: (error as Error).message });
  }
}

export async function setFollowing(id: string, follow: boolean): Promise<void> {
  const relationship = await api.request<Relationship>("POST", `/api/v1/accounts/${encodeURIComponent(id)}/${follow ? "follow" : "unfollow"}`);
  set(id, { relationship });
  // The counts changed too.
  try {
    set(id, { account: await api.request<Account>("GET", `/api/v1/accounts/${encodeURIComponent(id)}`) });
  } catch {
    // the button is right either way
  }
}

/** Mute (optionally for a while, in seconds) or unmute: their posts and notifications stop reaching you. */
export async function setMuted(id: string, mute: boolean, duration = 0): Promise<void> {
  const relationship = await api.request<Relationship>("POST", `/api/v1/accounts/${encodeURIComponent(id)}/${mute ? "mute" : "unmute"}`, {
    body: mute ? { notifications: true, duration } : undefined,
  });
  set(id, { relationship });
}

/** Block or unblock: a block also ends following both ways. */
export async function setBlocked(id: string, block: boolean): Promise<void> {
  const relationship = await api.request<Relationship>("POST", `/api/v1/accounts/${encodeURIComponent(id)}/${block ? "block" : "unblock"}`);
  set(id, { relationship });
}

/** A private note on the account, seen only by the one who wrote it. */
export async function saveNote(id: string, comment: string): Promise<void> {
  const relationship = await api.request<Relationship>("POST", `/api/v1/accounts/${encodeURIComponent(id)}/note`, { body: { comment } });
  set(id, { relationship });
}
