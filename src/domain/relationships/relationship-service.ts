// Follows (and follow requests for locked accounts), blocks and mutes, with their effects on
// counters, home feeds and notifications.
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { PageRequest } from "../../store/pagination.ts";
import type { NotificationService } from "../notifications/notification-service.ts";
import type { Outbox } from "../outbox.ts";
import type { Config } from "../../config/config.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { forbidden, notFound, validationFailed } from "../errors.ts";
import type { LimitCheck } from "../moderation/limited-accounts.ts";

/** How many of a newly followed account's posts are copied into the follower's home feed. */
const BACKFILL = 40;

export interface Relationship {
  id: string;
  following: boolean;
  showing_reblogs: boolean;
  notifying: boolean;
  followed_by: boolean;
  blocking: boolean;
  blocked_by: boolean;
  muting: boolean;
  muting_notifications: boolean;
  muting_expires_at: string | null;
  requested: boolean;
  requested_by: boolean;
  domain_blocking: boolean;
  endorsed: boolean;
  note: string;
}

export class RelationshipService {
  private readonly stores: Stores;
  private readonly notifications: NotificationService;

  private readonly outbox: Outbox;
  private readonly config: Config;

  private readonly limits: Pick<LimitCheck, "isLimited"> | null;

  constructor(stores: Stores, notifications: NotificationService, outbox: Outbox, config: Config, limits: Pick<LimitCheck, "isLimited"> | null = null) {
    this.stores = stores;
    this.notifications = notifications;
    this.outbox = outbox;
    this.config = config;
    this.limits = limits;
  }

  /**
   * A follow of local `target` waits for approval: the account is locked, or the follower is
   * limited by moderators (Mastodon's rule) — unless `target` already follows the follower.
   */
  private async needsApproval(follower: AccountRow, target: AccountRow): Promise<boolean> {
    if (target.locked) return true;
    if (!this.limits || !(await this.limits.isLimited(follower))) return false;
    return !(await this.stores.relationships.find("follows", target.id, follower.id));
  }

  /** The id of a local account's Follow (or Block) activity: names the relation on the wire. */
  private activityUri(kind: "follows" | "blocks", id: string): string {
    return `${this.config.origin}/${kind}/${id}`;
  }

  async account(id: string): Promise<AccountRow> {
    const account = await this.stores.accounts.byId(id);
    if (!account || account.suspended_at) throw notFound();
    return account;
  }

  async follow(actor: AccountRow, targetId: string, options: { reblogs?: boolean; notify?: boolean } = {}): Promise<Relationship> {
    const target = await this.account(targetId);
    if (target.id === actor.id) throw forbidden("You cannot follow yourself");
    const r = this.stores.relationships;
    if ((await r.find("blocks", actor.id, target.id)) || (await r.find("blocks", target.id, actor.id))) throw forbidden();
    // A server one blocked (one's own domain block) is not followed; unblock it first, as on Mastodon.
    if (target.domain !== null && (await this.stores.accountDomainBlocks.blockedAmong(actor.id, [target.domain])).size) throw forbidden();
    const existing = (await r.find("follows", actor.id, target.id)) as { show_reblogs: number; notify: number } | undefined;
    const pending = existing ? undefined : ((await r.find("follow_requests", actor.id, target.id)) as { show_reblogs: number; notify: number } | undefined);
    const previous = existing ?? pending;
    const row = {
      id: newId(),
      account_id: actor.id,
      target_account_id: target.id,
      uri: null,
      created_at: nowIso(),
      show_reblogs: (options.reblogs ?? (previous ? previous.show_reblogs === 1 : true)) ? (1 as const) : (0 as const),
      notify: (options.notify ?? (previous ? previous.notify === 1 : false)) ? (1 as const) : (0 as const),
    };
    if (existing) {
      await r.follow(row); // only updates the options
    } else if (target.domain !== null) {
      // A remote account answers with Accept (or Reject); until then the follow is a request.
      if (!pending) {
        const uri = this.activityUri("follows", row.id);
        await r.request({ ...row, uri });
        await this.outbox.followRequested(actor, target, uri);
      } else {
        await r.request({ ...row, uri: (pending as { uri?: string | null }).uri ?? null });
      }
    } else if (await this.needsApproval(actor, target)) {
      await r.request(row);
      if (!pending) await this.notifications.notify(target.id, actor.id, "follow_request");
    } else {
      await this.createFollow(actor.id, target.id, row);
    }
    return (await this.relationships(actor.id, [target.id]))[0];
  }

  private async createFollow(followerId: string, targetId: string, row: Parameters<Stores["relationships"]["follow"]>[0]): Promise<void> {
    await this.stores.transaction(async (tx) => {
      await tx.relationships.follow(row);
      await tx.relationships.remove("follow_requests", followerId, targetId);
      await tx.accounts.bumpCounter(followerId, "following_count", 1);
      await tx.accounts.bumpCounter(targetId, "followers_count", 1);
    });
    const follower = await this.stores.accounts.byId(followerId);
    if (follower?.domain === null) {
      await this.stores.feeds.backfill(followerId, await this.stores.statuses.recentReadable(targetId, followerId, BACKFILL));
    }
    await this.notifications.notify(targetId, followerId, "follow");
  }

  async unfollow(actor: AccountRow, targetId: string): Promise<Relationship> {
    const target = await this.account(targetId);
    const r = this.stores.relationships;
    const relation = ((await r.find("follows", actor.id, target.id)) ?? (await r.find("follow_requests", actor.id, target.id))) as { uri: string | null } | undefined;
    await r.remove("follow_requests", actor.id, target.id);
    await this.removeFollow(actor.id, target.id);
    if (relation && target.domain !== null) await this.outbox.followUndone(actor, target, relation.uri);
    return (await this.relationships(actor.id, [target.id]))[0];
  }

  private async removeFollow(followerId: string, targetId: string): Promise<void> {
    const removed = await this.stores.transaction(async (tx) => {
      const gone = await tx.relationships.remove("follows", followerId, targetId);
      if (gone) {
        await tx.accounts.bumpCounter(followerId, "following_count", -1);
        await tx.accounts.bumpCounter(targetId, "followers_count", -1);
      }
      return gone;
    });
    if (removed) {
      await this.stores.feeds.removeAuthor(followerId, targetId);
      // Lists hold only accounts one follows (as on Mastodon), and so do endorsements.
      await this.stores.lists.removeFromListsOf(followerId, targetId);
      await this.stores.endorsements.remove(followerId, targetId);
    }
  }

  async authorizeRequest(actor: AccountRow, requesterId: string): Promise<Relationship> {
    const request = (await this.stores.relationships.find("follow_requests", requesterId, actor.id)) as
      | { show_reblogs: 0 | 1; notify: 0 | 1; uri: string | null }
      | undefined;
    if (!request) throw notFound("No follow request from this account");
    await this.createFollow(requesterId, actor.id, {
      id: newId(), account_id: requesterId, target_account_id: actor.id, uri: request.uri, created_at: nowIso(), show_reblogs: request.show_reblogs, notify: request.notify,
    });
    await this.stores.notifications.removeFrom(actor.id, requesterId, ["follow_request"]);
    const requester = await this.stores.accounts.byId(requesterId);
    if (requester && requester.domain !== null) await this.outbox.followAccepted(actor, requester, request.uri);
    return (await this.relationships(actor.id, [requesterId]))[0];
  }

  async rejectRequest(actor: AccountRow, requesterId: string): Promise<Relationship> {
    const request = (await this.stores.relationships.find("follow_requests", requesterId, actor.id)) as { uri: string | null } | undefined;
    if (!request || !(await this.stores.relationships.remove("follow_requests", requesterId, actor.id))) throw notFound("No follow request from this account");
    await this.stores.notifications.removeFrom(actor.id, requesterId, ["follow_request"]);
    const requester = await this.stores.accounts.byId(requesterId);
    if (requester && requester.domain !== null) await this.outbox.followRejected(actor, requester, request.uri);
    return (await this.relationships(actor.id, [requesterId]))[0];
  }

  async removeFromFollowers(actor: AccountRow, followerId: string): Promise<Relationship> {
    const follower = await this.account(followerId);
    const follow = (await this.stores.relationships.find("follows", followerId, actor.id)) as { uri: string | null } | undefined;
    await this.removeFollow(followerId, actor.id);
    if (follow && follower.domain !== null) await this.outbox.followRejected(actor, follower, follow.uri);
    return (await this.relationships(actor.id, [followerId]))[0];
  }

  /** Blocking ends follows both ways, and hides each from the other everywhere. */
  async block(actor: AccountRow, targetId: string): Promise<Relationship> {
    const target = await this.account(targetId);
    if (target.id === actor.id) throw forbidden("You cannot block yourself");
    await this.removeFollow(actor.id, target.id);
    await this.removeFollow(target.id, actor.id);
    await this.stores.relationships.remove("follow_requests", actor.id, target.id);
    await this.stores.relationships.remove("follow_requests", target.id, actor.id);
    const blockId = newId();
    const uri = this.activityUri("blocks", blockId);
    await this.stores.relationships.block({ id: blockId, account_id: actor.id, target_account_id: target.id, uri, created_at: nowIso() });
    await this.stores.notifications.removeFrom(actor.id, target.id);
    if (target.domain !== null) await this.outbox.blocked(actor, target, uri, false);
    return (await this.relationships(actor.id, [target.id]))[0];
  }

  async unblock(actor: AccountRow, targetId: string): Promise<Relationship> {
    const target = await this.account(targetId);
    const block = (await this.stores.relationships.find("blocks", actor.id, target.id)) as { uri: string | null } | undefined;
    await this.stores.relationships.remove("blocks", actor.id, target.id);
    if (block && target.domain !== null) await this.outbox.blocked(actor, target, block.uri ?? this.activityUri("blocks", newId()), true);
    return (await this.relationships(actor.id, [target.id]))[0];
  }

  /** `durationSeconds` 0 or absent: until unmuted. */
  async mute(actor: AccountRow, targetId: string, options: { notifications?: boolean; durationSeconds?: number }): Promise<Relationship> {
    const target = await this.account(targetId);
    if (target.id === actor.id) throw forbidden("You cannot mute yourself");
    const duration = options.durationSeconds ?? 0;
    if (!Number.isInteger(duration) || duration < 0 || duration > 10 * 365 * 86400) throw validationFailed("Validation failed: duration must be a number of seconds");
    await this.stores.relationships.mute({
      id: newId(), account_id: actor.id, target_account_id: target.id, uri: null, created_at: nowIso(),
      hide_notifications: options.notifications === false ? 0 : 1,
      expires_at: duration > 0 ? new Date(Date.now() + duration * 1000).toISOString() : null,
    });
    return (await this.relationships(actor.id, [target.id]))[0];
  }

  async unmute(actor: AccountRow, targetId: string): Promise<Relationship> {
    const target = await this.account(targetId);
    await this.stores.relationships.remove("mutes", actor.id, target.id);
    return (await this.relationships(actor.id, [target.id]))[0];
  }

  // --- what remote accounts do (called by the federation inbox) -----------------------------

  /** A remote Follow of a local account: accepted at once unless the account is locked. */
  async receiveFollow(follower: AccountRow, target: AccountRow, uri: string | null): Promise<"accepted" | "pending" | "rejected"> {
    const r = this.stores.relationships;
    const domainBlocked = follower.domain !== null && (await this.stores.accountDomainBlocks.blockedAmong(target.id, [follower.domain])).size > 0;
    if (domainBlocked || (await r.find("blocks", target.id, follower.id))) {
      await this.outbox.followRejected(target, follower, uri);
      return "rejected";
    }
    const row = { id: newId(), account_id: follower.id, target_account_id: target.id, uri, created_at: nowIso(), show_reblogs: 1 as const, notify: 0 as const };
    if (await r.find("follows", follower.id, target.id)) {
      // Already following (a repeated Follow, e.g. after their server lost state): confirm again.
      await this.outbox.followAccepted(target, follower, uri);
      return "accepted";
    }
    if (await this.needsApproval(follower, target)) {
      const pending = await r.find("follow_requests", follower.id, target.id);
      await r.request(row);
      if (!pending) await this.notifications.notify(target.id, follower.id, "follow_request");
      return "pending";
    }
    await this.createFollow(follower.id, target.id, row);
    await this.outbox.followAccepted(target, follower, uri);
    return "accepted";
  }

  /** The remote account accepted a local account's follow request. */
  async receiveAccept(follower: AccountRow, target: AccountRow): Promise<void> {
    const request = (await this.stores.relationships.find("follow_requests", follower.id, target.id)) as
      | { id: string; uri: string | null; show_reblogs: 0 | 1; notify: 0 | 1 }
      | undefined;
    if (!request) return;
    await this.createFollow(follower.id, target.id, { ...request, account_id: follower.id, target_account_id: target.id, created_at: nowIso() });
  }

  /** A Reject, or an Undo of their Follow: whatever relation existed from follower to target ends. */
  async receiveFollowEnded(follower: AccountRow, target: AccountRow): Promise<void> {
    await this.stores.relationships.remove("follow_requests", follower.id, target.id);
    await this.removeFollow(follower.id, target.id);
    await this.stores.notifications.removeFrom(target.id, follower.id, ["follow_request"]);
  }

  async receiveBlock(actor: AccountRow, target: AccountRow, uri: string | null, undo: boolean): Promise<void> {
    if (undo) {
      await this.stores.relationships.remove("blocks", actor.id, target.id);
      return;
    }
    await this.removeFollow(actor.id, target.id);
    await this.removeFollow(target.id, actor.id);
    await this.stores.relationships.remove("follow_requests", actor.id, target.id);
    await this.stores.relationships.remove("follow_requests", target.id, actor.id);
    await this.stores.relationships.block({ id: newId(), account_id: actor.id, target_account_id: target.id, uri, created_at: nowIso() });
  }

  async relationships(viewerId: string, targetIds: readonly string[]): Promise<Relationship[]> {
    const ids = [...new Set(targetIds)];
    const r = this.stores.relationships;
    const [follows, followedBy, blocking, blockedBy, mutes, requested, requestedBy, domainBlocked] = await Promise.all([
      r.followsAmong(viewerId, ids),
      r.sourcesAmong("follows", viewerId, ids),
      r.targetsAmong("blocks", viewerId, ids),
      r.sourcesAmong("blocks", viewerId, ids),
      r.mutesAmong(viewerId, ids),
      r.targetsAmong("follow_requests", viewerId, ids),
      r.sourcesAmong("follow_requests", viewerId, ids),
      this.domainBlockedAmong(viewerId, ids),
    ]);
    // The viewer's own endorsements and private notes (domain/accounts/endorsements.ts, account-notes.ts): nobody else's.
    const [endorsed, notes] = await Promise.all([this.stores.endorsements.amongTargets(viewerId, ids), this.stores.accountNotes.amongTargets(viewerId, ids)]);
    const followById = new Map(follows.map((f) => [f.target_account_id, f]));
    const now = nowIso();
    const muteById = new Map(mutes.filter((m) => !m.expires_at || m.expires_at > now).map((m) => [m.target_account_id, m]));
    return ids.map((id) => {
      const follow = followById.get(id);
      const mute = muteById.get(id);
      return {
        id,
        following: follow !== undefined,
        showing_reblogs: follow ? follow.show_reblogs === 1 : requested.has(id),
        notifying: follow ? follow.notify === 1 : false,
        followed_by: followedBy.has(id),
        blocking: blocking.has(id),
        blocked_by: blockedBy.has(id),
        muting: mute !== undefined,
        muting_notifications: mute ? mute.hide_notifications === 1 : false,
        muting_expires_at: mute?.expires_at ?? null,
        requested: requested.has(id),
        requested_by: requestedBy.has(id),
        domain_blocking: domainBlocked.has(id),
        endorsed: endorsed.has(id),
        note: notes.get(id) ?? "",
      };
    });
  }

  /** Of `ids`, the accounts on a domain the viewer blocked (domain/moderation/user-domain-blocks.ts). */
  private async domainBlockedAmong(viewerId: string, ids: readonly string[]): Promise<Set<string>> {
    const remote = (await this.stores.accounts.byIds(ids)).filter((a) => a.domain !== null);
    if (remote.length === 0) return new Set();
    const blocked = await this.stores.accountDomainBlocks.blockedAmong(viewerId, remote.map((a) => a.domain!));
    return new Set(remote.filter((a) => blocked.has(a.domain!)).map((a) => a.id));
  }

  /** Followers or followings of an account, newest first. Hidden from nobody yet (hide_collections is off). */
  async list(kind: "followers" | "following", accountId: string, page: PageRequest) {
    await this.account(accountId);
    return this.stores.relationships.listAccounts("follows", kind === "followers" ? "sources_of" : "targets_of", accountId, page);
  }

  /** The viewer's own blocks, mutes or pending follow requests. */
  async own(kind: "blocks" | "mutes" | "follow_requests", viewerId: string, page: PageRequest) {
    return this.stores.relationships.listAccounts(kind, kind === "follow_requests" ? "sources_of" : "targets_of", viewerId, page);
  }
}
