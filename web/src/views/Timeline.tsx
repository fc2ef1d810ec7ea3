// A timeline screen: its posts, newest first, "Load more" for older ones. Live posts arrive on
// top through the streaming API (state/live.ts); the list announces nothing by itself, so a
// screen reader is not interrupted, but the count of posts shown is in the heading's region.
import { useEffect } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { feeds, loadFeed } from "../state/feeds.ts";
import { statuses } from "../state/statuses.ts";
import { followPublicStream } from "../state/live.ts";
import { useStore } from "./use-store.ts";
import { StatusView } from "./StatusView.tsx";

export function Timeline({ feed, title, stream, children }: { feed: string; title: string; stream?: "public:local" | "public"; children?: ComponentChildren }) {
  const all = useStore(feeds);
  const cache = useStore(statuses);
  const state = all[feed];
  useEffect(() => (stream ? followPublicStream(stream) : undefined), [stream]);
  // Loaded when first shown, and again when it was set to load afresh (a filter changed).
  useEffect(() => {
    if (!state) void loadFeed(feed);
  }, [feed, state]);
  return (
    <section aria-labelledby="timeline-heading" class="timeline" data-feed={feed}>
      <h1 id="timeline-heading">{title}</h1>
      {children}
      <StatusList ids={state?.ids ?? []} cache={cache} />
      {state?.loaded && state.ids.length === 0 && <p class="empty">Nothing here yet.</p>}
      {state?.error && <p class="error" role="alert">{state.error} <button type="button" onClick={() => loadFeed(feed, { refresh: true })}>Try again</button></p>}
      {(!state || state.loading) && <p class="loading" aria-live="polite">Loading…</p>}
      {state?.next && !state.loading && (
        <button type="button" class="more" onClick={() => loadFeed(feed, { more: true })}>Load more</button>
      )}
    </section>
  );
}

export function StatusList({ ids, cache }: { ids: string[]; cache: Record<string, import("../api/types.ts").Status> }) {
  // A feed must hold articles (ARIA): an empty list is no feed at all.
  if (!ids.some((id) => cache[id])) return null;
  return (
    <div class="statuses" role="feed" aria-busy="false">
      {ids.map((id) => cache[id] && <StatusView key={id} status={cache[id]} />)}
    </div>
  );
}
