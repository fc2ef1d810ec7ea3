// What one can do to one's own posts besides editing them (compose.ts startEdit): delete (and
// delete & redraft: the deleted post's text and media come back in the compose box), pin to the
// profile and unpin, and read an edited post's history (GET /api/v1/statuses/:id/history).
import { api } from "../api/client.ts";
import type { DeletedStatus, Status, StatusEdit } from "../api/types.ts";
import { forgetStatus, remember } from "./statuses.ts";
import { forgetFeed, removeEverywhere } from "./feeds.ts";
import { startRedraft } from "./compose.ts";

export async function deletePost(s: Status, options: { redraft?: boolean } = {}): Promise<void> {
  // Mastodon keeps the media of a deleted post for a redraft (delete_media drops them at once).
  const deleted = await api.request<DeletedStatus>("DELETE", `/api/v1/statuses/${s.id}`, { query: { delete_media: options.redraft ? undefined : true } });
  removeEverywhere(s.id);
  forgetStatus(s.id);
  if (options.redraft) startRedraft(deleted);
}

export async function setPinned(s: Status, pin: boolean): Promise<void> {
  remember([await api.request<Status>("POST", `/api/v1/statuses/${s.id}/${pin ? "pin" : "unpin"}`)]);
  forgetFeed(`pinned:${s.account.id}`);
}

export function loadHistory(id: string): Promise<StatusEdit[]> {
  return api.request<StatusEdit[]>("GET", `/api/v1/statuses/${id}/history`);
}
