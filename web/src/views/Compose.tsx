// The compose box: text, an optional content warning, who may see it, its language, pictures
// with alt text (and a focus point: click the picture where its subject is), a poll, and how many
// characters are left; or, instead of posting now, a time to post at (scheduled posts). Editing
// one's own post happens here too. (The focus dot is placed through the CSSOM, which the CSP's style-src
// allows, never through a style attribute in markup.) Replying or quoting shows which post. "n" focuses it (keyboard.ts).
import { useLayoutEffect, useRef } from "preact/hooks";
import type { Visibility } from "../api/types.ts";
import { attach, canSend, cancelReply, compose, editDraft, editMedia, removeMedia, send, setPoll } from "../state/compose.ts";
import type { DraftMedia, DraftPoll } from "../state/statuses.ts";
import { instance } from "../state/session.ts";
import { useStore } from "./use-store.ts";
import { displayName } from "./format.ts";
import { LANGUAGES, languageName } from "./languages.ts";
import { paths } from "../state/router.ts";

/** A time as a datetime-local input's value (the reader's local time, to the minute). */
export function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export const VISIBILITIES: [Visibility, string][] = [
  ["public", "Public"],
  ["unlisted", "Quiet public"],
  ["private", "Followers only"],
  ["direct", "Mentioned people only"],
];

const DURATIONS: [number, string][] = [
  [300, "5 minutes"],
  [1800, "30 minutes"],
  [3600, "1 hour"],
  [21600, "6 hours"],
  [86400, "1 day"],
  [259200, "3 days"],
  [604800, "7 days"],
];

export function Compose() {
  const draft = useStore(compose);
  const { info } = useStore(instance);
  const textarea = useRef<HTMLTextAreaElement>(null);
  useLayoutEffect(() => {
    if (draft.focusRequest) textarea.current?.focus();
  }, [draft.focusRequest]);
  const max = info?.configuration.statuses.max_characters ?? 500;
  const maxMedia = info?.configuration.statuses.max_media_attachments ?? 4;
  const left = max - [...draft.text].length - [...(draft.showSpoiler ? draft.spoiler : "")].length;
  const submit = (event: Event) => {
    event.preventDefault();
    void send();
  };
  const about = draft.inReplyTo ?? draft.quoteOf;
  const heading = draft.editing ? "Edit post" : draft.inReplyTo ? "Reply" : draft.quoteOf ? "Quote" : "New post";
  return (
    <form class="compose" onSubmit={submit} aria-labelledby="compose-heading">
      <h2 id="compose-heading">{heading}</h2>
      {draft.notice && <p class="notice" role="status">{draft.notice}{draft.notice.startsWith("Scheduled") && <> <a href={paths.scheduled}>Scheduled posts</a></>}</p>}
      {draft.editing && (
        <p class="replying">
          Editing your post (who can see it stays as it was).{" "}
          <button type="button" class="link" onClick={cancelReply}>Cancel edit</button>
        </p>
      )}
      {about && !draft.editing && (
        <p class="replying">
          {draft.inReplyTo ? "Replying to" : "Quoting"} {displayName(about.account)} (@{about.account.acct}){" "}
          <button type="button" class="link" onClick={cancelReply}>Cancel {draft.inReplyTo ? "reply" : "quote"}</button>
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
      {draft.media.length > 0 && (
        <ul class="compose-media">
          {draft.media.map((m, i) => <MediaEditor key={m.attachment.id} media={m} index={i} />)}
        </ul>
      )}
      {draft.uploading > 0 && <p class="loading" aria-live="polite">Uploading…</p>}
      {draft.poll && <PollEditor poll={draft.poll} max={info?.configuration.polls?.max_options ?? 4} />}
      <div class="compose-options">
        <label class={`button secondary file-button${draft.poll || draft.media.length >= maxMedia ? " disabled" : ""}`}>
          Add media
          <input
            id="compose-media"
            class="visually-hidden"
            type="file"
            accept="image/*,video/*,audio/*"
            multiple
            disabled={!!draft.poll || draft.media.length >= maxMedia}
            onChange={(e) => {
              const files = [...(e.currentTarget.files ?? [])].slice(0, maxMedia - draft.media.length);
              e.currentTarget.value = "";
              void attach(files);
            }}
          />
        </label>
        <button type="button" class="secondary" id="compose-poll" disabled={draft.media.length > 0} aria-pressed={draft.poll ? "true" : "false"} onClick={() => setPoll(draft.poll ? null : { options: ["", ""], expiresIn: 86400, multiple: false })}>
          Poll
        </button>
        <label class="inline">
          <input type="checkbox" checked={draft.showSpoiler} onChange={(e) => editDraft({ showSpoiler: e.currentTarget.checked })} /> Content warning
        </label>
        {draft.media.length > 0 && (
          <label class="inline">
            <input type="checkbox" checked={draft.sensitive} onChange={(e) => editDraft({ sensitive: e.currentTarget.checked })} /> Sensitive media
          </label>
        )}
        {!draft.editing && (
          <label class="inline">
            <input id="compose-schedule-toggle" type="checkbox" checked={draft.scheduling} onChange={(e) => editDraft({ scheduling: e.currentTarget.checked })} /> Schedule
          </label>
        )}
        {draft.scheduling && !draft.editing && (
          <label class="inline">
            Post at{" "}
            <input id="compose-schedule" type="datetime-local" min={localInput(Date.now() + 6 * 60_000)} value={draft.scheduledAt} onInput={(e) => editDraft({ scheduledAt: e.currentTarget.value })} />
          </label>
        )}
        <label class="inline">
          Visibility{" "}
          <select id="compose-visibility" disabled={!!draft.editing} value={draft.visibility} onChange={(e) => editDraft({ visibility: e.currentTarget.value as Visibility })}>
            {VISIBILITIES.map(([value, label]) => (
              <option key={value} value={value}>{label}</option>
            ))}
          </select>
        </label>
        <label class="inline">
          Language{" "}
          <select id="compose-language" value={draft.language} onChange={(e) => editDraft({ language: e.currentTarget.value })}>
            <option value="">Default</option>
            {LANGUAGES.map((code) => (
              <option key={code} value={code}>{languageName(code)}</option>
            ))}
          </select>
        </label>
        <span class={`counter${left < 0 ? " over" : ""}`} aria-live="polite">{left} characters left</span>
        <button type="submit" disabled={!canSend(draft) || left < 0}>
          {draft.sending ? "Sending…" : draft.editing ? "Save" : draft.scheduling && !draft.editing ? "Schedule" : "Post"}
        </button>
      </div>
      {draft.error && <p class="error" role="alert">{draft.error}</p>}
    </form>
  );
}

function MediaEditor({ media, index }: { media: DraftMedia; index: number }) {
  const id = media.attachment.id;
  const preview = media.attachment.preview_url ?? media.attachment.url;
  // The focus point: where in the picture a click lands, as Mastodon's -1..1 (y grows upwards).
  const setFocus = (event: MouseEvent) => {
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * 2 - 1;
    const y = 1 - ((event.clientY - box.top) / box.height) * 2;
    editMedia(id, { focus: { x: Math.max(-1, Math.min(1, x)), y: Math.max(-1, Math.min(1, y)) } });
  };
  return (
    <li class="media-editor">
      {preview && (
        <button type="button" class="focus-picker" title="Click where the picture's subject is: crops keep it in view" onClick={setFocus}>
          <img src={preview} alt={`Attachment ${index + 1}: set its focus point`} />
          {media.focus && <span class="focus-dot" style={{ left: `${((media.focus.x + 1) / 2) * 100}%`, top: `${((1 - media.focus.y) / 2) * 100}%` }} />}
        </button>
      )}
      <label for={`alt-${id}`}>Description (alt text) of attachment {index + 1}</label>
      <textarea id={`alt-${id}`} class="alt-input" rows={2} value={media.description} onInput={(e) => editMedia(id, { description: e.currentTarget.value })} />
      <button type="button" class="link" onClick={() => removeMedia(id)}>Remove attachment {index + 1}</button>
    </li>
  );
}

function PollEditor({ poll, max }: { poll: DraftPoll; max: number }) {
  const change = (next: Partial<DraftPoll>) => setPoll({ ...poll, ...next });
  return (
    <fieldset class="poll-editor">
      <legend>Poll</legend>
      {poll.options.map((option, i) => (
        <div key={i} class="poll-option-row">
          <label class="inline" for={`poll-option-${i}`}>Choice {i + 1}</label>
          <input id={`poll-option-${i}`} type="text" value={option} onInput={(e) => change({ options: poll.options.map((o, j) => (j === i ? e.currentTarget.value : o)) })} />
          {poll.options.length > 2 && <button type="button" class="link" onClick={() => change({ options: poll.options.filter((_, j) => j !== i) })}>Remove</button>}
        </div>
      ))}
      {poll.options.length < max && <button type="button" class="secondary" onClick={() => change({ options: [...poll.options, ""] })}>Add a choice</button>}
      <label class="inline">
        <input type="checkbox" checked={poll.multiple} onChange={(e) => change({ multiple: e.currentTarget.checked })} /> Allow several choices
      </label>
      <label class="inline">
        Ends in{" "}
        <select value={poll.expiresIn} onChange={(e) => change({ expiresIn: Number(e.currentTarget.value) })}>
          {DURATIONS.map(([seconds, label]) => <option key={seconds} value={seconds}>{label}</option>)}
        </select>
      </label>
    </fieldset>
  );
}
