// Search (GET /api/v2/search): accounts, hashtags and posts for what was typed. The query is
// in the address (/web/search?q=…), so a search can be reloaded and shared like any screen.
import { api } from "../api/client.ts";
import type { SearchResults } from "../api/types.ts";
import { Store } from "./store.ts";
import { remember } from "./statuses.ts";

export interface SearchState {
  query: string;
  accounts: SearchResults["accounts"];
  hashtags: SearchResults["hashtags"];
  statusIds: string[];
  loading: boolean;
  error: string | null;
}

export const searchState = new Store<SearchState>({ query: "", accounts: [], hashtags: [], statusIds: [], loading: false, error: null });

export async function runSearch(query: string): Promise<void> {
  const q = query.trim();
  if (q === "" || (q === searchState.get().query && !searchState.get().error)) return;
  searchState.set({ query: q, accounts: [], hashtags: [], statusIds: [], loading: true, error: null });
  try {
    // resolve=true: an address (@name@server or a post's URL) is looked up on its server too.
    const found = await api.request<SearchResults>("GET", "/api/v2/search", { query: { q, resolve: true, limit: 20 } });
    if (searchState.get().query !== q) return; // a newer search is under way
    searchState.set({ query: q, accounts: found.accounts, hashtags: found.hashtags, statusIds: remember(found.statuses), loading: false, error: null });
  } catch (error) {
    searchState.update((s) => ({ ...s, loading: false, error: (error as Error).message }));
  }
}
