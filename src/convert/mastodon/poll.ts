// Polls → Mastodon's Poll entity.
import type { PollView } from "../../domain/polls/poll-views.ts";
import { pollExpired } from "../../domain/polls/poll-views.ts";
import type { ConvertContext } from "./account.ts";
import { emojisIn } from "./custom-emoji.ts";

/** `ctx` and `domain` (the author's): for the emojis its options use. */
export function toPoll(view: PollView, now: Date = new Date(), ctx?: ConvertContext, domain: string | null = null) {
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
    emojis: ctx ? emojisIn(ctx, domain, view.options.map((o) => o.title)) : [],
  };
}
