// Posts: one cache by id, so a favourite or boost shows at once in every list that holds the
// post, and the actions on a post (favourite, boost, post, reply). Lists elsewhere hold ids.
import { api } from "../api/client.ts";
import type { Status, Visibility } from "../api/types.ts";
import { Store } from "./store.ts";

export const statuses = new Store<Record<string, Status>>({});

/** Puts posts (and the posts they boost) in the cache; returns their ids. */
export function remember(list: Status[]): string[] {
  if (list.length === 0) return [];
  const next = { ...statuses.get() };
  for (const s of list) {
    next[s.id] = s;
    if (s.reblog) next[s.reblog.id] = s.reblog;
  }
  // A boost shows its original's counts and buttons: keep the copies inside boosts current.
  for (const [id, cached] of Object.entries(next)) {
    if (cached.reblog && next[cached.reblog.id] !== cached.reblog) next[id] = { ...cached, reblog: next[cached.reblog.id] };
  }
  statuses.set(next);
  return list.map((s) => s.id);
}

export function forgetStatus(id: string): void {
  statuses.update((current) => {
    const next = { ...current };
    delete next[id];
    return next;
  });
}

const countedReplies = new Set<string>();

/**
 * A reply that is new here (it arrived live — as a post or in a notification — or was just
 * written) adds one to the count of the post it answers, if that post is shown; each reply counts
 * once, however it arrived. Replies that came in a fetched page are in the counts already.
 */
export function countReply(reply: Status): void {
  const parent = reply.in_reply_to_id ? statuses.get()[reply.in_reply_to_id] : undefined;
  if (!parent || countedReplies.has(reply.id)) return;
  countedReplies.add(reply.id);
  remember([{ ...parent, replies_count: parent.replies_count + 1 }]);
}

export function alreadyCounted(list: Status[]): void {
  for (const s of list) if (s.in_reply_to_id) countedReplies.add(s.id);
}

/** The post whose buttons act: the original of a boost. */
export const actionable = (s: Status): Status => s.reblog ?? s;

export async function toggleFavourite(s: Status): Promise<void> {
  const target = actionable(s);
  remember([{ ...target, favourited: !target.favourited, favourites_count: target.favourites_count + (target.favourited ? -1 : 1) }]);
  try {
    remember([await api.request<Status>("POST", `/api/v1/statuses/${target.id}/${target.favourited ? "unfavourite" : "favourite"}`)]);
  } catch (error) {
    remember([target]);
    throw error;
  }
}

export async function toggleBoost(s: Status): Promise<void> {
  const target = actionable(s);
  remember([{ ...target, reblogged: !target.reblogged, reblogs_count: target.reblogs_count + (target.reblogged ? -1 : 1) }]);
  try {
    const result = await api.request<Status>("POST", `/api/v1/statuses/${target.id}/${target.reblogged ? "unreblog" : "reblog"}`);
    remember([result.reblog ?? result]);
  } catch (error) {
    remember([target]);
    throw error;
  }
}

export interface Draft {
  text: string;
  spoiler: string;
  visibility: Visibility;
  inReplyTo: Status | null;
}

export async function publish(draft: Draft, idempotencyKey: string): Promise<Status> {
  const created = await api.request<Status>("POST", "/api/v1/statuses", {
    body: {
      status: draft.text,
      spoiler_text: draft.spoiler || undefined,
      visibility: draft.visibility,
      in_reply_to_id: draft.inReplyTo?.id,
    },
    idempotencyKey,
  });
  remember([created]);
  countReply(created);
  return created;
}
