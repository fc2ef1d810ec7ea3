// A post's poll: the choices to vote for (one, or several when the poll allows it) until it ends
// or the reader voted; then the results, as bars with their percentages.
import { useState } from "preact/hooks";
import type { Status } from "../api/types.ts";
import { vote } from "../state/statuses.ts";
import { ago } from "./format.ts";

export function PollView({ status }: { status: Status }) {
  const poll = status.poll!;
  const [chosen, setChosen] = useState<number[]>([]);
  const [error, setError] = useState<string | null>(null);
  const showResults = poll.expired || poll.voted;
  const total = poll.options.reduce((sum, o) => sum + (o.votes_count ?? 0), 0);
  const name = `poll-${poll.id}`;
  const submit = (event: Event) => {
    event.preventDefault();
    setError(null);
    vote(status, chosen).catch((e: Error) => setError(e.message));
  };
  return (
    <form class="poll" onSubmit={submit}>
      <fieldset>
        <legend class="meta">
          Poll{poll.multiple ? " (choose any)" : ""} · {poll.votes_count} votes · {poll.expired ? "ended" : poll.expires_at ? `ends ${ago(poll.expires_at)}` : "open"}
        </legend>
        {poll.options.map((option, i) =>
          showResults ? (
            <p key={i} class="poll-result">
              <span>{option.title}{poll.own_votes?.includes(i) ? " (your vote)" : ""}</span>{" "}
              <span class="meta">{total ? Math.round(((option.votes_count ?? 0) * 100) / total) : 0}%</span>
              <meter min={0} max={Math.max(total, 1)} value={option.votes_count ?? 0} aria-label={option.title} />
            </p>
          ) : (
            <label key={i} class="inline poll-option">
              <input
                type={poll.multiple ? "checkbox" : "radio"}
                name={name}
                checked={chosen.includes(i)}
                onChange={(e) => setChosen(e.currentTarget.checked ? (poll.multiple ? [...chosen, i] : [i]) : chosen.filter((c) => c !== i))}
              />{" "}
              {option.title}
            </label>
          ),
        )}
      </fieldset>
      {!showResults && <button type="submit" class="secondary" disabled={chosen.length === 0}>Vote</button>}
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}
