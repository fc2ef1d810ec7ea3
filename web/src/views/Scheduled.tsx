// Scheduled posts: each with its time and text; move it to another time, or cancel it. (A post is
// scheduled from the compose box: "Schedule", then the time.)
import { useEffect, useState } from "preact/hooks";
import type { ScheduledStatus } from "../api/types.ts";
import { cancelScheduled, loadScheduled, reschedule, scheduled } from "../state/scheduled.ts";
import { useStore } from "./use-store.ts";
import { fullDate } from "./format.ts";
import { localInput } from "./Compose.tsx";
import { VISIBILITY_LABEL } from "./StatusView.tsx";

export function Scheduled() {
  const state = useStore(scheduled);
  useEffect(() => void loadScheduled(), []);
  return (
    <section aria-labelledby="scheduled-heading" class="scheduled">
      <h1 id="scheduled-heading">Scheduled posts</h1>
      {state.error && <p class="error" role="alert">{state.error}</p>}
      {!state.loaded && !state.error && <p class="loading">Loading…</p>}
      {state.loaded && state.items.length === 0 && <p class="empty">Nothing is scheduled. In the compose box, tick "Schedule" and choose a time.</p>}
      <ul class="plain-list">
        {state.items.map((item) => <ScheduledItem key={item.id} item={item} />)}
      </ul>
    </section>
  );
}

function ScheduledItem({ item }: { item: ScheduledStatus }) {
  const [at, setAt] = useState(localInput(Date.parse(item.scheduled_at)));
  const [error, setError] = useState<string | null>(null);
  const inputId = `reschedule-${item.id}`;
  return (
    <li class="scheduled-item" data-scheduled-id={item.id}>
      <p class="meta">
        <time dateTime={item.scheduled_at}>{fullDate(item.scheduled_at)}</time> · {VISIBILITY_LABEL[item.params.visibility] ?? item.params.visibility}
        {item.media_attachments.length > 0 && ` · ${item.media_attachments.length} attachment(s)`}
      </p>
      {item.params.spoiler_text && <p class="meta">Content warning: {item.params.spoiler_text}</p>}
      <p class="scheduled-text">{item.params.text}</p>
      <form
        class="reschedule"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          reschedule(item.id, new Date(at).toISOString()).catch((failure: Error) => setError(failure.message));
        }}
      >
        <label class="inline" for={inputId}>Move to</label>{" "}
        <input id={inputId} type="datetime-local" value={at} onInput={(e) => setAt(e.currentTarget.value)} />{" "}
        <button type="submit" class="secondary">Reschedule</button>{" "}
        <button type="button" class="secondary danger" data-action="cancel" onClick={() => cancelScheduled(item.id)}>Cancel post</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
    </li>
  );
}
