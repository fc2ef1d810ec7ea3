// Posts: one cache by id, so a favourite or boost shows at once in every list that holds the
// post, and the actions on a post (favourite, boost, post, reply). Lists elsewhere hold ids.
import { api } from "../api/client.ts";
import type { MediaAttachment, Poll, Status, Visibility } from "../api/types.ts";
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

export async function toggleBookmark(s: Status): Promise<void> {
  const target = actionable(s);
  remember([{ ...target, bookmarked: !target.bookmarked }]);
  try {
    remember([await api.request<Status>("POST", `/api/v1/statuses/${target.id}/${target.bookmarked ? "unbookmark" : "bookmark"}`)]);
  } catch (error) {
    remember([target]);
    throw error;
  }
}

export async function vote(s: Status, choices: number[]): Promise<void> {
  const target = actionable(s);
  if (!target.poll) return;
  const poll = await api.request<Poll>("POST", `/api/v1/polls/${target.poll.id}/votes`, { body: { choices: choices.map(String) } });
  remember([{ ...target, poll }]);
}

/** A picture or file attached to the draft: uploaded at once, described (alt text) before posting. */
export interface DraftMedia {
  attachment: MediaAttachment;
  description: string;
  /** Focal point, -1..1 on each axis (Mastodon's `focus`), where crops keep the picture's subject. */
  focus: { x: number; y: number } | null;
}

export interface DraftPoll {
  options: string[];
  expiresIn: number;
  multiple: boolean;
}

export interface Draft {
  text: string;
  spoiler: string;
  visibility: Visibility;
  inReplyTo: Status | null;
  quoteOf: Status | null;
  language: string;
  sensitive: boolean;
  media: DraftMedia[];
  poll: DraftPoll | null;
}

/** The parameters of POST /api/v1/statuses (and of a scheduled post) for a draft. */
export function statusParams(draft: Draft): Record<string, unknown> {
  return {
    status: draft.text,
    spoiler_text: draft.spoiler || undefined,
    visibility: draft.visibility,
    in_reply_to_id: draft.inReplyTo?.id,
    quoted_status_id: draft.quoteOf?.id,
    language: draft.language || undefined,
    sensitive: draft.sensitive || undefined,
    media_ids: draft.media.length ? draft.media.map((m) => m.attachment.id) : undefined,
    poll: draft.poll ? { options: draft.poll.options, expires_in: draft.poll.expiresIn, multiple: draft.poll.multiple } : undefined,
  };
}

const focusParam = (m: DraftMedia) => (m.focus ? `${m.focus.x.toFixed(2)},${m.focus.y.toFixed(2)}` : undefined);

/** Alt text and focus are saved on new attachments first (as Mastodon's web app does). */
export async function describeMedia(draft: Draft): Promise<void> {
  for (const m of draft.media) {
    if (m.description === (m.attachment.description ?? "") && !m.focus) continue;
    await api.request<MediaAttachment>("PUT", `/api/v1/media/${m.attachment.id}`, { body: { description: m.description, focus: focusParam(m) } });
  }
}

export async function publish(draft: Draft, idempotencyKey: string): Promise<Status> {
  await describeMedia(draft);
  const created = await api.request<Status>("POST", "/api/v1/statuses", { body: statusParams(draft), idempotencyKey });
  remember([created]);
  countReply(created);
  return created;
}

/**
 * Saves an edit (PUT /api/v1/statuses/:id). As on Mastodon an edit carries the whole post: its
 * media (with their descriptions as media_attributes), its poll and its quote; visibility and
 * the post it answers stay as they were.
 */
export async function saveEdit(original: Status, draft: Draft): Promise<Status> {
  const { visibility: _v, in_reply_to_id: _r, ...params } = statusParams(draft);
  const updated = await api.request<Status>("PUT", `/api/v1/statuses/${original.id}`, {
    body: {
      ...params,
      spoiler_text: draft.spoiler,
      sensitive: draft.sensitive,
      media_ids: draft.media.map((m) => m.attachment.id),
      media_attributes: draft.media.map((m) => ({ id: m.attachment.id, description: m.description, focus: focusParam(m) })),
      quoted_status_id: original.quote?.quoted_status?.id ?? original.quote?.quoted_status_id,
    },
  });
  remember([updated]);
  return updated;
}

/** Uploads a file (POST /api/v2/media); a 202 means it is still being processed: ask again until it is ready. */
export async function upload(file: File, description: string): Promise<MediaAttachment> {
  const form = new FormData();
  form.append("file", file);
  if (description) form.append("description", description);
  let { status, body } = await api.requestWithStatus<MediaAttachment>("POST", "/api/v2/media", { multipart: form });
  for (let wait = 500, waited = 0; status === 202 || status === 206; wait = Math.min(wait * 2, 5000)) {
    if (waited > 120_000) throw new Error("The server is still processing the file. Try attaching it again later.");
    await new Promise((resolve) => setTimeout(resolve, wait));
    waited += wait;
    ({ status, body } = await api.requestWithStatus<MediaAttachment>("GET", `/api/v1/media/${body.id}`));
  }
  return body;
}
