// Follows (and follow requests for locked accounts), blocks and mutes, with their effects on
// counters, home feeds and notifications.
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { PageRequest } from "../../store/pagination.ts";
import type { NotificationService } from "../notifications/notification-service.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { forbidden, notFound, validationFailed } from "../errors.ts";

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

  constructor(stores: Stores, notifications: NotificationService) {
    this.stores = stores;
    this.notifications = notifications;
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
    } else if (target.locked) {
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
    await this.stores.relationships.remove("follow_requests", actor.id, target.id);
    await this.removeFollow(actor.id, target.id);
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
    if (removed) await this.stores.feeds.removeAuthor(followerId, targetId);
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
    return (await this.relationships(actor.id, [requesterId]))[0];
  }

  async rejectRequest(actor: AccountRow, requesterId: string): Promise<Relationship> {
    if (!(await this.stores.relationships.remove("follow_requests", requesterId, actor.id))) throw notFound("No follow request from this account");
    await this.stores.notifications.removeFrom(actor.id, requesterId, ["follow_request"]);
    return (await this.relationships(actor.id, [requesterId]))[0];
  }

  async removeFromFollowers(actor: AccountRow, followerId: string): Promise<Relationship> {
    await this.account(followerId);
    await this.removeFollow(followerId, actor.id);
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
    await this.stores.relationships.block({ id: newId(), account_id: actor.id, target_account_id: target.id, uri: null, created_at: nowIso() });
    await this.stores.notifications.removeFrom(actor.id, target.id);
    return (await this.relationships(actor.id, [target.id]))[0];
  }

  async unblock(actor: AccountRow, targetId: string): Promise<Relationship> {
    const target = await this.account(targetId);
    await this.stores.relationships.remove("blocks", actor.id, target.id);
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

  async relationships(viewerId: string, targetIds: readonly string[]): Promise<Relationship[]> {
    const ids = [...new Set(targetIds)];
    const r = this.stores.relationships;
    const [follows, followedBy, blocking, blockedBy, mutes, requested, requestedBy] = await Promise.all([
      r.followsAmong(viewerId, ids),
      r.sourcesAmong("follows", viewerId, ids),
      r.targetsAmong("blocks", viewerId, ids),
      r.sourcesAmong("blocks", viewerId, ids),
      r.mutesAmong(viewerId, ids),
      r.targetsAmong("follow_requests", viewerId, ids),
      r.sourcesAmong("follow_requests", viewerId, ids),
    ]);
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
        domain_blocking: false,
        endorsed: false,
        note: "",
      };
    });
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
