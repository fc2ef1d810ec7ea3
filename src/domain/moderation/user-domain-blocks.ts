// A user's own domain blocks (Mastodon's /api/v1/domain_blocks): one person, not the server,
// stops hearing from a whole server. Blocking a domain
//   - hides its accounts' posts (and boosts of them) from the user's home, list, public and
//     hashtag timelines and conversations, and its notifications (store/visibility-sql.ts,
//     notDomainBlockedBy and accountNotDomainBlockedBy — checked when reading, so unblocking
//     brings everything back);
//   - ends the user's follows of that domain's accounts (with an Undo Follow) and their follows
//     of the user (with a Reject, as Mastodon does), and pending requests both ways;
//   - deletes the notifications that domain already sent, and stops new ones (NotificationService);
//   - records what it cut as a `user_domain_block` severance event and tells the user with a
//     `severed_relationships` notification (Mastodon 4.3), so the lists can be exported.
// `domain_blocking` in relationships reads the same rows.
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { AccountDomainBlockRow } from "../../store/moderation/account-domain-blocks.ts";
import type { SeveredRelationshipRow } from "../../store/moderation/severed-relationships.ts";
import type { NotificationRow } from "../../store/notifications.ts";
import type { EventBus } from "../events.ts";
import type { PageRequest } from "../../store/pagination.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { validationFailed } from "../errors.ts";
import { normalizeDomain } from "./domain-names.ts";

/** A person blocking more servers than this is better served by their server's moderators. */
export const MAX_USER_DOMAIN_BLOCKS = 10_000;
const BATCH = 200;

/** What ending follows needs from the relationship rules (RelationshipService): each federates. */
export interface FollowSevering {
  unfollow(actor: AccountRow, targetId: string): Promise<unknown>;
  removeFromFollowers(actor: AccountRow, followerId: string): Promise<unknown>;
}

export class UserDomainBlockService {
  private readonly stores: Stores;
  private readonly localDomain: string;
  private readonly relationships: () => FollowSevering;
  private readonly events: EventBus | null;

  constructor(stores: Stores, localDomain: string, relationships: () => FollowSevering, events: EventBus | null = null) {
    this.stores = stores;
    this.localDomain = localDomain.toLowerCase().replace(/:\d+$/, "");
    this.relationships = relationships;
    this.events = events;
  }

  /** The domain as typed, normalised (lower case, punycode); a validation error if it is not one. */
  private domainOf(input: unknown): string {
    if (typeof input !== "string" || input.trim() === "") throw validationFailed("Validation failed: Domain can't be blank");
    if (input.length > 300) throw validationFailed("Validation failed: Domain is not a valid domain name");
    let domain: string;
    try {
      domain = normalizeDomain(input);
    } catch {
      throw validationFailed("Validation failed: Domain is not a valid domain name");
    }
    return domain;
  }

  async block(actor: AccountRow, input: unknown): Promise<void> {
    const domain = this.domainOf(input);
    if (domain === this.localDomain) throw validationFailed("Validation failed: Domain cannot be your own server");
    if ((await this.stores.accountDomainBlocks.count(actor.id)) >= MAX_USER_DOMAIN_BLOCKS) {
      throw validationFailed(`Validation failed: at most ${MAX_USER_DOMAIN_BLOCKS} domains can be blocked`);
    }
    const created = await this.stores.accountDomainBlocks.insert({ id: newId(), account_id: actor.id, domain, created_at: nowIso() });
    if (!created) return;
    await this.sever(actor, domain);
  }

  /** Unblocking restores what reading hid; ended follows stay ended (as on Mastodon). */
  async unblock(actor: AccountRow, input: unknown): Promise<void> {
    await this.stores.accountDomainBlocks.delete(actor.id, this.domainOf(input));
  }

  /** The user's blocks, newest first (the cursor is the block's id). */
  list(accountId: string, page: PageRequest): Promise<AccountDomainBlockRow[]> {
    return this.stores.accountDomainBlocks.page(accountId, page);
  }

  /** Of these domains, those the user blocked (for relationships' `domain_blocking`). */
  blockedAmong(accountId: string, domains: readonly (string | null)[]): Promise<Set<string>> {
    return this.stores.accountDomainBlocks.blockedAmong(accountId, domains.filter((d): d is string => d !== null));
  }

  private async sever(actor: AccountRow, domain: string): Promise<void> {
    const blocks = this.stores.accountDomainBlocks;
    const relationships = this.relationships();
    await blocks.removeRequestsWithDomain(actor.id, domain);
    const now = nowIso();
    const eventId = newId();
    const severed: SeveredRelationshipRow[] = [];
    for (const side of ["following", "followers"] as const) {
      const failed = new Set<string>();
      for (;;) {
        const follows = (await blocks.followsWithDomain(actor.id, domain, side, BATCH + failed.size)).filter((f) => !failed.has(`${f.account_id}:${f.target_account_id}`));
        if (follows.length === 0) break;
        for (const follow of follows) {
          try {
            if (side === "following") await relationships.unfollow(actor, follow.target_account_id);
            else await relationships.removeFromFollowers(actor, follow.account_id);
            severed.push({
              id: newId(), relationship_severance_event_id: eventId, local_account_id: actor.id, remote_account_acct: `${follow.username}@${domain}`,
              direction: side === "following" ? "active" : "passive", show_reblogs: follow.show_reblogs, notify: follow.notify, created_at: now,
            });
          } catch {
            // A suspended account's follow is not ours to end here; leave it and go on.
            failed.add(`${follow.account_id}:${follow.target_account_id}`);
          }
        }
      }
    }
    await blocks.removeNotificationsFrom(actor.id, domain);
    if (severed.length > 0) await this.recordSeverance(actor, domain, eventId, now, severed);
  }

  /** What the block cut, for the user to see and export, and the notification that says so. */
  private async recordSeverance(actor: AccountRow, domain: string, eventId: string, now: string, severed: SeveredRelationshipRow[]): Promise<void> {
    const id = newId();
    // Mastodon names the user as the notification's account: nobody else acted.
    const notification: NotificationRow = {
      id, account_id: actor.id, from_account_id: actor.id, type: "severed_relationships", status_id: null, group_key: `ungrouped-${id}`,
      created_at: now, report_id: null, relationship_severance_event_id: eventId, account_warning_id: null,
    };
    await this.stores.transaction(async (tx) => {
      await tx.severedRelationships.insertEvent({ id: eventId, type: "user_domain_block", target_name: domain, purged: 0, created_at: now });
      await tx.severedRelationships.insertRelationships(severed);
      await tx.notifications.insert(notification);
    });
    this.events?.publish({ type: "notification.created", notification });
  }
}
