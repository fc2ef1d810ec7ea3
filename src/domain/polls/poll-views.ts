// Loads what is needed to show polls to one reader: options with their counts, and the reader's
// own votes.
import type { Stores } from "../../store/stores.ts";
import type { PollOptionRow, PollRow } from "../../store/polls.ts";

export interface PollView {
  poll: PollRow;
  options: PollOptionRow[];
  /** The reader's choices; null for anonymous readers. The author counts as having voted. */
  ownVotes: number[] | null;
  voted: boolean | null;
}

/** status id → the poll on it, for the polls among these statuses. */
export async function loadPollViews(stores: Stores, statusIds: readonly string[], viewerId: string | null): Promise<Map<string, PollView>> {
  const polls = await stores.polls.byStatusIds(statusIds);
  return viewsOf(stores, polls, viewerId);
}

export async function loadPollView(stores: Stores, poll: PollRow, viewerId: string | null): Promise<PollView> {
  return (await viewsOf(stores, [poll], viewerId)).get(poll.status_id)!;
}

async function viewsOf(stores: Stores, polls: PollRow[], viewerId: string | null): Promise<Map<string, PollView>> {
  const map = new Map<string, PollView>();
  if (polls.length === 0) return map;
  const ids = polls.map((p) => p.id);
  const [options, choices] = await Promise.all([stores.polls.optionsOf(ids), viewerId ? stores.polls.choicesOf(viewerId, ids) : Promise.resolve(null)]);
  for (const poll of polls) {
    const own = choices ? (choices.get(poll.id) ?? []) : null;
    map.set(poll.status_id, {
      poll,
      options: options.get(poll.id) ?? [],
      ownVotes: own,
      voted: own === null ? null : own.length > 0 || poll.account_id === viewerId,
    });
  }
  return map;
}

export function pollExpired(poll: PollRow, now: Date = new Date()): boolean {
  return poll.expires_at !== null && poll.expires_at <= now.toISOString();
}
