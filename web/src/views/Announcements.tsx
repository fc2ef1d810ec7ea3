// The server's announcements, above the home timeline until read: the text (HTML the server
// rendered from the admin's plain text), reactions with their counts (press one to add or take
// back yours; a few common ones to add), and "Mark read", which dismisses it everywhere.
import { useEffect, useState } from "preact/hooks";
import type { Announcement } from "../api/types.ts";
import { announcements, dismissAnnouncement, loadAnnouncements, toggleReaction } from "../state/announcements.ts";
import { useStore } from "./use-store.ts";
import { fullDate } from "./format.ts";

const COMMON = ["👍", "❤️", "🎉", "😂", "😮"];

export function Announcements() {
  const state = useStore(announcements);
  // Read again each time home is shown: one published in another process reaches the stream
  // only at the server's next sweep.
  useEffect(() => void loadAnnouncements(), []);
  const unread = state.items.filter((a) => !a.read);
  if (unread.length === 0) return null;
  return (
    <section class="announcements" aria-labelledby="announcements-heading">
      <h2 id="announcements-heading">Announcements</h2>
      {unread.map((a) => <AnnouncementItem key={a.id} announcement={a} />)}
    </section>
  );
}

function AnnouncementItem({ announcement: a }: { announcement: Announcement }) {
  const [error, setError] = useState<string | null>(null);
  const act = (action: () => Promise<void>) => () => {
    setError(null);
    action().catch((e: Error) => setError(e.message));
  };
  const names = [...a.reactions.map((r) => r.name), ...COMMON.filter((n) => !a.reactions.some((r) => r.name === n))];
  return (
    <article class="announcement" data-announcement-id={a.id} aria-label="Announcement">
      <div class="content" dangerouslySetInnerHTML={{ __html: a.content }} />
      <p class="meta">
        <time dateTime={a.published_at}>{fullDate(a.published_at)}</time>
        {a.ends_at && <> · until <time dateTime={a.ends_at}>{fullDate(a.ends_at)}</time></>}
      </p>
      <div class="reactions" role="group" aria-label="Reactions">
        {names.map((name) => {
          const r = a.reactions.find((x) => x.name === name);
          return (
            <button key={name} type="button" class="secondary reaction" aria-pressed={r?.me ? "true" : "false"} aria-label={`${name} ${r?.count ?? 0}`} onClick={act(() => toggleReaction(a.id, name))}>
              {r?.url ? <img src={r.url} alt={`:${name}:`} width={18} height={18} /> : name} {r ? <span class="count">{r.count}</span> : null}
            </button>
          );
        })}
        <button type="button" class="link" data-action="dismiss-announcement" onClick={act(() => dismissAnnouncement(a.id))}>Mark read</button>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
    </article>
  );
}
