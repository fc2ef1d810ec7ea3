// The user's filters (Mastodon's v2 filters, /api/v2/filters): a title, keywords, where they
// apply (contexts), what they do (warn, hide, blur media) and when they end. The server applies
// them to every timeline it sends (a post it hides never arrives; a warned one carries
// `filtered`), so after a change the cached timelines are loaded afresh.
import { api } from "../api/client.ts";
import type { Filter, FilterAction, FilterContext } from "../api/types.ts";
import { Store } from "./store.ts";
import { forgetFeed } from "./feeds.ts";

export const filters = new Store<{ filters: Filter[]; loaded: boolean; error: string | null }>({ filters: [], loaded: false, error: null });

export interface FilterInput {
  title: string;
  context: FilterContext[];
  action: FilterAction;
  /** Seconds from now; null: never ends. */
  expiresIn: number | null;
  keywords: { id?: string; keyword: string; wholeWord: boolean; destroy?: boolean }[];
}

export async function loadFilters(): Promise<void> {
  try {
    const all = await api.request<Filter[]>("GET", "/api/v2/filters");
    filters.set({ filters: all, loaded: true, error: null });
  } catch (error) {
    filters.update((s) => ({ ...s, error: (error as Error).message }));
  }
}

function body(input: FilterInput): Record<string, unknown> {
  return {
    title: input.title,
    context: input.context,
    filter_action: input.action,
    // An empty expires_in clears the end (Mastodon's convention).
    expires_in: input.expiresIn ?? "",
    keywords_attributes: input.keywords.map((k) => ({ id: k.id, keyword: k.keyword, whole_word: k.wholeWord, _destroy: k.destroy || undefined })),
  };
}

/** Saves a new filter (no id) or changes one; throws the API's message for the form to show. */
export async function saveFilter(id: string | null, input: FilterInput): Promise<Filter> {
  const saved = id
    ? await api.request<Filter>("PUT", `/api/v2/filters/${id}`, { body: body(input) })
    : await api.request<Filter>("POST", "/api/v2/filters", { body: body(input) });
  filters.update((s) => ({ ...s, filters: id ? s.filters.map((f) => (f.id === id ? saved : f)) : [...s.filters, saved], error: null }));
  forgetFeed();
  return saved;
}

export async function deleteFilter(id: string): Promise<void> {
  await api.request("DELETE", `/api/v2/filters/${id}`);
  filters.update((s) => ({ ...s, filters: s.filters.filter((f) => f.id !== id) }));
  forgetFeed();
}
