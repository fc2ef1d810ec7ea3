// Reading and voting in polls, and telling voters and authors when a poll has ended. A poll is
// visible exactly when its status is (the same privacy rules, in SQL). The end of a poll is
// announced by a periodic sweep over the database (server/scheduler.ts), so nothing scheduled
// lives in memory: a restart, or several processes sweeping at once, neither loses nor repeats
// a notice. A local poll's new counts go out as Update(Question) — to its audience and to remote
// voters — at most once per `updateDelayMs` (POLL_UPDATE_DELAY), however many votes arrive: the
// first vote marks the poll's update as due, a sweep sends it.
import { SilentOutbox, type Outbox } from "../outbox.ts";
import type { Stores } from "../../store/stores.ts";
import type { PollRow } from "../../store/polls.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { NotificationRow } from "../../store/notifications.ts";
import { EventBus } from "../events.ts";
import { NotificationService } from "../notifications/notification-service.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { notFound, validationFailed } from "../errors.ts";
import { loadPollView, pollExpired, type PollView } from "./poll-views.ts";
import { canSee } from "../statuses/visibility.ts";

/** How many ended polls one sweep announces; the next sweep takes the rest. */
const SWEEP_BATCH = 100;
/** Mastodon sends a poll's counts three minutes after a vote; Skein one minute by default. */
export const DEFAULT_POLL_UPDATE_DELAY_MS = 60_000;

export class PollService {
  private readonly stores: Stores;
  private readonly events: EventBus;

  private readonly outbox: Outbox;
  private readonly updateDelayMs: number;

  constructor(stores: Stores, events: EventBus, outbox: Outbox = new SilentOutbox(), updateDelayMs = DEFAULT_POLL_UPDATE_DELAY_MS) {
    this.stores = stores;
    this.events = events;
    this.outbox = outbox;
    this.updateDelayMs = updateDelayMs;
  }

  /** The poll if `viewerId` may read its status; otherwise "not found". */
  async readable(pollId: string, viewerId: string | null): Promise<PollRow> {
    const poll = await this.stores.polls.byId(pollId);
    if (!poll || !(await this.stores.statuses.readableById(poll.status_id, viewerId))) throw notFound();
    return poll;
  }

  async view(pollId: string, viewerId: string | null): Promise<PollView> {
    return loadPollView(this.stores, await this.readable(pollId, viewerId), viewerId);
  }

  /**
   * Votes for `choices` (option indexes). One vote per account on a single-choice poll; on a
   * multiple-choice poll several options, each once. Not on ended polls, nor on one's own.
   */
  async vote(actor: AccountRow, pollId: string, choices: readonly number[]): Promise<PollView> {
    const poll = await this.readable(pollId, actor.id);
    if (poll.account_id === actor.id) throw validationFailed("Validation failed: You cannot vote in your own polls");
    if (pollExpired(poll)) throw validationFailed("Validation failed: The poll has already ended");
    const options = (await this.stores.polls.optionsOf([poll.id])).get(poll.id) ?? [];
    if (choices.length === 0) throw validationFailed("Validation failed: Choices can't be blank");
    if (choices.some((c) => !Number.isInteger(c) || c < 0 || c >= options.length)) {
      throw validationFailed("Validation failed: The chosen vote option does not exist");
    }
    if (new Set(choices).size !== choices.length) throw validationFailed("Validation failed: Choices contain duplicate items");
    if (!poll.multiple && choices.length > 1) throw validationFailed("Validation failed: This poll allows only one choice");

    const now = nowIso();
    await this.stores.transaction(async (tx) => {
      // Counting first takes the poll's row lock, so the checks below see any vote the same
      // account cast concurrently.
      if (!(await tx.polls.countVotesIfOpen(poll.id, choices.length, now))) throw validationFailed("Validation failed: The poll has already ended");
      const earlier = (await tx.polls.choicesOf(actor.id, [poll.id])).get(poll.id) ?? [];
      if (earlier.length && (!poll.multiple || choices.some((c) => earlier.includes(c)))) {
        throw validationFailed("Validation failed: You have already voted on this poll");
      }
      await tx.polls.insertVotes(choices.map((choice) => ({ id: newId(), poll_id: poll.id, account_id: actor.id, choice, uri: null, created_at: now })));
      if (earlier.length === 0) await tx.polls.countVoter(poll.id);
    });
    // A poll of another server counts there: send the vote to its author. Ours: its counts go out soon.
    const status = await this.stores.statuses.byId(poll.status_id);
    if (status && !status.local) await this.outbox.pollVoted(actor, status, poll.id, choices.map((c) => options[c].title));
    if (status?.local) await this.stores.polls.markUpdateDue(poll.id, new Date(Date.now() + this.updateDelayMs).toISOString());
    return loadPollView(this.stores, (await this.stores.polls.byId(poll.id))!, actor.id);
  }

  /**
   * A vote from another server in one of our polls (a Note naming the option, in reply to the
   * poll). Invalid votes — unknown option, ended poll, the author's own, a second choice in a
   * single-choice poll — are ignored, as Mastodon does; so is a vote from an account that may not
   * see the poll's status.
   */
  async receiveRemoteVote(voter: AccountRow, statusId: string, title: string, uri: string | null): Promise<boolean> {
    const [poll] = await this.stores.polls.byStatusIds([statusId]);
    if (!poll || poll.account_id === voter.id || pollExpired(poll)) return false;
    if (!(await canSee(this.stores, voter.id, { id: statusId }))) return false;
    const options = (await this.stores.polls.optionsOf([poll.id])).get(poll.id) ?? [];
    const choice = options.findIndex((o) => o.title === title);
    if (choice < 0) return false;
    const now = nowIso();
    const counted = await this.stores.transaction(async (tx) => {
      if (!(await tx.polls.countVotesIfOpen(poll.id, 1, now))) return false;
      const earlier = (await tx.polls.choicesOf(voter.id, [poll.id])).get(poll.id) ?? [];
      if (earlier.includes(choice) || (earlier.length && !poll.multiple)) throw new Error("duplicate vote");
      await tx.polls.insertVotes([{ id: newId(), poll_id: poll.id, account_id: voter.id, choice, uri, created_at: now }]);
      if (earlier.length === 0) await tx.polls.countVoter(poll.id);
      return true;
    }).catch(() => false);
    if (counted) await this.stores.polls.markUpdateDue(poll.id, new Date(Date.now() + this.updateDelayMs).toISOString());
    return counted;
  }

  /**
   * Sends the Update(Question) of local polls whose counts changed and whose delay has passed.
   * Each is claimed first (a conditional UPDATE), so two processes never both send it.
   */
  async distributeDueUpdates(now: Date = new Date()): Promise<number> {
    let sent = 0;
    for (const poll of await this.stores.polls.dueUpdates(now.toISOString(), SWEEP_BATCH)) {
      if (!poll.update_due_at || !(await this.stores.polls.claimUpdate(poll.id, poll.update_due_at))) continue;
      const status = await this.stores.statuses.byId(poll.status_id);
      if (!status?.local) continue;
      await this.outbox.pollUpdated(status, await this.stores.polls.remoteVoters(poll.id));
      sent++;
    }
    return sent;
  }

  /**
   * Sends the `poll` notification for polls that have ended: to local voters and to the author.
   * Each poll is claimed and its notices written in one transaction, so a crash leaves it for
   * the next sweep and two processes never both announce it. Returns how many were announced.
   */
  async announceEnded(now: Date = new Date()): Promise<number> {
    const at = now.toISOString();
    let announced = 0;
    for (const poll of await this.stores.polls.endedUnannounced(at, SWEEP_BATCH)) {
      const sent: NotificationRow[] = [];
      const claimed = await this.stores.transaction(async (tx) => {
        if (!(await tx.polls.claimExpiryNotice(poll.id, at))) return false;
        // Notices are written with the claim; they are published once both are committed.
        const notifier = new NotificationService(tx, new EventBus());
        for (const voter of await tx.polls.localVoters(poll.id)) {
          const row = await notifier.notify(voter, poll.account_id, "poll", poll.status_id);
          if (row) sent.push(row);
        }
        const own = await notifier.notify(poll.account_id, poll.account_id, "poll", poll.status_id);
        if (own) sent.push(own);
        // Other servers hear the final counts (a local poll's update, sent by the next sweep).
        await tx.polls.markUpdateDue(poll.id, at);
        return true;
      });
      if (!claimed) continue;
      announced++;
      for (const notification of sent) this.events.publish({ type: "notification.created", notification });
    }
    return announced;
  }
}
