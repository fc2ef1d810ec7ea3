// Preferences: posting defaults (who sees new posts, media marked sensitive, the posts' language),
// read from /api/v1/preferences and saved as the account's `source` (update_credentials).
import { useEffect, useState } from "preact/hooks";
import type { Visibility } from "../api/types.ts";
import { loadPreferences, preferences, savePreferences, type PostingPreferences } from "../state/preferences.ts";
import { useStore } from "./use-store.ts";
import { LANGUAGES, languageName } from "./languages.ts";
import { VISIBILITIES } from "./Compose.tsx";

export function Preferences() {
  const state = useStore(preferences);
  useEffect(() => void loadPreferences(), []);
  return (
    <section aria-labelledby="preferences-heading">
      <h1 id="preferences-heading">Preferences</h1>
      {state.error && <p class="error" role="alert">{state.error}</p>}
      {state.posting ? <PreferencesForm initial={state.posting} /> : !state.error && <p class="loading">Loading…</p>}
    </section>
  );
}

function PreferencesForm({ initial }: { initial: PostingPreferences }) {
  const [draft, setDraft] = useState(initial);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setStatus(null);
    setError(null);
    try {
      await savePreferences(draft);
      setStatus("Saved.");
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <form class="preferences panel" onSubmit={submit}>
      <h2>Posting</h2>
      <label for="pref-visibility">Who sees new posts</label>
      <select id="pref-visibility" value={draft.visibility} onChange={(e) => setDraft({ ...draft, visibility: e.currentTarget.value as Visibility })}>
        {VISIBILITIES.map(([value, label]) => (
          <option key={value} value={value}>{label}</option>
        ))}
      </select>
      <label class="inline checkbox-line">
        <input id="pref-sensitive" type="checkbox" checked={draft.sensitive} onChange={(e) => setDraft({ ...draft, sensitive: e.currentTarget.checked })} /> Always mark media as sensitive
      </label>
      <label for="pref-language">Language of new posts</label>
      <select id="pref-language" value={draft.language} onChange={(e) => setDraft({ ...draft, language: e.currentTarget.value })}>
        <option value="">Not set</option>
        {LANGUAGES.map((code) => (
          <option key={code} value={code}>{languageName(code)}</option>
        ))}
      </select>
      <p>
        <button type="submit" id="save-preferences">Save</button> <span role="status">{status}</span>
      </p>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}
