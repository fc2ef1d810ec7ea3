// The compose box's draft, shared so that a post's Reply button (anywhere) can fill it, and the
// "n" key can bring it into focus.
import type { Status, Visibility } from "../api/types.ts";
import { Store } from "./store.ts";
import { publish, type Draft } from "./statuses.ts";
import { prepend } from "./feeds.ts";
import { addReply } from "./threads.ts";

export interface ComposeState extends Draft {
  showSpoiler: boolean;
  sending: boolean;
  error: string | null;
  /** Bumped to ask the compose box to take the focus. */
  focusRequest: number;
  /** One key per draft: a retried post is not posted twice. */
  key: string;
}

const newKey = () => Math.random().toString(36).slice(2) + Date.now().toString(36);
const blank = (visibility: Visibility = "public"): ComposeState => ({
  text: "",
  spoiler: "",
  visibility,
  inReplyTo: null,
  showSpoiler: false,
  sending: false,
  error: null,
  focusRequest: 0,
  key: newKey(),
});

export const compose = new Store<ComposeState>(blank());

export function editDraft(change: Partial<ComposeState>): void {
  compose.update((c) => ({ ...c, ...change }));
}

export function focusCompose(): void {
  compose.update((c) => ({ ...c, focusRequest: c.focusRequest + 1 }));
}

/** Reply to a post: mention its author (and those it mentions), keep its content warning and visibility. */
export function startReply(status: Status, me: string): void {
  const mentions = [status.account.acct, ...status.mentions.map((m) => m.acct)].filter((acct, i, all) => acct !== me && all.indexOf(acct) === i);
  const stricter: Visibility = status.visibility === "public" ? "public" : status.visibility;
  compose.update((c) => ({
    ...c,
    inReplyTo: status,
    text: mentions.map((a) => `@${a} `).join(""),
    spoiler: status.spoiler_text,
    showSpoiler: status.spoiler_text !== "",
    visibility: stricter,
    error: null,
    focusRequest: c.focusRequest + 1,
  }));
}

export function cancelReply(): void {
  compose.update((c) => ({ ...blank(c.visibility), focusRequest: c.focusRequest }));
}

export async function send(): Promise<void> {
  const draft = compose.get();
  if (draft.sending || draft.text.trim() === "") return;
  editDraft({ sending: true, error: null });
  try {
    const created = await publish(draft, draft.key);
    prepend("home", created);
    addReply(created);
    compose.set({ ...blank(draft.visibility), focusRequest: draft.focusRequest });
  } catch (error) {
    editDraft({ sending: false, error: (error as Error).message });
  }
}
