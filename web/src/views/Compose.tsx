// The compose box: text, an optional content warning, who may see it, and how many characters
// are left. Replying shows which post is answered. "n" focuses it (keyboard.ts).
import { useLayoutEffect, useRef } from "preact/hooks";
import type { Visibility } from "../api/types.ts";
import { cancelReply, compose, editDraft, send } from "../state/compose.ts";
import { instance } from "../state/session.ts";
import { useStore } from "./use-store.ts";
import { displayName } from "./format.ts";

const VISIBILITIES: [Visibility, string][] = [
  ["public", "Public"],
  ["unlisted", "Quiet public"],
  ["private", "Followers only"],
  ["direct", "Mentioned people only"],
];

export function Compose() {
  const draft = useStore(compose);
  const { info } = useStore(instance);
  const textarea = useRef<HTMLTextAreaElement>(null);
  useLayoutEffect(() => {
    if (draft.focusRequest) textarea.current?.focus();
  }, [draft.focusRequest]);
  const max = info?.configuration.statuses.max_characters ?? 500;
  const left = max - [...draft.text].length - [...(draft.showSpoiler ? draft.spoiler : "")].length;
  const submit = (event: Event) => {
    event.preventDefault();
    void send();
  };
  return (
    <form class="compose" onSubmit={submit} aria-labelledby="compose-heading">
      <h2 id="compose-heading">{draft.inReplyTo ? "Reply" : "New post"}</h2>
      {draft.inReplyTo && (
        <p class="replying">
          Replying to {displayName(draft.inReplyTo.account)} (@{draft.inReplyTo.account.acct}){" "}
          <button type="button" class="link" onClick={cancelReply}>Cancel reply</button>
        </p>
      )}
      {draft.showSpoiler && (
        <>
          <label for="compose-spoiler">Content warning</label>
          <input id="compose-spoiler" type="text" value={draft.spoiler} onInput={(e) => editDraft({ spoiler: e.currentTarget.value })} />
        </>
      )}
      <label for="compose-text">What's on your mind?</label>
      <textarea
        id="compose-text"
        ref={textarea}
        rows={4}
        value={draft.text}
        onInput={(e) => editDraft({ text: e.currentTarget.value })}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) submit(e);
        }}
      />
      <div class="compose-options">
        <label class="inline">
          <input type="checkbox" checked={draft.showSpoiler} onChange={(e) => editDraft({ showSpoiler: e.currentTarget.checked })} /> Content warning
        </label>
        <label class="inline">
          Visibility{" "}
          <select id="compose-visibility" value={draft.visibility} onChange={(e) => editDraft({ visibility: e.currentTarget.value as Visibility })}>
            {VISIBILITIES.map(([value, label]) => (
              <option key={value} value={value}>{label}</option>
            ))}
          </select>
        </label>
        <span class={`counter${left < 0 ? " over" : ""}`} aria-live="polite">{left} characters left</span>
        <button type="submit" disabled={draft.sending || draft.text.trim() === "" || left < 0}>{draft.sending ? "Posting…" : "Post"}</button>
      </div>
      {draft.error && <p class="error" role="alert">{draft.error}</p>}
    </form>
  );
}
