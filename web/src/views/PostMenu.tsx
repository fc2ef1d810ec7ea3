// What a post offers beyond the common buttons, folded under "More": on one's own, Edit (in the
// compose box), Pin / Unpin on the profile, Delete and Delete & redraft — deleting asks once more,
// in place (no browser dialog); on others', Report. And, on any edited post, "Edited …" opens
// the versions it had.
import { useState } from "preact/hooks";
import type { Status, StatusEdit } from "../api/types.ts";
import { startEdit } from "../state/compose.ts";
import { deletePost, loadHistory, setPinned } from "../state/own-posts.ts";
import { ago, fullDate } from "./format.ts";
import { ReportForm } from "./ReportForm.tsx";

export function PostMenu({ status, own, onError }: { status: Status; own: boolean; onError: (message: string) => void }) {
  const [confirming, setConfirming] = useState<"delete" | "redraft" | null>(null);
  const [reporting, setReporting] = useState(false);
  const run = (action: () => Promise<void>) => () => action().catch((e: Error) => onError(e.message));
  const canPin = status.visibility !== "direct";
  if (!own) {
    return (
      <details class="post-menu">
        <summary>More</summary>
        <div class="post-menu-items">
          {!reporting && <button type="button" class="secondary danger" data-action="report" onClick={() => setReporting(true)}>Report @{status.account.acct}</button>}
        </div>
        {reporting && <ReportForm account={status.account} statusIds={[status.id]} onDone={() => setReporting(false)} />}
      </details>
    );
  }
  return (
    <details class="post-menu">
      <summary>More</summary>
      <div class="post-menu-items">
        <button type="button" class="secondary" data-action="edit" onClick={run(() => startEdit(status))}>Edit</button>
        {canPin && (
          <button type="button" class="secondary" data-action="pin" aria-pressed={status.pinned ? "true" : "false"} onClick={run(() => setPinned(status, !status.pinned))}>
            {status.pinned ? "Unpin from profile" : "Pin on profile"}
          </button>
        )}
        {confirming ? (
          <span class="confirm" role="group" aria-label="Confirm">
            {confirming === "redraft" ? "Delete and write it again?" : "Delete this post?"}{" "}
            <button type="button" class="danger secondary" data-action="confirm-delete" onClick={run(() => deletePost(status, { redraft: confirming === "redraft" }))}>
              {confirming === "redraft" ? "Delete & redraft" : "Delete"}
            </button>{" "}
            <button type="button" class="secondary" onClick={() => setConfirming(null)}>Keep it</button>
          </span>
        ) : (
          <>
            <button type="button" class="secondary danger" data-action="delete" onClick={() => setConfirming("delete")}>Delete</button>
            <button type="button" class="secondary danger" data-action="redraft" onClick={() => setConfirming("redraft")}>Delete & redraft</button>
          </>
        )}
      </div>
    </details>
  );
}

/** "Edited 5 min ago": opens to show every version, oldest first, as the server keeps them. */
export function EditHistory({ status }: { status: Status }) {
  const [versions, setVersions] = useState<StatusEdit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = (event: Event) => {
    if ((event.currentTarget as HTMLDetailsElement).open && !versions) loadHistory(status.id).then(setVersions, (e: Error) => setError(e.message));
  };
  return (
    <details class="edit-history" onToggle={open}>
      <summary title={fullDate(status.edited_at!)}>Edited {ago(status.edited_at!)}</summary>
      {error && <p class="error" role="alert">{error}</p>}
      {!versions && !error && <p class="loading">Loading…</p>}
      {versions && (
        <ol class="versions">
          {versions.map((v, i) => (
            <li key={v.created_at}>
              <p class="meta">
                {i === 0 ? "Original" : `Edit ${i}`} · <time dateTime={v.created_at}>{fullDate(v.created_at)}</time>
              </p>
              {v.spoiler_text && <p class="meta">Content warning: {v.spoiler_text}</p>}
              <div class="content" dangerouslySetInnerHTML={{ __html: v.content }} />
              {v.poll && <p class="meta">Poll: {v.poll.options.map((o) => o.title).join(" / ")}</p>}
              {v.media_attachments.length > 0 && <p class="meta">{v.media_attachments.length} attachment(s)</p>}
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}
