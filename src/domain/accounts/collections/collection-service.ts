// Collections (Mastodon 4.6, FEP-7aa9): named lists of up to 25 accounts a user recommends.
// An account is put in someone's collection only if it opted in to being featured — for a local
// account, its `discoverable` flag, as Mastodon decides it — and either side blocking the other
// refuses it. The featured account may take itself out (revoke). Remote accounts would need a
// FEP-7aa9 FeatureRequest answered by their server, which Skein does not send yet: they are refused.
import type { Stores } from "../../../store/stores.ts";
import type { AccountRow } from "../../../store/accounts.ts";
import type { CollectionItemRow, CollectionRow } from "../../../store/collections.ts";
import type { TagRow } from "../../../store/statuses.ts";
import type { CollectionItemState } from "../../../db/schema.ts";
import { newId } from "../../../util/ids.ts";
import { nowIso } from "../../../util/time.ts";
import { DomainError, forbidden, notFound } from "../../errors.ts";
import { isTagName } from "../../tags/tag-service.ts";

export const COLLECTION_MAX_ITEMS = 25;
/** Collections per account (Mastodon's default role limit). */
export const COLLECTIONS_PER_ACCOUNT = 10;
const NAME_MAX = 40;
const DESCRIPTION_MAX = 100;

/** A refused field, reported the way Mastodon's collection endpoints do (error + details per field). */
export class CollectionFieldError extends DomainError {
  readonly field: string;
  readonly code: string;
  constructor(field: string, code: string, message: string) {
    super("validation", message);
    this.field = field;
    this.code = code;
  }
}

export interface CollectionView {
  collection: CollectionRow;
  owner: AccountRow;
  tag: TagRow | null;
  /** What the viewer may see: the owner sees pending items too, others accepted ones only. */
  items: CollectionItemRow[];
  /** Accepted items, whatever the viewer sees. */
  itemCount: number;
}

export interface CollectionInput {
  name?: string;
  description?: string;
  language?: string | null;
  sensitive?: boolean;
  discoverable?: boolean;
  tagName?: string | null;
}

export class CollectionService {
  private readonly stores: Stores;
  constructor(stores: Stores) {
    this.stores = stores;
  }

  async create(owner: AccountRow, input: CollectionInput, accountIds: readonly string[]): Promise<CollectionView> {
    if (input.name === undefined || input.name.trim() === "") throw new CollectionFieldError("name", "ERR_BLANK", "Validation failed: Name can't be blank");
    if (accountIds.length > COLLECTION_MAX_ITEMS) throw new CollectionFieldError("collection_items", "ERR_TOO_MANY", `Validation failed: a collection holds at most ${COLLECTION_MAX_ITEMS} accounts`);
    const fields = await this.checked(input);
    const targets = await this.featurable(owner, [...new Set(accountIds)]);
    if ((await this.stores.collections.countOf(owner.id)) >= COLLECTIONS_PER_ACCOUNT) {
      throw new CollectionFieldError("base", "ERR_TOO_MANY", `Validation failed: at most ${COLLECTIONS_PER_ACCOUNT} collections per account`);
    }
    const now = nowIso();
    const row: CollectionRow = {
      id: newId(),
      account_id: owner.id,
      name: fields.name!,
      description: fields.description ?? "",
      language: fields.language ?? null,
      sensitive: fields.sensitive ? 1 : 0,
      discoverable: fields.discoverable === false ? 0 : 1,
      tag_id: fields.tagId ?? null,
      created_at: now,
      updated_at: now,
    };
    await this.stores.transaction(async (tx) => {
      await tx.collections.insert(row);
      for (const target of targets) await tx.collections.insertItem({ id: newId(), collection_id: row.id, account_id: target.id, state: "accepted", created_at: now });
    });
    return this.view(row.id, owner.id);
  }

  async update(owner: AccountRow, id: string, input: CollectionInput): Promise<CollectionView> {
    const collection = await this.owned(owner, id);
    if (input.name !== undefined && input.name.trim() === "") throw new CollectionFieldError("name", "ERR_BLANK", "Validation failed: Name can't be blank");
    const fields = await this.checked(input);
    await this.stores.collections.update(collection.id, {
      ...(fields.name !== undefined ? { name: fields.name } : {}),
      ...(fields.description !== undefined ? { description: fields.description } : {}),
      ...(fields.language !== undefined ? { language: fields.language } : {}),
      ...(fields.sensitive !== undefined ? { sensitive: fields.sensitive ? 1 : 0 } : {}),
      ...(fields.discoverable !== undefined ? { discoverable: fields.discoverable ? 1 : 0 } : {}),
      ...(fields.tagId !== undefined ? { tag_id: fields.tagId } : {}),
      updated_at: nowIso(),
    });
    return this.view(collection.id, owner.id);
  }

  async delete(owner: AccountRow, id: string): Promise<void> {
    const collection = await this.owned(owner, id);
    await this.stores.collections.delete(collection.id);
  }

  async addItem(owner: AccountRow, id: string, accountId: string): Promise<CollectionItemRow> {
    const collection = await this.owned(owner, id);
    const [target] = await this.featurable(owner, [accountId]);
    return this.stores.transaction(async (tx) => {
      const existing = await tx.collections.itemFor(collection.id, target.id);
      if (existing && existing.state !== "revoked" && existing.state !== "rejected") {
        throw new CollectionFieldError("account_id", "ERR_TAKEN", "Validation failed: Account is already in this collection");
      }
      const live = await tx.collections.items([collection.id], ["accepted", "pending"]);
      if (live.length >= COLLECTION_MAX_ITEMS) throw new CollectionFieldError("collection_items", "ERR_TOO_MANY", `Validation failed: a collection holds at most ${COLLECTION_MAX_ITEMS} accounts`);
      const now = nowIso();
      // A revoked item stays revoked: the featured account said no, only they can feature themselves again.
      if (existing?.state === "revoked" && existing.account_id !== owner.id) throw forbidden("This account removed itself from this collection");
      if (existing) await tx.collections.deleteItem(existing.id);
      const item: CollectionItemRow = { id: newId(), collection_id: collection.id, account_id: target.id, state: "accepted", created_at: now };
      await tx.collections.insertItem(item);
      await tx.collections.update(collection.id, { updated_at: now });
      return item;
    });
  }

  async removeItem(owner: AccountRow, id: string, itemId: string): Promise<void> {
    const collection = await this.owned(owner, id);
    const item = await this.stores.collections.item(collection.id, itemId);
    if (!item) throw notFound();
    await this.stores.collections.deleteItem(item.id);
    await this.stores.collections.update(collection.id, { updated_at: nowIso() });
  }

  /** The featured account takes itself out of someone's collection. */
  async revoke(actor: AccountRow, id: string, itemId: string): Promise<void> {
    const collection = await this.stores.collections.byId(id);
    if (!collection) throw notFound();
    const item = await this.stores.collections.item(collection.id, itemId);
    if (!item) throw notFound();
    if (item.account_id !== actor.id) throw forbidden();
    await this.stores.collections.setItemState(item.id, "revoked");
  }

  /** One collection as `viewerId` may see it; 403 when its owner blocks the viewer (Mastodon's policy). */
  async show(id: string, viewerId: string | null): Promise<CollectionView> {
    return this.view(id, viewerId);
  }

  /** An account's collections: all of them for the account itself, its discoverable ones for others. */
  async ofAccount(accountId: string, viewerId: string | null, page: { limit: number; offset: number }): Promise<CollectionView[]> {
    const account = await this.stores.accounts.byId(accountId);
    if (!account) throw notFound();
    if (account.suspended_at || (viewerId && (await this.blocks(account.id, viewerId)))) return [];
    const rows = await this.stores.collections.ofAccount(account.id, viewerId === account.id, page);
    return this.views(rows, viewerId);
  }

  /** Collections that feature an account (accepted), discoverable ones unless the owner asks. */
  async featuring(accountId: string, viewerId: string | null, page: { limit: number; offset: number }): Promise<CollectionView[]> {
    const account = await this.stores.accounts.byId(accountId);
    if (!account) throw notFound();
    if (account.suspended_at) return [];
    const rows = await this.stores.collections.featuring(account.id, page);
    const views = await this.views(rows, viewerId);
    return views.filter((v) => (v.collection.discoverable === 1 || v.owner.id === viewerId) && !v.owner.suspended_at);
  }

  private async view(id: string, viewerId: string | null): Promise<CollectionView> {
    const collection = await this.stores.collections.byId(id);
    if (!collection) throw notFound();
    const [view] = await this.views([collection], viewerId);
    if (!view || view.owner.suspended_at) throw notFound();
    if (viewerId && viewerId !== view.owner.id && (await this.blocks(view.owner.id, viewerId))) throw forbidden();
    return view;
  }

  private async views(rows: readonly CollectionRow[], viewerId: string | null): Promise<CollectionView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const items = await this.stores.collections.items(ids, ["accepted", "pending"]);
    const accounts = new Map((await this.stores.accounts.byIds([...rows.map((r) => r.account_id), ...items.map((i) => i.account_id)])).map((a) => [a.id, a]));
    const tagIds = rows.map((r) => r.tag_id).filter((t): t is string => t !== null);
    const tags = new Map((tagIds.length ? await this.stores.collections.tagsByIds(tagIds) : []).map((t) => [t.id, t]));
    // Accounts that block the viewer are left out of what the viewer sees (Mastodon's not_blocked_by).
    const blockers = viewerId ? await this.stores.relationships.sourcesAmong("blocks", viewerId, [...new Set(items.map((i) => i.account_id))]) : new Set<string>();
    return rows.flatMap((collection) => {
      const owner = accounts.get(collection.account_id);
      if (!owner) return [];
      const own = items.filter((i) => i.collection_id === collection.id && !accounts.get(i.account_id)?.suspended_at);
      const visibleStates: CollectionItemState[] = viewerId === owner.id ? ["accepted", "pending"] : ["accepted"];
      return [{
        collection,
        owner,
        tag: collection.tag_id ? (tags.get(collection.tag_id) ?? null) : null,
        items: own.filter((i) => visibleStates.includes(i.state) && !blockers.has(i.account_id)),
        itemCount: own.filter((i) => i.state === "accepted").length,
      }];
    });
  }

  private async owned(owner: AccountRow, id: string): Promise<CollectionRow> {
    const collection = await this.stores.collections.byId(id);
    if (!collection) throw notFound();
    if (collection.account_id !== owner.id) throw forbidden();
    return collection;
  }

  /** The accounts, each one that `owner` may feature; else 404 (unknown) or 403 (not opted in, blocked). */
  private async featurable(owner: AccountRow, ids: readonly string[]): Promise<AccountRow[]> {
    if (ids.length === 0) return [];
    const found = new Map((await this.stores.accounts.byIds(ids)).map((a) => [a.id, a]));
    const [blocking, blockedBy] = await Promise.all([
      this.stores.relationships.targetsAmong("blocks", owner.id, ids),
      this.stores.relationships.sourcesAmong("blocks", owner.id, ids),
    ]);
    return ids.map((id) => {
      const account = found.get(id);
      if (!account || account.suspended_at) throw notFound();
      if (account.domain !== null || account.discoverable !== 1 || blocking.has(id) || blockedBy.has(id)) {
        throw forbidden("This account cannot be added to collections");
      }
      return account;
    });
  }

  private async blocks(accountId: string, targetId: string): Promise<boolean> {
    return Boolean(await this.stores.relationships.find("blocks", accountId, targetId));
  }

  private async checked(input: CollectionInput): Promise<{ name?: string; description?: string; language?: string | null; sensitive?: boolean; discoverable?: boolean; tagId?: string | null }> {
    const name = input.name?.trim();
    if (name !== undefined && [...name].length > NAME_MAX) throw new CollectionFieldError("name", "ERR_TOO_LONG", `Validation failed: Name is too long (maximum is ${NAME_MAX} characters)`);
    const description = input.description?.trim();
    if (description !== undefined && [...description].length > DESCRIPTION_MAX) {
      throw new CollectionFieldError("description", "ERR_TOO_LONG", `Validation failed: Description is too long (maximum is ${DESCRIPTION_MAX} characters)`);
    }
    let language = input.language;
    if (language === "") language = null;
    if (language != null && !/^[a-z]{2,3}$/.test(language)) throw new CollectionFieldError("language", "ERR_INVALID", "Validation failed: Language is not a supported language");
    let tagId: string | null | undefined;
    if (input.tagName === null || input.tagName === "") tagId = null;
    else if (input.tagName !== undefined) {
      const clean = input.tagName.trim().replace(/^#/, "");
      if (!isTagName(clean)) throw new CollectionFieldError("tag_name", "ERR_INVALID", "Validation failed: Tag is invalid");
      tagId = (await this.stores.statuses.ensureTags([clean], newId, nowIso()))[0].id;
    }
    return { name, description, language, sensitive: input.sensitive, discoverable: input.discoverable, tagId };
  }
}

