// Filters: each hides or warns about posts with its keywords, where you choose (home, notifications,
// public timelines, threads, profiles), until it expires. The server applies them; a warned post
// shows only the filter's title until opened (StatusView).
import { useEffect, useState } from "preact/hooks";
import type { Filter, FilterAction, FilterContext } from "../api/types.ts";
import { deleteFilter, filters, loadFilters, saveFilter, type FilterInput } from "../state/filters.ts";
import { useStore } from "./use-store.ts";
import { fullDate } from "./format.ts";

const CONTEXTS: [FilterContext, string][] = [
  ["home", "Home and lists"],
  ["notifications", "Notifications"],
  ["public", "Public timelines"],
  ["thread", "Threads"],
  ["account", "Profiles"],
];
const ACTIONS: [FilterAction, string][] = [
  ["warn", "Warn: show the filter's title, the post behind it"],
  ["hide", "Hide: leave the post out entirely"],
  ["blur", "Blur: hide only the post's media"],
];
const EXPIRY: [string, string][] = [
  ["", "Never"],
  ["1800", "30 minutes"],
  ["3600", "1 hour"],
  ["21600", "6 hours"],
  ["86400", "1 day"],
  ["604800", "1 week"],
];

export function Filters() {
  const state = useStore(filters);
  const [editing, setEditing] = useState<Filter | "new" | null>(null);
  useEffect(() => void loadFilters(), []);
  return (
    <section aria-labelledby="filters-heading" class="filters">
      <h1 id="filters-heading">Filters</h1>
      {state.error && <p class="error" role="alert">{state.error}</p>}
      {editing ? (
        <FilterForm filter={editing === "new" ? null : editing} onDone={() => setEditing(null)} />
      ) : (
        <button type="button" id="new-filter" onClick={() => setEditing("new")}>New filter</button>
      )}
      {state.loaded && state.filters.length === 0 && <p class="empty">No filters.</p>}
      <ul class="plain-list filter-list">
        {state.filters.map((f) => (
          <li key={f.id} data-filter-id={f.id}>
            <strong>{f.title}</strong> <span class="meta">({f.filter_action}; {f.context.join(", ")}{f.expires_at ? `; until ${fullDate(f.expires_at)}` : ""})</span>
            <br />
            <span class="meta">{f.keywords.map((k) => k.keyword).join(", ") || "no keywords"}</span>{" "}
            <button type="button" class="link" aria-label={`Edit ${f.title}`} onClick={() => setEditing(f)}>Edit</button>{" "}
            <button type="button" class="link" aria-label={`Delete ${f.title}`} onClick={() => deleteFilter(f.id).catch(() => loadFilters())}>Delete</button>
          </li>
        ))}
      </ul>
    </section>
  );
}

type KeywordDraft = FilterInput["keywords"][number];

function FilterForm({ filter, onDone }: { filter: Filter | null; onDone: () => void }) {
  const [title, setTitle] = useState(filter?.title ?? "");
  const [context, setContext] = useState<FilterContext[]>(filter?.context ?? ["home", "public", "thread"]);
  const [action, setAction] = useState<FilterAction>(filter?.filter_action ?? "warn");
  const [expiry, setExpiry] = useState("");
  const [keywords, setKeywords] = useState<KeywordDraft[]>(filter?.keywords.map((k) => ({ id: k.id, keyword: k.keyword, wholeWord: k.whole_word })) ?? [{ keyword: "", wholeWord: true }]);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const editKeyword = (i: number, change: Partial<KeywordDraft>) => setKeywords(keywords.map((k, j) => (j === i ? { ...k, ...change } : k)));
  const submit = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const kept = keywords.filter((k) => k.id || k.keyword.trim()).map((k) => ({ ...k, keyword: k.keyword.trim(), destroy: k.destroy || (k.id !== undefined && !k.keyword.trim()) }));
      // Editing keeps the current end unless a new one is chosen.
      const expiresIn = expiry ? Number(expiry) : filter?.expires_at ? Math.max(1, Math.round((Date.parse(filter.expires_at) - Date.now()) / 1000)) : null;
      await saveFilter(filter?.id ?? null, { title: title.trim(), context, action, expiresIn, keywords: kept });
      onDone();
    } catch (failure) {
      setError((failure as Error).message);
    }
    setSaving(false);
  };
  return (
    <form class="filter-form panel" onSubmit={submit} aria-labelledby="filter-form-heading">
      <h2 id="filter-form-heading">{filter ? `Edit “${filter.title}”` : "New filter"}</h2>
      <label for="filter-title">Title</label>
      <input id="filter-title" type="text" required value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      <fieldset>
        <legend>Keywords</legend>
        {keywords.map((k, i) =>
          k.destroy ? null : (
            <div key={k.id ?? `new-${i}`} class="keyword-row">
              <label class="inline" for={`filter-keyword-${i}`}>Keyword {i + 1}</label>
              <input id={`filter-keyword-${i}`} class="filter-keyword" type="text" value={k.keyword} onInput={(e) => editKeyword(i, { keyword: e.currentTarget.value })} />
              <label class="inline">
                <input type="checkbox" checked={k.wholeWord} onChange={(e) => editKeyword(i, { wholeWord: e.currentTarget.checked })} /> Whole word
              </label>
              <button type="button" class="link" onClick={() => (k.id ? editKeyword(i, { destroy: true }) : setKeywords(keywords.filter((_, j) => j !== i)))}>Remove</button>
            </div>
          ),
        )}
        <button type="button" class="secondary" onClick={() => setKeywords([...keywords, { keyword: "", wholeWord: true }])}>Add keyword</button>
      </fieldset>
      <fieldset>
        <legend>Where</legend>
        {CONTEXTS.map(([value, label]) => (
          <label key={value} class="inline">
            <input type="checkbox" name="filter-context" value={value} checked={context.includes(value)} onChange={(e) => setContext(e.currentTarget.checked ? [...context, value] : context.filter((c) => c !== value))} /> {label}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>What it does</legend>
        {ACTIONS.map(([value, label]) => (
          <label key={value} class="inline">
            <input type="radio" name="filter-action" value={value} checked={action === value} onChange={() => setAction(value)} /> {label}
          </label>
        ))}
      </fieldset>
      <label for="filter-expiry">{filter?.expires_at ? `Ends ${fullDate(filter.expires_at)}; change to` : "Ends"}</label>
      <select id="filter-expiry" value={expiry} onChange={(e) => setExpiry(e.currentTarget.value)}>
        {EXPIRY.map(([value, label]) => (
          <option key={value} value={value}>{filter?.expires_at && value === "" ? "Keep as it is" : label}</option>
        ))}
      </select>
      <p>
        <button type="submit" disabled={saving || !title.trim() || context.length === 0}>Save filter</button>{" "}
        <button type="button" class="secondary" onClick={onDone}>Cancel</button>
      </p>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}
