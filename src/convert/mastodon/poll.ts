// Polls → Mastodon's Poll entity.
import type { PollView } from "../../domain/polls/poll-views.ts";
import { pollExpired } from "../../domain/polls/poll-views.ts";

export function toPoll(view: PollView, now: Date = new Date()) {
  const { poll } = view;
  const expired = pollExpired(poll, now);
  // Totals hidden until the end, when the author asked for it; the overall count stays.
  const showTotals = expired || poll.hide_totals !== 1;
  return {
    id: poll.id,
    expires_at: poll.expires_at,
    expired,
    multiple: poll.multiple === 1,
    votes_count: poll.votes_count,
    // Mastodon counts voters only for multiple-choice polls (one vote per voter otherwise).
    voters_count: poll.multiple === 1 ? poll.voters_count : null,
    ...(view.voted === null ? {} : { voted: view.voted, own_votes: view.ownVotes ?? [] }),
    options: view.options.map((o) => ({ title: o.title, votes_count: showTotals ? o.votes_count : null })),
    emojis: [],
  };
}
