// Search: a box whose query goes into the address (/web/search?q=…), then the accounts, hashtags
// and posts found (GET /api/v2/search; full-text search of posts respects the authors' choice).
import { useEffect, useState } from "preact/hooks";
import { runSearch, searchState } from "../state/search.ts";
import { statuses } from "../state/statuses.ts";
import { navigate, paths } from "../state/router.ts";
import { useStore } from "./use-store.ts";
import { AccountRow } from "./AccountRow.tsx";
import { StatusList } from "./Timeline.tsx";

export function SearchBox({ query = "" }: { query?: string }) {
  const [text, setText] = useState(query);
  useEffect(() => setText(query), [query]);
  return (
    <form
      role="search"
      class="search-box"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) navigate(paths.search(text.trim()));
      }}
    >
      <label for="search-input">Search</label>
      <span class="search-row">
        <input id="search-input" type="search" value={text} placeholder="People, #hashtags, posts" onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit">Search</button>
      </span>
    </form>
  );
}

export function Search({ query }: { query: string }) {
  const state = useStore(searchState);
  const cache = useStore(statuses);
  useEffect(() => void runSearch(query), [query]);
  const done = !state.loading && state.query === query.trim() && query.trim() !== "";
  return (
    <section aria-labelledby="search-heading" class="search">
      <h1 id="search-heading">Search</h1>
      <SearchBox query={query} />
      {state.loading && <p class="loading" aria-live="polite">Searching…</p>}
      {state.error && <p class="error" role="alert">{state.error}</p>}
      {done && (
        <>
          <h2>People</h2>
          {state.accounts.length ? (
            <ul class="account-list search-accounts">{state.accounts.map((a) => <AccountRow key={a.id} account={a} />)}</ul>
          ) : (
            <p class="empty">No one found.</p>
          )}
          <h2>Hashtags</h2>
          {state.hashtags.length ? (
            <ul class="tag-list">
              {state.hashtags.map((t) => (
                <li key={t.name}><a href={paths.tag(t.name)}>#{t.name}</a></li>
              ))}
            </ul>
          ) : (
            <p class="empty">No hashtags found.</p>
          )}
          <h2>Posts</h2>
          {state.statusIds.length ? <div class="search-statuses"><StatusList ids={state.statusIds} cache={cache} /></div> : <p class="empty">No posts found.</p>}
        </>
      )}
    </section>
  );
}
