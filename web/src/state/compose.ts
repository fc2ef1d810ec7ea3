// The compose box's draft, shared so that a post's Reply, Quote or Edit button (anywhere) can fill
// it, and the "n" key can bring it into focus. Attachments upload as soon as they are chosen (as in
// Mastodon's web app), so posting only names them; their alt text and focus are saved at posting.
// The same box edits one's own post (PUT, from its /source), redrafts a deleted one, and schedules
// a post for later (scheduled.ts).
import { api } from "../api/client.ts";
import type { DeletedStatus, Status, StatusSource, Visibility } from "../api/types.ts";
import { Store } from "./store.ts";
import { publish, saveEdit, statuses, upload, type Draft, type DraftMedia, type DraftPoll } from "./statuses.ts";
import { prepend } from "./feeds.ts";
import { addReply } from "./threads.ts";
import { schedulePost } from "./scheduled.ts";

export interface ComposeState extends Draft {
  showSpoiler: boolean;
  sending: boolean;
  /** Files being uploaded now. */
  uploading: number;
  error: string | null;
  /** Bumped to ask the compose box to take the focus. */
  focusRequest: number;
  /** One key per draft: a retried post is not posted twice. */
  key: string;
  /** The own post this draft edits (sent with PUT), or null for a new post. */
  editing: Status | null;
  /** A local date and time (datetime-local) to publish at, or "" to post now. */
  scheduledAt: string;
  scheduling: boolean;
  /** What the last send did, when it shows nowhere else ("Scheduled for …"). */
  notice: string | null;
}

/** The signed-in user's posting defaults (from /api/v1/preferences), kept for each new draft. */
export const postingDefaults = new Store<{ visibility: Visibility; sensitive: boolean; language: string }>({ visibility: "public", sensitive: false, language: "" });

const newKey = () => Math.random().toString(36).slice(2) + Date.now().toString(36);
const blank = (): ComposeState => {
  const defaults = postingDefaults.get();
  return {
    text: "",
    spoiler: "",
    visibility: defaults.visibility,
    inReplyTo: null,
    quoteOf: null,
    language: defaults.language,
    sensitive: defaults.sensitive,
    media: [],
    poll: null,
    showSpoiler: false,
    sending: false,
    uploading: 0,
    error: null,
    focusRequest: 0,
    key: newKey(),
    editing: null,
    scheduledAt: "",
    scheduling: false,
    notice: null,
  };
};

export const compose = new Store<ComposeState>(blank());

/** New defaults apply to an untouched draft at once, and to every draft after it. */
export function setPostingDefaults(defaults: { visibility: Visibility; sensitive: boolean; language: string }): void {
  const untouched = isEmpty(compose.get());
  postingDefaults.set(defaults);
  if (untouched) compose.update((c) => ({ ...c, visibility: defaults.visibility, sensitive: defaults.sensitive, language: defaults.language }));
}

const isEmpty = (c: ComposeState) => c.text === "" && !c.inReplyTo && !c.quoteOf && !c.editing && c.media.length === 0 && !c.poll;

export function editDraft(change: Partial<ComposeState>): void {
  compose.update((c) => ({ ...c, notice: null, ...change }));
}

export function focusCompose(): void {
  compose.update((c) => ({ ...c, focusRequest: c.focusRequest + 1 }));
}

/** Reply to a post: mention its author (and those it mentions), keep its content warning and visibility. */
export function startReply(status: Status, me: string): void {
  const mentions = [status.account.acct, ...status.mentions.map((m) => m.acct)].filter((acct, i, all) => acct !== me && all.indexOf(acct) === i);
  compose.update((c) => ({
    ...(c.editing ? blank() : c),
    inReplyTo: status,
    quoteOf: null,
    text: mentions.map((a) => `@${a} `).join(""),
    spoiler: status.spoiler_text,
    showSpoiler: status.spoiler_text !== "",
    visibility: status.visibility,
    error: null,
    focusRequest: c.focusRequest + 1,
  }));
}

/** Mention someone (the "m" key on a post): their address joins the draft. */
export function startMention(acct: string): void {
  compose.update((c) => ({ ...c, text: `${c.text}${c.text && !c.text.endsWith(" ") ? " " : ""}@${acct} `, notice: null, focusRequest: c.focusRequest + 1 }));
}

/** Quote a post (Mastodon 4.5 quotes): the new post carries it below its own text. */
export function startQuote(status: Status): void {
  compose.update((c) => ({ ...(c.editing ? blank() : c), quoteOf: status, inReplyTo: null, error: null, focusRequest: c.focusRequest + 1 }));
}

/** A post's poll as a draft's (its duration starts again when the post is sent, as on Mastodon). */
const pollDraft = (s: Status): DraftPoll | null =>
  s.poll ? { options: s.poll.options.map((o) => o.title), expiresIn: 86400, multiple: s.poll.multiple } : null;

/** The draft of an existing post: its media (kept on the server), poll, warning and language. */
function draftOf(s: Status, text: string, spoiler: string): ComposeState {
  const cache = statuses.get();
  return {
    ...blank(),
    text,
    spoiler,
    showSpoiler: spoiler !== "",
    visibility: s.visibility,
    language: s.language ?? "",
    sensitive: s.sensitive,
    inReplyTo: s.in_reply_to_id ? (cache[s.in_reply_to_id] ?? null) : null,
    media: s.media_attachments.map((attachment) => ({ attachment, description: attachment.description ?? "", focus: attachment.meta?.focus ?? null })),
    poll: pollDraft(s),
    focusRequest: compose.get().focusRequest + 1,
  };
}

/** Edit one's own post: the compose box takes its source text (GET /api/v1/statuses/:id/source). */
export async function startEdit(s: Status): Promise<void> {
  const source = await api.request<StatusSource>("GET", `/api/v1/statuses/${s.id}/source`);
  compose.set({ ...draftOf(s, source.text, source.spoiler_text), inReplyTo: null, editing: s });
}

/** Delete & redraft: the deleted post's text (DELETE answers it), media and poll, as a new draft. */
export function startRedraft(deleted: DeletedStatus): void {
  compose.set(draftOf(deleted, deleted.text, deleted.spoiler_text));
}

export function cancelReply(): void {
  compose.update((c) => ({ ...blank(), focusRequest: c.focusRequest }));
}

export async function attach(files: File[]): Promise<void> {
  for (const file of files) {
    editDraft({ uploading: compose.get().uploading + 1, error: null });
    try {
      const attachment = await upload(file, "");
      const media: DraftMedia = { attachment, description: "", focus: null };
      compose.update((c) => ({ ...c, media: [...c.media, media], uploading: c.uploading - 1 }));
    } catch (error) {
      compose.update((c) => ({ ...c, uploading: c.uploading - 1, error: (error as Error).message }));
    }
  }
}

export function editMedia(id: string, change: Partial<DraftMedia>): void {
  compose.update((c) => ({ ...c, media: c.media.map((m) => (m.attachment.id === id ? { ...m, ...change } : m)) }));
}

export function removeMedia(id: string): void {
  compose.update((c) => ({ ...c, media: c.media.filter((m) => m.attachment.id !== id) }));
}

export function setPoll(poll: DraftPoll | null): void {
  editDraft({ poll });
}

export const canSend = (c: ComposeState): boolean =>
  !c.sending &&
  c.uploading === 0 &&
  (c.text.trim() !== "" || c.media.length > 0) &&
  (!c.poll || c.poll.options.filter((o) => o.trim()).length >= 2) &&
  (!c.scheduling || c.scheduledAt !== "");

export async function send(): Promise<void> {
  const draft = compose.get();
  if (!canSend(draft)) return;
  editDraft({ sending: true, error: null });
  try {
    const poll = draft.poll ? { ...draft.poll, options: draft.poll.options.filter((o) => o.trim()) } : null;
    const ready = { ...draft, spoiler: draft.showSpoiler ? draft.spoiler : "", poll };
    let notice: string | null = null;
    if (draft.editing) {
      await saveEdit(draft.editing, ready);
      notice = "Your post was edited.";
    } else if (draft.scheduling) {
      // datetime-local is the reader's local time; the API takes ISO 8601.
      const at = await schedulePost(ready, new Date(draft.scheduledAt).toISOString(), draft.key);
      notice = `Scheduled for ${new Date(at.scheduled_at).toLocaleString()}.`;
    } else {
      const created = await publish(ready, draft.key);
      prepend("home", created);
      addReply(created);
    }
    compose.set({ ...blank(), focusRequest: draft.focusRequest, notice });
  } catch (error) {
    editDraft({ sending: false, error: (error as Error).message });
  }
}
