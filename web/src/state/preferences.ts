// Posting preferences: read from /api/v1/preferences, saved through update_credentials' `source`
// (as Mastodon's own settings do), and applied to new drafts (compose.ts).
import { api } from "../api/client.ts";
import type { Preferences, Visibility } from "../api/types.ts";
import { setPostingDefaults } from "./compose.ts";
import { session } from "./session.ts";
import { Store } from "./store.ts";

export interface PostingPreferences {
  visibility: Visibility;
  sensitive: boolean;
  language: string;
}

export const preferences = new Store<{ posting: PostingPreferences | null; error: string | null }>({ posting: null, error: null });

export async function loadPreferences(): Promise<void> {
  try {
    const p = await api.request<Preferences>("GET", "/api/v1/preferences");
    const posting = { visibility: p["posting:default:visibility"], sensitive: p["posting:default:sensitive"], language: p["posting:default:language"] ?? "" };
    preferences.set({ posting, error: null });
    setPostingDefaults(posting);
  } catch (error) {
    preferences.update((s) => ({ ...s, error: (error as Error).message }));
  }
}

export async function savePreferences(posting: PostingPreferences): Promise<void> {
  await api.request("PATCH", "/api/v1/accounts/update_credentials", {
    body: { source: { privacy: posting.visibility, sensitive: posting.sensitive, language: posting.language } },
  });
  preferences.set({ posting, error: null });
  setPostingDefaults(posting);
}

// Signed in: the defaults are read at once, so the first draft has them.
session.subscribe(() => {
  if (session.get().state === "signed-in" && !preferences.get().posting) void loadPreferences();
});
