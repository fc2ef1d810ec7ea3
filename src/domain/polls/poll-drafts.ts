// A poll as posted or edited with a status: Mastodon's rules for options and duration, and how
// a status's poll is stored, changed or removed (inside the status's own transaction).
import type { Stores } from "../../store/stores.ts";
import type { PollRow } from "../../store/polls.ts";
import type { Flag } from "../../db/schema.ts";
import { newId } from "../../util/ids.ts";
import { validationFailed } from "../errors.ts";
import { LIMITS } from "../instance/instance-service.ts";

export interface NewPoll {
  options: string[];
  /** Seconds the poll stays open. */
  expiresIn: number | null;
  multiple?: boolean;
  hideTotals?: boolean;
}

export interface PollDraft {
  titles: string[];
  expiresAt: string;
  multiple: Flag;
  hideTotals: Flag;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const lengthOf = (text: string) => [...graphemes.segment(text)].length;

/**
 * Checks a poll against the server's limits. Options are trimmed and blank ones dropped, as
 * Mastodon does; `minExpiration` is LIMITS.pollMinExpiration unless a test shortened it.
 */
export function checkPoll(input: NewPoll, minExpiration: number, now: Date = new Date()): PollDraft {
  const titles = input.options.map((o) => o.trim()).filter((o) => o !== "");
  if (titles.length < 2) throw validationFailed("Validation failed: Poll options must have more than one item");
  if (titles.length > LIMITS.pollOptions) throw validationFailed(`Validation failed: Poll options can't contain more than ${LIMITS.pollOptions} items`);
  if (titles.some((t) => lengthOf(t) > LIMITS.pollOptionCharacters)) {
    throw validationFailed(`Validation failed: Poll options cannot be longer than ${LIMITS.pollOptionCharacters} characters each`);
  }
  if (new Set(titles).size !== titles.length) throw validationFailed("Validation failed: Poll options contain duplicate items");
  const seconds = input.expiresIn;
  if (seconds === null || !Number.isFinite(seconds) || seconds > LIMITS.pollMaxExpiration) {
    throw validationFailed("Validation failed: Poll expires at is too far into the future");
  }
  if (Math.ceil(seconds) < minExpiration) throw validationFailed("Validation failed: Poll expires at is too soon");
  return {
    titles,
    expiresAt: new Date(now.getTime() + seconds * 1000).toISOString(),
    multiple: input.multiple ? 1 : 0,
    hideTotals: input.hideTotals ? 1 : 0,
  };
}

/** Stores a new status's poll. */
export async function attachPoll(tx: Stores, statusId: string, accountId: string, draft: PollDraft, now: string): Promise<void> {
  await tx.polls.insert(
    {
      id: newId(),
      status_id: statusId,
      account_id: accountId,
      multiple: draft.multiple,
      hide_totals: draft.hideTotals,
      votes_count: 0,
      voters_count: 0,
      expires_at: draft.expiresAt,
      expiry_notified_at: null,
      created_at: now,
      updated_at: now,
    },
    draft.titles,
  );
}

/**
 * Applies an edit to a status's poll, as Mastodon does: a poll sent with the edit replaces the
 * settings and restarts its duration, and different options (or a switch between single and
 * multiple choice) discard the votes; an edit without a poll removes it.
 */
export async function changePoll(tx: Stores, statusId: string, accountId: string, existing: { poll: PollRow; titles: string[] } | null, draft: PollDraft | null, now: string): Promise<void> {
  if (!draft) {
    if (existing) await tx.polls.delete(existing.poll.id);
    return;
  }
  if (!existing) {
    await attachPoll(tx, statusId, accountId, draft, now);
    return;
  }
  const optionsChanged = JSON.stringify(existing.titles) !== JSON.stringify(draft.titles) || existing.poll.multiple !== draft.multiple;
  if (optionsChanged) await tx.polls.replaceOptions(existing.poll.id, draft.titles);
  await tx.polls.update(existing.poll.id, {
    multiple: draft.multiple,
    hide_totals: draft.hideTotals,
    expires_at: draft.expiresAt,
    // A new end is announced again when it comes.
    expiry_notified_at: draft.expiresAt === existing.poll.expires_at ? existing.poll.expiry_notified_at : null,
    updated_at: now,
  });
}
