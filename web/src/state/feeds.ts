// Lists of posts the screens show — the home, local and federated timelines, an account's posts
// (and its pinned ones),
// a list's or a hashtag's timeline, bookmarks and favourites —
// each loaded a page at a time (older pages by max_id, as the Link header says) and kept while
// the client runs, so going back to a timeline shows it at once. Live posts are put on top.
import { api } from "../api/client.ts";
import type { Status } from "../api/types.ts";
import { Store } from "./store.ts";
import { alreadyCounted, remember } from "./statuses.ts";

export interface Feed {
  ids: string[];
  next: string | null;
  loading: boolean;
  loaded: boolean;
  error: string | null;
}

const EMPTY: Feed = { ids: [], next: null, loading: false, loaded: false, error: null };

export const feeds = new Store<Record<string, Feed>>({});

/** Where each kind of feed comes from. */
export function feedSource(key: string): { path: string; query: Record<string, string | boolean> } {
  if (key === "home") return { path: "/api/v1/timelines/home", query: {} };
  if (key === "local") return { path: "/api/v1/timelines/public", query: { local: true } };
  if (key === "federated") return { path: "/api/v1/timelines/public", query: {} };
  if (key === "bookmarks") return { path: "/api/v1/bookmarks", query: {} };
  if (key === "favourites") return { path: "/api/v1/favourites", query: {} };
  const [kind, rest] = [key.slice(0, key.indexOf(":")), encodeURIComponent(key.slice(key.indexOf(":") + 1))];
  if (kind === "account") return { path: `/api/v1/accounts/${rest}/statuses`, query: {} };
  if (kind === "pinned") return { path: `/api/v1/accounts/${rest}/statuses`, query: { pinned: true } };
  if (kind === "list") return { path: `/api/v1/timelines/list/${rest}`, query: {} };
  if (kind === "tag") return { path: `/api/v1/timelines/tag/${rest}`, query: {} };
  throw new Error(`unknown feed ${key}`);
}

export const feedOf = (key: string): Feed => feeds.get()[key] ?? EMPTY;

function change(key: string, update: (feed: Feed) => Feed): void {
  feeds.update((all) => ({ ...all, [key]: update(all[key] ?? EMPTY) }));
}

/** The first page (again, when `refresh`), or the page after what is shown. */
export async function loadFeed(key: string, options: { more?: boolean; refresh?: boolean } = {}): Promise<void> {
  const feed = feedOf(key);
  if (feed.loading || (feed.loaded && !options.more && !options.refresh) || (options.more && !feed.next)) return;
  change(key, (f) => ({ ...f, loading: true, error: null }));
  const { path, query } = feedSource(key);
  try {
    const page = await api.page<Status>(path, { ...query, limit: 20, max_id: options.more ? (feed.next ?? undefined) : undefined });
    alreadyCounted(page.items);
    const ids = remember(page.items);
    change(key, (f) => ({
      ids: options.more ? [...f.ids, ...ids.filter((id) => !f.ids.includes(id))] : [...f.ids.filter((id) => !ids.includes(id) && !f.loaded), ...ids],
      next: page.next,
      loading: false,
      loaded: true,
      error: null,
    }));
  } catch (error) {
    change(key, (f) => ({ ...f, loading: false, error: (error as Error).message }));
  }
}

/** A post that arrived live (or was just written) goes on top, once. */
export function prepend(key: string, status: Status): void {
  remember([status]);
  change(key, (f) => (f.ids.includes(status.id) ? f : { ...f, ids: [status.id, ...f.ids] }));
}

/** A deleted post leaves every feed. */
export function removeEverywhere(id: string): void {
  feeds.update((all) => {
    const next: Record<string, Feed> = {};
    for (const [key, feed] of Object.entries(all)) next[key] = feed.ids.includes(id) ? { ...feed, ids: feed.ids.filter((x) => x !== id) } : feed;
    return next;
  });
}

export function clearFeeds(): void {
  feeds.set({});
}

/** A feed to load afresh the next time it is shown (bookmarks after a bookmark; all of them after a filter changed). */
export function forgetFeed(key?: string): void {
  if (key === undefined) return clearFeeds();
  feeds.update((all) => {
    const next = { ...all };
    delete next[key];
    return next;
  });
}
