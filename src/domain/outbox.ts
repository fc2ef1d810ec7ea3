// The port through which the domain tells the rest of the fediverse what local accounts did.
// federation/outbox.ts implements it with Fedify; where federation is off (admin commands,
// unit tests) nothing is sent. The domain calls it after its own changes are stored.
import type { AccountRow } from "../store/accounts.ts";
import type { StatusRow } from "../store/statuses.ts";
import type { ReportRow } from "../store/moderation/reports.ts";
import type { RelayRow } from "../store/relays.ts";

export interface Outbox {
  statusCreated(status: StatusRow): Promise<void>;
  statusUpdated(status: StatusRow): Promise<void>;
  /** `status` as it was; `audience` the accounts that could see it (mentioned, followers' inboxes are looked up). */
  statusDeleted(status: StatusRow, mentionedIds: string[]): Promise<void>;
  followRequested(follower: AccountRow, target: AccountRow, followUri: string): Promise<void>;
  followUndone(follower: AccountRow, target: AccountRow, followUri: string | null): Promise<void>;
  followAccepted(target: AccountRow, follower: AccountRow, followUri: string | null): Promise<void>;
  followRejected(target: AccountRow, follower: AccountRow, followUri: string | null): Promise<void>;
  favourited(actor: AccountRow, status: StatusRow, likeUri: string, undo: boolean): Promise<void>;
  blocked(actor: AccountRow, target: AccountRow, blockUri: string, undo: boolean): Promise<void>;
  /** The author pinned (`on`) or unpinned one of its posts: an Add or Remove on its featured collection. */
  pinned(author: AccountRow, status: StatusRow, on: boolean): Promise<void>;
  profileUpdated(account: AccountRow): Promise<void>;
  /** The account moved to `target`; its followers' servers should follow the new account. */
  moved(account: AccountRow, target: AccountRow): Promise<void>;
  /** A local poll's counts changed: an Update(Question) to its audience and to the remote voters. */
  pollUpdated(status: StatusRow, remoteVoterIds: string[]): Promise<void>;
  /** A local account voted in a poll of another server. */
  pollVoted(voter: AccountRow, status: StatusRow, pollId: string, titles: string[]): Promise<void>;
  /** A report forwarded to other servers: a Flag from this server's instance actor, to each inbox. */
  reportForwarded(report: ReportRow, target: AccountRow, statuses: StatusRow[], inboxes: string[]): Promise<void>;
  /** A relay subscription: the instance actor's Follow (of Public, or of a LitePub relay's actor) to the relay's inbox. */
  relaySubscribed(relay: RelayRow): Promise<void>;
  /** The end of one: the Undo of that Follow. */
  relayUnsubscribed(relay: RelayRow): Promise<void>;
  /** A suspended local account is being purged: a Delete of the actor, to the servers that knew it. */
  accountDeleted(account: AccountRow): Promise<void>;
}

/** Sends nothing: for processes and tests that do not federate. */
export class SilentOutbox implements Outbox {
  async statusCreated(): Promise<void> {}
  async statusUpdated(): Promise<void> {}
  async statusDeleted(): Promise<void> {}
  async followRequested(): Promise<void> {}
  async followUndone(): Promise<void> {}
  async followAccepted(): Promise<void> {}
  async followRejected(): Promise<void> {}
  async favourited(): Promise<void> {}
  async blocked(): Promise<void> {}
  async pinned(): Promise<void> {}
  async profileUpdated(): Promise<void> {}
  async moved(): Promise<void> {}
  async pollVoted(): Promise<void> {}
  async pollUpdated(): Promise<void> {}
  async reportForwarded(): Promise<void> {}
  async accountDeleted(): Promise<void> {}
  async relaySubscribed(): Promise<void> {}
  async relayUnsubscribed(): Promise<void> {}
}

/** Lets the federation layer, built after the services, plug itself in. */
export class OutboxSlot implements Outbox {
  target: Outbox = new SilentOutbox();
  statusCreated(s: StatusRow) { return this.target.statusCreated(s); }
  statusUpdated(s: StatusRow) { return this.target.statusUpdated(s); }
  statusDeleted(s: StatusRow, m: string[]) { return this.target.statusDeleted(s, m); }
  followRequested(a: AccountRow, b: AccountRow, uri: string) { return this.target.followRequested(a, b, uri); }
  followUndone(a: AccountRow, b: AccountRow, uri: string | null) { return this.target.followUndone(a, b, uri); }
  followAccepted(a: AccountRow, b: AccountRow, uri: string | null) { return this.target.followAccepted(a, b, uri); }
  followRejected(a: AccountRow, b: AccountRow, uri: string | null) { return this.target.followRejected(a, b, uri); }
  favourited(a: AccountRow, s: StatusRow, uri: string, undo: boolean) { return this.target.favourited(a, s, uri, undo); }
  blocked(a: AccountRow, b: AccountRow, uri: string, undo: boolean) { return this.target.blocked(a, b, uri, undo); }
  pinned(a: AccountRow, s: StatusRow, on: boolean) { return this.target.pinned(a, s, on); }
  profileUpdated(a: AccountRow) { return this.target.profileUpdated(a); }
  moved(a: AccountRow, b: AccountRow) { return this.target.moved(a, b); }
  pollVoted(a: AccountRow, s: StatusRow, p: string, t: string[]) { return this.target.pollVoted(a, s, p, t); }
  pollUpdated(s: StatusRow, v: string[]) { return this.target.pollUpdated(s, v); }
  reportForwarded(r: ReportRow, a: AccountRow, s: StatusRow[], i: string[]) { return this.target.reportForwarded(r, a, s, i); }
  accountDeleted(a: AccountRow) { return this.target.accountDeleted(a); }
  relaySubscribed(r: RelayRow) { return this.target.relaySubscribed(r); }
  relayUnsubscribed(r: RelayRow) { return this.target.relayUnsubscribed(r); }
}
