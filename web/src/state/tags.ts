// Hashtags: the ones the user follows (their posts come into the home timeline), and following or
// unfollowing one from its timeline (the feed "tag:NAME").
import { api } from "../api/client.ts";
import type { Tag } from "../api/types.ts";
import { Store } from "./store.ts";

export const followedTags = new Store<{ tags: Tag[]; loaded: boolean; error: string | null }>({ tags: [], loaded: false, error: null });
export const tagInfo = new Store<Record<string, Tag>>({});

const key = (name: string) => name.toLowerCase();

export async function loadFollowedTags(): Promise<void> {
  try {
    const tags = await api.request<Tag[]>("GET", "/api/v1/followed_tags", { query: { limit: 200 } });
    followedTags.set({ tags, loaded: true, error: null });
  } catch (error) {
    followedTags.update((s) => ({ ...s, error: (error as Error).message }));
  }
}

export async function loadTag(name: string): Promise<void> {
  try {
    const tag = await api.request<Tag>("GET", `/api/v1/tags/${encodeURIComponent(name)}`);
    tagInfo.update((all) => ({ ...all, [key(name)]: tag }));
  } catch {
    // a tag nobody used yet: the timeline is empty and following it still works
    tagInfo.update((all) => ({ ...all, [key(name)]: { name, url: "", following: false } }));
  }
}

export async function setTagFollowed(name: string, follow: boolean): Promise<void> {
  const tag = await api.request<Tag>("POST", `/api/v1/tags/${encodeURIComponent(name)}/${follow ? "follow" : "unfollow"}`);
  tagInfo.update((all) => ({ ...all, [key(name)]: tag }));
  followedTags.update((s) => ({ ...s, tags: follow ? [...s.tags.filter((t) => key(t.name) !== key(name)), tag] : s.tags.filter((t) => key(t.name) !== key(name)) }));
}
