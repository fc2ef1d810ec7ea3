// A post with its thread: what it answers above, the post itself (larger), the answers below.
import { useEffect } from "preact/hooks";
import { loadThread, threads } from "../state/threads.ts";
import { statuses } from "../state/statuses.ts";
import { useStore } from "./use-store.ts";
import { StatusView } from "./StatusView.tsx";
import { StatusList } from "./Timeline.tsx";

export function Thread({ id }: { id: string }) {
  const all = useStore(threads);
  const cache = useStore(statuses);
  useEffect(() => void loadThread(id), [id]);
  const thread = all[id];
  const status = cache[id];
  return (
    <section aria-labelledby="thread-heading" class="thread">
      <h1 id="thread-heading">Thread</h1>
      {thread?.error && <p class="error" role="alert">{thread.error}</p>}
      {!thread && <p class="loading">Loading…</p>}
      {thread && <StatusList ids={thread.ancestors} cache={cache} />}
      {status && <StatusView status={status} focused />}
      {thread && thread.descendants.length > 0 && (
        <>
          <h2 class="replies-heading">Replies</h2>
          <StatusList ids={thread.descendants} cache={cache} />
        </>
      )}
    </section>
  );
}
