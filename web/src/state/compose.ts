// The compose box's draft, shared so that a post's Reply or Quote button (anywhere) can fill it,
// and the "n" key can bring it into focus. Attachments upload as soon as they are chosen (as in
// Mastodon's web app), so posting only names them; their alt text and focus are saved at posting.
import type { Status, Visibility } from "../api/types.ts";
import { Store } from "./store.ts";
import { publish, upload, type Draft, type DraftMedia, type DraftPoll } from "./statuses.ts";
import { prepend } from "./feeds.ts";
import { addReply } from "./threads.ts";

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
  };
};

export const compose = new Store<ComposeState>(blank());

/** New defaults apply to an untouched draft at once, and to every draft after it. */
export function setPostingDefaults(defaults: { visibility: Visibility; sensitive: boolean; language: string }): void {
  const untouched = isEmpty(compose.get());
  postingDefaults.set(defaults);
  if (untouched) compose.update((c) => ({ ...c, visibility: defaults.visibility, sensitive: defaults.sensitive, language: defaults.language }));
}

const isEmpty = (c: ComposeState) => c.text === "" && !c.inReplyTo && !c.quoteOf && c.media.length === 0 && !c.poll;

export function editDraft(change: Partial<ComposeState>): void {
  compose.update((c) => ({ ...c, ...change }));
}

export function focusCompose(): void {
  compose.update((c) => ({ ...c, focusRequest: c.focusRequest + 1 }));
}

/** Reply to a post: mention its author (and those it mentions), keep its content warning and visibility. */
export function startReply(status: Status, me: string): void {
  const mentions = [status.account.acct, ...status.mentions.map((m) => m.acct)].filter((acct, i, all) => acct !== me && all.indexOf(acct) === i);
  compose.update((c) => ({
    ...c,
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

/** Quote a post (Mastodon 4.5 quotes): the new post carries it below its own text. */
export function startQuote(status: Status): void {
  compose.update((c) => ({ ...c, quoteOf: status, inReplyTo: null, error: null, focusRequest: c.focusRequest + 1 }));
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
  !c.sending && c.uploading === 0 && (c.text.trim() !== "" || c.media.length > 0) && (!c.poll || c.poll.options.filter((o) => o.trim()).length >= 2);

export async function send(): Promise<void> {
  const draft = compose.get();
  if (!canSend(draft)) return;
  editDraft({ sending: true, error: null });
  try {
    const poll = draft.poll ? { ...draft.poll, options: draft.poll.options.filter((o) => o.trim()) } : null;
    const created = await publish({ ...draft, spoiler: draft.showSpoiler ? draft.spoiler : "", poll }, draft.key);
    prepend("home", created);
    addReply(created);
    compose.set({ ...blank(), focusRequest: draft.focusRequest });
  } catch (error) {
    editDraft({ sending: false, error: (error as Error).message });
  }
}
