// Lists: named groups of followed accounts, each with its own timeline. Only the owner sees or
// changes a list; to anyone else it does not exist (404), as on Mastodon.
import type { Stores } from "../../store/stores.ts";
import type { ListRow } from "../../store/lists.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { RelatedAccount } from "../../store/relationships.ts";
import type { PageRequest } from "../../store/pagination.ts";
import type { ListRepliesPolicy } from "../../db/schema.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { notFound, validationFailed } from "../errors.ts";
import { listAdmission } from "../timelines/list-fan-out.ts";

export const REPLIES_POLICIES: readonly ListRepliesPolicy[] = ["followed", "list", "none"];
/** Mastodon's limit of lists per account. */
export const MAX_LISTS = 50;
const MAX_TITLE = 256;
/** How many of a new member's recent posts are copied into the list's feed. */
const BACKFILL = 40;

export interface ListInput {
  title?: string;
  repliesPolicy?: string;
  exclusive?: boolean;
}

export class ListService {
  private readonly stores: Stores;
  constructor(stores: Stores) {
    this.stores = stores;
  }

  all(ownerId: string): Promise<ListRow[]> {
    return this.stores.lists.ofOwner(ownerId);
  }

  /** The list, if `ownerId` owns it. */
  async get(ownerId: string, id: string): Promise<ListRow> {
    const list = await this.stores.lists.byId(id);
    if (!list || list.account_id !== ownerId) throw notFound();
    return list;
  }

  async create(ownerId: string, input: ListInput): Promise<ListRow> {
    const title = checkTitle(input.title);
    const policy = checkPolicy(input.repliesPolicy) ?? "list";
    if ((await this.stores.lists.countOf(ownerId)) >= MAX_LISTS) throw validationFailed(`Validation failed: You cannot have more than ${MAX_LISTS} lists`);
    const now = nowIso();
    const row: ListRow = { id: newId(), account_id: ownerId, title, replies_policy: policy, exclusive: input.exclusive ? 1 : 0, created_at: now, updated_at: now };
    await this.stores.lists.insert(row);
    return row;
  }

  async update(ownerId: string, id: string, input: ListInput): Promise<ListRow> {
    const list = await this.get(ownerId, id);
    const changes: Partial<ListRow> = { updated_at: nowIso() };
    if (input.title !== undefined) changes.title = checkTitle(input.title);
    const policy = checkPolicy(input.repliesPolicy);
    if (policy) changes.replies_policy = policy;
    if (input.exclusive !== undefined) changes.exclusive = input.exclusive ? 1 : 0;
    await this.stores.lists.update(list.id, changes);
    return { ...list, ...changes };
  }

  async delete(ownerId: string, id: string): Promise<void> {
    const list = await this.get(ownerId, id);
    await this.stores.lists.delete(list.id);
  }

  /** Members, newest first; `page` null lists all of them. */
  async members(ownerId: string, id: string, page: PageRequest | null): Promise<RelatedAccount[]> {
    const list = await this.get(ownerId, id);
    return this.stores.lists.members(list.id, page);
  }

  /**
   * Adds accounts the owner follows (others are refused, as on Mastodon) and copies their
   * recent posts into the list's feed.
   */
  async addMembers(ownerId: string, id: string, accountIds: readonly string[]): Promise<void> {
    const list = await this.get(ownerId, id);
    const ids = [...new Set(accountIds)];
    if (ids.length === 0) return;
    const accounts = await this.stores.accounts.byIds(ids);
    if (accounts.length !== ids.length || accounts.some((a) => a.suspended_at)) throw notFound();
    const followed = await this.stores.relationships.targetsAmong("follows", ownerId, ids);
    if (ids.some((aid) => !followed.has(aid))) throw validationFailed("Validation failed: You can only add accounts you follow to a list");
    const added = await this.stores.lists.addMembers(list.id, ids, newId, nowIso());
    for (const memberId of added) {
      const recent = await this.stores.lists.recentOf(memberId, ownerId, BACKFILL);
      const admits = await listAdmission(this.stores, [list], recent);
      await this.stores.lists.backfill(list.id, recent.filter((s) => admits(list, s)).map((s) => s.id));
    }
  }

  async removeMembers(ownerId: string, id: string, accountIds: readonly string[]): Promise<void> {
    const list = await this.get(ownerId, id);
    await this.stores.lists.removeMembers(list.id, accountIds);
  }

  /** The owner's lists that hold this account. */
  async containing(ownerId: string, accountId: string): Promise<ListRow[]> {
    const account = await this.stores.accounts.byId(accountId);
    if (!account || account.suspended_at) throw notFound();
    return this.stores.lists.ofOwnerContaining(ownerId, accountId);
  }

  async timeline(ownerId: string, id: string, page: PageRequest): Promise<StatusRow[]> {
    const list = await this.get(ownerId, id);
    return this.stores.lists.timeline(list.id, ownerId, page);
  }
}

function checkTitle(title: string | undefined): string {
  const value = (title ?? "").trim();
  if (value === "") throw validationFailed("Validation failed: Title can't be blank");
  if ([...value].length > MAX_TITLE) throw validationFailed(`Validation failed: Title is too long (maximum is ${MAX_TITLE} characters)`);
  return value;
}

function checkPolicy(policy: string | undefined): ListRepliesPolicy | undefined {
  if (policy === undefined || policy === "") return undefined;
  if (!REPLIES_POLICIES.includes(policy as ListRepliesPolicy)) throw validationFailed("Validation failed: Replies policy is not included in the list");
  return policy as ListRepliesPolicy;
}
