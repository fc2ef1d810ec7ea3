// What one person's session leaves in the stores, dropped when they sign out, so that the next
// person at this browser starts from nothing (the feeds and notifications are dropped in live.ts).
import { profiles } from "./accounts.ts";
import { followRequests } from "./follow-requests.ts";
import { filters } from "./filters.ts";
import { lists } from "./lists.ts";
import { preferences } from "./preferences.ts";
import { searchState } from "./search.ts";
import { followedTags, tagInfo } from "./tags.ts";
import { threads } from "./threads.ts";
import { statuses } from "./statuses.ts";
import { cancelReply, postingDefaults } from "./compose.ts";
import { scheduled } from "./scheduled.ts";
import { conversations } from "./conversations.ts";
import { notificationRequests } from "./notification-requests.ts";
import { announcements } from "./announcements.ts";

export function forgetSignedInState(): void {
  profiles.set({});
  followRequests.set({ accounts: [], loaded: false, error: null });
  filters.set({ filters: [], loaded: false, error: null });
  lists.set({ lists: [], members: {}, loaded: false, error: null });
  preferences.set({ posting: null, error: null });
  searchState.set({ query: "", accounts: [], hashtags: [], statusIds: [], loading: false, error: null });
  followedTags.set({ tags: [], loaded: false, error: null });
  tagInfo.set({});
  threads.set({});
  statuses.set({});
  scheduled.set({ items: [], loaded: false, error: null });
  conversations.set({ items: [], next: null, loading: false, loaded: false, error: null });
  notificationRequests.set({ requests: [], policy: null, loaded: false, error: null });
  announcements.set({ items: [], loaded: false, error: null });
  postingDefaults.set({ visibility: "public", sensitive: false, language: "" });
  cancelReply(); // a blank draft with those defaults
}
