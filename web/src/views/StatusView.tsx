// One post: who wrote (or boosted) it, its content (HTML the server sanitized; nothing else is
// ever inserted as HTML), its pictures with their descriptions, its poll, the post it quotes, and
// Reply / Boost / Favourite / Bookmark / Quote, and More (on one's own: edit, pin, delete; on
// others': report); on an edited one, its history. Clicking anywhere on it that is not a link or
// button opens its thread. A post one of the reader's filters warns about shows only the filter's
// name until the reader asks to see it (a "blur" filter hides only its media).
import type { MediaAttachment, Status } from "../api/types.ts";
import { navigate, paths } from "../state/router.ts";
import { actionable, toggleBoost } from "../state/statuses.ts";
import { bookmark, favourite } from "../state/saved.ts";
import { startQuote, startReply } from "../state/compose.ts";
import { session } from "../state/session.ts";
import { ago, displayName, fullDate } from "./format.ts";
import { PollView } from "./PollView.tsx";
import { EditHistory, PostMenu } from "./PostMenu.tsx";
import { useId, useState } from "preact/hooks";

export const VISIBILITY_LABEL: Record<string, string> = { public: "Public", unlisted: "Quiet public", private: "Followers only", direct: "Private mention" };

export function StatusView({ status, focused = false }: { status: Status; focused?: boolean }) {
  const target = actionable(status);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState(false);
  // One post may show twice on a screen (pinned and among the posts): each copy's own id.
  const headingId = `status-${useId()}-author`;
  const me = session.get();
  const act = (action: () => Promise<void>) => () => {
    setError(null);
    action().catch((e: Error) => setError(e.message));
  };
  const open = (event: MouseEvent) => {
    const t = event.target as Element;
    if (focused || t.closest("a, button, summary, details[open] .content a, .edit-history, .post-menu, input, textarea, select, label") || getSelection()?.toString()) return;
    navigate(paths.thread(target.id));
  };
  const warned = (target.filtered ?? []).filter((f) => f.filter.filter_action === "warn");
  const blurred = (target.filtered ?? []).some((f) => f.filter.filter_action === "blur");
  if (warned.length > 0 && !shown) {
    return (
      <article class="status filtered" tabIndex={0} data-status-id={target.id} aria-label={`A post filtered by ${warned.map((f) => f.filter.title).join(", ")}`}>
        <p>
          Filtered: {warned.map((f) => f.filter.title).join(", ")}{" "}
          <button type="button" class="link" onClick={() => setShown(true)}>Show anyway</button>
        </p>
      </article>
    );
  }
  const canBoost = target.visibility === "public" || target.visibility === "unlisted";
  const canQuote = canBoost && target.quote_approval?.current_user !== "denied";
  const content = <div class="content" dangerouslySetInnerHTML={{ __html: target.content }} />;
  const quoted = target.quote?.quoted_status;
  return (
    <article class={`status${focused ? " focused" : ""}`} tabIndex={0} data-status-id={target.id} aria-labelledby={headingId} onClick={open}>
      {status.reblog && (
        <p class="boosted-by">
          <a href={paths.profile(status.account.id)}>{displayName(status.account)}</a> boosted
        </p>
      )}
      <header class="status-head">
        <a class="author" href={paths.profile(target.account.id)}>
          <img class="avatar" src={target.account.avatar} alt="" width={44} height={44} loading="lazy" />
          <span id={headingId}>
            <span class="name">{displayName(target.account)}</span> <span class="acct">@{target.account.acct}</span>
          </span>
        </a>
        <a class="time" href={paths.thread(target.id)} title={`${fullDate(target.created_at)} · ${VISIBILITY_LABEL[target.visibility]}`}>
          <time dateTime={target.created_at}>{ago(target.created_at)}</time>
        </a>
      </header>
      {target.spoiler_text ? (
        <details class="spoiler">
          <summary>{target.spoiler_text}</summary>
          {content}
        </details>
      ) : (
        content
      )}
      {target.media_attachments.length > 0 &&
        (target.sensitive || blurred ? (
          <details class="sensitive">
            <summary>{blurred ? "Media hidden by a filter" : "Sensitive media"}: show</summary>
            <MediaList media={target.media_attachments} />
          </details>
        ) : (
          <MediaList media={target.media_attachments} />
        ))}
      {target.poll && <PollView status={target} />}
      {quoted && (
        <blockquote class="quote" aria-label={`Quoting ${displayName(quoted.account)}`}>
          <a href={paths.thread(quoted.id)}>{displayName(quoted.account)} @{quoted.account.acct}</a>
          <div class="content" dangerouslySetInnerHTML={{ __html: quoted.content }} />
        </blockquote>
      )}
      {target.quote && !quoted && <p class="meta">Quoted post unavailable ({target.quote.state}).</p>}
      {target.edited_at && <EditHistory key={target.edited_at} status={target} />}
      {target.pinned && !status.reblog && <p class="meta pinned-mark">Pinned</p>}
      {me.state === "signed-in" && (
        <div class="actions" role="group" aria-label="Actions on this post">
          <button type="button" data-action="reply" onClick={() => startReply(target, me.me.acct)}>
            Reply <span class="count">{target.replies_count}</span>
          </button>
          <button type="button" data-action="boost" aria-pressed={target.reblogged ? "true" : "false"} disabled={!canBoost} onClick={act(() => toggleBoost(status))}>
            Boost <span class="count">{target.reblogs_count}</span>
          </button>
          <button type="button" data-action="favourite" aria-pressed={target.favourited ? "true" : "false"} onClick={act(() => favourite(status))}>
            Favourite <span class="count">{target.favourites_count}</span>
          </button>
          <button type="button" data-action="bookmark" aria-pressed={target.bookmarked ? "true" : "false"} onClick={act(() => bookmark(status))}>
            Bookmark
          </button>
          {canQuote && (
            <button type="button" data-action="quote" onClick={() => startQuote(target)}>
              Quote
            </button>
          )}
          <PostMenu status={target} own={target.account.id === me.me.id} onError={setError} />
        </div>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </article>
  );
}

function MediaList({ media }: { media: MediaAttachment[] }) {
  return (
    <ul class="media">
      {media.map((m) => (
        <li key={m.id}>
          {m.preview_url || m.url ? (
            <a href={m.url ?? m.remote_url ?? "#"} target="_blank" rel="noopener">
              <img src={m.preview_url ?? m.url ?? ""} alt={m.description ?? "A picture with no description"} loading="lazy" />
            </a>
          ) : (
            <a href={m.remote_url ?? "#"} target="_blank" rel="noopener">{m.description ?? "An attachment"}</a>
          )}
          {m.description && <p class="alt-text">{m.description}</p>}
        </li>
      ))}
    </ul>
  );
}
