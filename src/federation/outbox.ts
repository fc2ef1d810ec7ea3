// The domain's Outbox, spoken in ActivityPub: each local action becomes an activity signed by its
// actor and queued (in the database) for exactly its audience — remote followers through their
// servers' shared inboxes, mentioned accounts, the author replied to or liked. The delivery
// engine (delivery/) sends it.
import { Accept, Add, Announce, Block, Create, Delete, Flag, Follow, Like, Move, Note, PUBLIC_COLLECTION, Reject, Remove, Tombstone, type Activity, Undo, Update } from "@fedify/vocab";
import type { Context } from "@fedify/fedify";
import { getLogger } from "@logtape/logtape";
import type { Outbox } from "../domain/outbox.ts";
import type { AccountRow } from "../store/accounts.ts";
import type { StatusRow } from "../store/statuses.ts";
import type { FederationDeps, SkeinFederation } from "./context.ts";
import { actorOf, INSTANCE_ACTOR, noteOf } from "./federation.ts";
import { INSTANCE_ACCOUNT_ID } from "./keys.ts";
import type { ReportRow } from "../store/moderation/reports.ts";
import type { RelayRow } from "../store/relays.ts";
import { addressing } from "../convert/activitypub/note.ts";
import { instant } from "../convert/activitypub/time.ts";
import { signedActivityBody } from "./delivery/activity-body.ts";
import type { Fanout } from "./delivery/fanout.ts";

const logger = getLogger(["skein", "federation", "outbox"]);

/** Where a remote account takes deliveries: its server's shared inbox if it has one. */
function inboxOf(account: AccountRow): string | null {
  return account.domain === null ? null : (account.shared_inbox_url ?? account.inbox_url);
}

/** Who an activity goes to: named accounts, perhaps every remote follower of one local account, and other inboxes (relays). */
interface Recipients {
  accounts: AccountRow[];
  followersOf?: AccountRow;
  inboxes?: string[];
}

export class FedifyOutbox implements Outbox {
  private readonly federation: SkeinFederation;
  protected readonly deps: FederationDeps;
  private readonly fanout: Fanout;

  constructor(federation: SkeinFederation, deps: FederationDeps, fanout: Fanout) {
    this.federation = federation;
    this.deps = deps;
    this.fanout = fanout;
  }

  /** Signs `activity` as the local `actor` and queues it for the recipients' servers (other outboxes send through it too). */
  async send(actor: AccountRow, recipients: Recipients | AccountRow[], activity: Activity): Promise<void> {
    if (actor.domain !== null) return;
    const { accounts, followersOf, inboxes: extra = [] } = Array.isArray(recipients) ? { accounts: recipients, followersOf: undefined, inboxes: [] } : recipients;
    const named = [...accounts.map(inboxOf).filter((inbox): inbox is string => inbox !== null), ...extra];
    try {
      const inboxes = await this.fanout.inboxesFor({ inboxes: named, followersOf: followersOf?.id });
      // No remote audience: nothing to sign.
      if (inboxes.length === 0) return;
      const ctx = this.federation.createContext(new URL(this.deps.config.origin), undefined);
      const body = await signedActivityBody(ctx, actor.username, activity);
      await this.fanout.enqueue({ accountId: actor.id, uri: activity.id?.href ?? "", body }, inboxes);
    } catch (error) {
      this.queueFailed(activity, error);
    }
  }

  /**
   * Queuing failed (the database is unwell). Sent from a request, the action stands locally: say
   * so loudly. A queued fan-out (outbox-queue.ts) throws instead, so its job is tried again.
   */
  protected queueFailed(activity: Activity, error: unknown): void {
    logger.error("Could not queue {type} {id} for delivery: {error}", { type: activity.constructor.name, id: activity.id?.href, error });
  }

  /** Mentioned accounts and, unless the status is direct, every remote follower of the author; public posts (not boosts) also go to the relays. */
  private async audience(status: StatusRow, author: AccountRow): Promise<Recipients> {
    const mentionedIds = (await this.deps.stores.statuses.mentionsOf([status.id])).get(status.id) ?? [];
    const mentioned = (await this.deps.stores.accounts.byIds(mentionedIds)).filter((a) => a.domain !== null);
    if (status.visibility === "direct") return { accounts: mentioned };
    return { accounts: mentioned, followersOf: author, inboxes: await this.relayInboxes(status) };
  }

  /** Accepted relays' inboxes, for a public post that is not a boost (Mastodon relays no boosts). */
  private async relayInboxes(status: StatusRow): Promise<string[]> {
    return status.visibility === "public" && !status.reblog_of_id ? this.deps.services.relays.acceptedInboxes() : [];
  }

  private async author(status: StatusRow): Promise<AccountRow | null> {
    const author = await this.deps.stores.accounts.byId(status.account_id);
    return author && author.domain === null ? author : null;
  }

  async statusCreated(status: StatusRow): Promise<void> {
    const author = await this.author(status);
    if (!author) return;
    if (status.reblog_of_id) {
      const target = await this.deps.stores.statuses.byId(status.reblog_of_id);
      if (!target) return;
      const original = await this.deps.stores.accounts.byId(target.account_id);
      const followers = new URL(author.followers_url ?? `${author.uri}/followers`);
      const { tos, ccs } = addressing(status.visibility, followers, original ? [new URL(original.uri)] : []);
      const announce = new Announce({ id: new URL(status.uri), actor: new URL(author.uri), object: new URL(target.uri), published: instant(status.created_at), tos, ccs });
      const audience = await this.audience(status, author);
      await this.send(author, { ...audience, accounts: original ? [...audience.accounts, original] : audience.accounts }, announce);
      return;
    }
    const note = await noteOf(this.deps, status.id);
    if (!note) return;
    const create = new Create({
      id: new URL(`${status.uri}/activity`),
      actor: new URL(author.uri),
      object: note,
      published: instant(status.created_at),
      tos: note.toIds,
      ccs: note.ccIds,
    });
    await this.send(author, await this.audience(status, author), create);
  }

  async statusUpdated(status: StatusRow): Promise<void> {
    const author = await this.author(status);
    const note = author ? await noteOf(this.deps, status.id) : null;
    if (!author || !note) return;
    const update = new Update({
      id: new URL(`${status.uri}#updates/${Date.parse(status.edited_at ?? status.updated_at)}`),
      actor: new URL(author.uri),
      object: note,
      published: instant(status.edited_at ?? status.updated_at),
      tos: note.toIds,
      ccs: note.ccIds,
    });
    await this.send(author, await this.audience(status, author), update);
  }

  /** New counts of a local poll (not an edit: no `updated` change), to its audience and its remote voters. */
  async pollUpdated(status: StatusRow, remoteVoterIds: string[]): Promise<void> {
    const author = await this.author(status);
    const question = author ? await noteOf(this.deps, status.id) : null;
    if (!author || !question) return;
    const update = new Update({ id: new URL(`${status.uri}#updates/poll/${Date.now()}`), actor: new URL(author.uri), object: question, tos: question.toIds, ccs: question.ccIds });
    const audience = await this.audience(status, author);
    const voters = (await this.deps.stores.accounts.byIds(remoteVoterIds)).filter((a) => a.domain !== null);
    await this.send(author, { ...audience, accounts: [...audience.accounts, ...voters] }, update);
  }

  async statusDeleted(status: StatusRow, mentionedIds: string[]): Promise<void> {
    const author = await this.author(status);
    if (!author) return;
    // The status is gone; its audience is whoever follows the author now, and those it mentioned.
    const mentioned = (await this.deps.stores.accounts.byIds(mentionedIds)).filter((a) => a.domain !== null);
    const audience: Recipients = status.visibility === "direct" ? { accounts: mentioned } : { accounts: mentioned, followersOf: author, inboxes: await this.relayInboxes(status) };
    if (status.reblog_of_id) {
      const target = await this.deps.stores.statuses.byId(status.reblog_of_id);
      const undo = new Undo({
        id: new URL(`${status.uri}#undo`),
        actor: new URL(author.uri),
        object: new Announce({ id: new URL(status.uri), actor: new URL(author.uri), object: target ? new URL(target.uri) : null }),
        tos: [PUBLIC_COLLECTION],
      });
      await this.send(author, audience, undo);
      return;
    }
    const del = new Delete({
      id: new URL(`${status.uri}#delete`),
      actor: new URL(author.uri),
      object: new Tombstone({ id: new URL(status.uri) }),
      tos: [PUBLIC_COLLECTION],
    });
    await this.send(author, audience, del);
  }

  async followRequested(follower: AccountRow, target: AccountRow, followUri: string): Promise<void> {
    await this.send(follower, [target], new Follow({ id: new URL(followUri), actor: new URL(follower.uri), object: new URL(target.uri) }));
  }

  async followUndone(follower: AccountRow, target: AccountRow, followUri: string | null): Promise<void> {
    const follow = new Follow({ id: followUri ? new URL(followUri) : null, actor: new URL(follower.uri), object: new URL(target.uri) });
    await this.send(follower, [target], new Undo({ id: new URL(`${follower.uri}#follows/${target.id}/undo/${Date.now()}`), actor: new URL(follower.uri), object: follow }));
  }

  async followAccepted(target: AccountRow, follower: AccountRow, followUri: string | null): Promise<void> {
    const follow = new Follow({ id: followUri ? new URL(followUri) : null, actor: new URL(follower.uri), object: new URL(target.uri) });
    await this.send(target, [follower], new Accept({ id: new URL(`${target.uri}#accepts/follows/${follower.id}/${Date.now()}`), actor: new URL(target.uri), object: follow }));
  }

  async followRejected(target: AccountRow, follower: AccountRow, followUri: string | null): Promise<void> {
    const follow = new Follow({ id: followUri ? new URL(followUri) : null, actor: new URL(follower.uri), object: new URL(target.uri) });
    await this.send(target, [follower], new Reject({ id: new URL(`${target.uri}#rejects/follows/${follower.id}/${Date.now()}`), actor: new URL(target.uri), object: follow }));
  }

  async favourited(actor: AccountRow, status: StatusRow, likeUri: string, undo: boolean): Promise<void> {
    const author = await this.deps.stores.accounts.byId(status.account_id);
    if (!author || author.domain === null) return;
    const like = new Like({ id: new URL(likeUri), actor: new URL(actor.uri), object: new URL(status.uri) });
    await this.send(actor, [author], undo ? new Undo({ id: new URL(`${likeUri}/undo/${Date.now()}`), actor: new URL(actor.uri), object: like }) : like);
  }

  async blocked(actor: AccountRow, target: AccountRow, blockUri: string, undo: boolean): Promise<void> {
    const block = new Block({ id: new URL(blockUri), actor: new URL(actor.uri), object: new URL(target.uri) });
    await this.send(actor, [target], undo ? new Undo({ id: new URL(`${blockUri}/undo`), actor: new URL(actor.uri), object: block }) : block);
  }

  async pinned(author: AccountRow, status: StatusRow, on: boolean): Promise<void> {
    if (status.visibility !== "public" && status.visibility !== "unlisted") return;
    const fields = { id: new URL(`${author.uri}#${on ? "pins" : "unpins"}/${status.id}/${Date.now()}`), actor: new URL(author.uri), object: new URL(status.uri), target: new URL(`${author.uri}/collections/featured`), tos: [PUBLIC_COLLECTION] };
    await this.send(author, { accounts: [], followersOf: author }, on ? new Add(fields) : new Remove(fields));
  }

  async pollVoted(voter: AccountRow, status: StatusRow, pollId: string, titles: string[]): Promise<void> {
    const author = await this.deps.stores.accounts.byId(status.account_id);
    if (!author || author.domain === null) return;
    for (const [i, title] of titles.entries()) {
      // Votes are Notes naming the option, in reply to the poll, addressed to its author only.
      const vote = new Note({ id: new URL(`${voter.uri}#votes/${pollId}/${i}`), attribution: new URL(voter.uri), name: title, replyTarget: new URL(status.uri), tos: [new URL(author.uri)] });
      await this.send(voter, [author], new Create({ id: new URL(`${voter.uri}#votes/${pollId}/${i}/activity`), actor: new URL(voter.uri), object: vote, tos: [new URL(author.uri)] }));
    }
  }

  async moved(account: AccountRow, target: AccountRow): Promise<void> {
    const move = new Move({ id: new URL(`${account.uri}#moves/${Date.now()}`), actor: new URL(account.uri), object: new URL(account.uri), target: new URL(target.uri), tos: [new URL(account.followers_url ?? `${account.uri}/followers`)] });
    await this.send(account, { accounts: [], followersOf: account }, move);
  }

  async profileUpdated(account: AccountRow): Promise<void> {
    if (account.domain !== null) return;
    const ctx = this.federation.createContext(new URL(this.deps.config.origin), undefined);
    const actor = await actorOf(ctx, account, this.deps);
    await this.send(account, { accounts: [], followersOf: account }, new Update({ id: new URL(`${account.uri}#updates/${Date.now()}`), actor: new URL(account.uri), object: actor, tos: [PUBLIC_COLLECTION] }));
  }

  /**
   * Mastodon's Delete of an actor (id `…#delete`, public, LD-signed so that servers that cached
   * the key can check it although the actor now answers 410): to the inboxes of its remote
   * followers and of the remote accounts it follows — the servers that knew it.
   */
  async accountDeleted(account: AccountRow): Promise<void> {
    if (account.domain !== null) return;
    const followed: AccountRow[] = [];
    let maxId: string | null = null;
    // Bounded: inboxes are per server, and a few thousand followed accounts name far fewer servers.
    for (let page = 0; page < 50; page++) {
      const rows = await this.deps.stores.relationships.listAccounts("follows", "targets_of", account.id, { maxId, limit: 200 });
      followed.push(...rows.map((r) => r.account).filter((a) => a.domain !== null));
      if (rows.length < 200) break;
      maxId = rows[rows.length - 1].relationId;
    }
    const del = new Delete({ id: new URL(`${account.uri}#delete`), actor: new URL(account.uri), object: new URL(account.uri), tos: [PUBLIC_COLLECTION] });
    await this.send(account, { accounts: followed, followersOf: account }, del);
  }

  /**
   * A report forwarded to the reported account's server (and those of accounts it replied to):
   * a Flag naming the account and the reported posts, with the reporter's comment, sent by the
   * instance actor so that the reporter stays anonymous — as Mastodon does. Queued like any
   * delivery, so it is retried and survives restarts.
   */
  async reportForwarded(report: ReportRow, target: AccountRow, statuses: StatusRow[], inboxes: string[]): Promise<void> {
    const ctx = this.federation.createContext(new URL(this.deps.config.origin), undefined);
    const flag = new Flag({
      id: report.uri ? new URL(report.uri) : null,
      actor: ctx.getActorUri(INSTANCE_ACTOR),
      objects: [new URL(target.uri), ...statuses.map((s) => new URL(s.uri))],
      content: report.comment,
    });
    try {
      const recipients = await this.fanout.inboxesFor({ inboxes });
      if (recipients.length === 0) return;
      const body = await signedActivityBody(ctx, INSTANCE_ACTOR, flag);
      await this.fanout.enqueue({ accountId: INSTANCE_ACCOUNT_ID, uri: flag.id?.href ?? "", body }, recipients);
    } catch (error) {
      logger.error("Could not queue the Flag of report {id}: {error}", { id: report.id, error });
    }
  }

  async relaySubscribed(relay: RelayRow): Promise<void> {
    const ctx = this.federation.createContext(new URL(this.deps.config.origin), undefined);
    await this.sendAsInstance(ctx, relay.inbox_url, this.relayFollow(ctx, relay));
  }

  async relayUnsubscribed(relay: RelayRow): Promise<void> {
    const ctx = this.federation.createContext(new URL(this.deps.config.origin), undefined);
    const follow = this.relayFollow(ctx, relay);
    await this.sendAsInstance(ctx, relay.inbox_url, new Undo({ id: new URL(`${relay.follow_uri.replace(/#.*$/, "")}#undo/${Date.now()}`), actor: ctx.getActorUri(INSTANCE_ACTOR), object: follow }));
  }

  /** Mastodon relays are followed through the Public collection; LitePub relays through their actor. */
  private relayFollow(ctx: Context<void>, relay: RelayRow): Follow {
    const object = relay.protocol === "litepub" && relay.actor_uri ? new URL(relay.actor_uri) : PUBLIC_COLLECTION;
    return new Follow({ id: new URL(relay.follow_uri), actor: ctx.getActorUri(INSTANCE_ACTOR), object });
  }

  private async sendAsInstance(ctx: Context<void>, inbox: string, activity: Activity): Promise<void> {
    const recipients = await this.fanout.inboxesFor({ inboxes: [inbox] });
    if (recipients.length === 0) return;
    const body = await signedActivityBody(ctx, INSTANCE_ACTOR, activity);
    await this.fanout.enqueue({ accountId: INSTANCE_ACCOUNT_ID, uri: activity.id?.href ?? "", body }, recipients);
  }
}
