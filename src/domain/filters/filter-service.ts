// An account's filters (Mastodon's v2 filters: a title, contexts, an action, an expiry, keywords
// and statuses), the v1 view of them (one entry per keyword), and the matcher that applies the
// active ones when statuses are shown (see matching.ts and statuses/status-views.ts).
import type { EventBus } from "../events.ts";
import type { Stores } from "../../store/stores.ts";
import type { FilterKeywordRow, FilterRow, FilterStatusRow, FilterWithRules } from "../../store/filters.ts";
import type { FilterAction, FilterContext } from "../../db/schema.ts";
import { newId } from "../../util/ids.ts";
import { isoAfter, nowIso } from "../../util/time.ts";
import { notFound, validationFailed } from "../errors.ts";
import { FILTER_ACTIONS, FILTER_CONTEXTS, FilterMatcher, filterContexts } from "./matching.ts";

export const TITLE_LIMIT = 256;
export const KEYWORD_LIMIT = 512;
/** Bounds on what one account keeps, so matching stays cheap on every page a reader loads. */
export const MAX_FILTERS = 500;
export const MAX_KEYWORDS_PER_FILTER = 500;
export const MAX_STATUSES_PER_FILTER = 1000;

export interface KeywordChange {
  /** An existing keyword of this filter; absent to add one. */
  id?: string;
  keyword?: string;
  wholeWord?: boolean;
  /** Remove the keyword with this id. */
  destroy?: boolean;
}

export interface FilterInput {
  title?: string;
  context?: string[];
  filterAction?: string;
  /** Seconds from now; null for a filter that never expires; undefined leaves it as it is. */
  expiresIn?: number | null;
  keywords?: KeywordChange[];
}

/** The v1 API's filter: one keyword with its filter's settings. */
export interface V1FilterView {
  filter: FilterRow;
  keyword: FilterKeywordRow;
}

export interface V1FilterInput {
  phrase?: string;
  context?: string[];
  irreversible?: boolean;
  wholeWord?: boolean;
  expiresIn?: number | null;
}

export class FilterService {
  private readonly stores: Stores;
  private readonly events: EventBus | null;

  constructor(stores: Stores, events: EventBus | null = null) {
    this.stores = stores;
    this.events = events;
  }

  /** Streaming clients refetch their filters when told (`filters_changed`). */
  private changed(accountId: string): void {
    this.events?.publish({ type: "filters.changed", accountId });
  }

  /** The reader's filters that are active now, ready to match statuses. */
  async matcherFor(viewerId: string | null): Promise<FilterMatcher> {
    if (viewerId === null) return FilterMatcher.none;
    const filters = await this.stores.filters.withRules(viewerId, { activeAt: nowIso() });
    return filters.length ? new FilterMatcher(viewerId, filters) : FilterMatcher.none;
  }

  // --- filters ---------------------------------------------------------------------------

  list(accountId: string): Promise<FilterWithRules[]> {
    return this.stores.filters.withRules(accountId);
  }

  async get(accountId: string, id: string): Promise<FilterWithRules> {
    const [found] = await this.stores.filters.withRules(accountId, { filterId: id });
    if (!found) throw notFound();
    return found;
  }

  async create(accountId: string, input: FilterInput): Promise<FilterWithRules> {
    const title = checkTitle(input.title ?? "");
    const context = checkContext(input.context ?? []);
    const action = checkAction(input.filterAction ?? "warn");
    const keywords = (input.keywords ?? []).filter((k) => !k.destroy);
    if (keywords.length > MAX_KEYWORDS_PER_FILTER) throw validationFailed(`Validation failed: A filter can have at most ${MAX_KEYWORDS_PER_FILTER} keywords`);
    if ((await this.stores.filters.countOf(accountId)) >= MAX_FILTERS) throw validationFailed(`Validation failed: You can have at most ${MAX_FILTERS} filters`);
    const now = nowIso();
    const id = newId();
    await this.stores.transaction(async (tx) => {
      await tx.filters.insert({ id, account_id: accountId, title, context: JSON.stringify(context), filter_action: action, expires_at: expiryOf(input.expiresIn ?? null), created_at: now, updated_at: now });
      for (const k of keywords) {
        await tx.filters.insertKeyword({ id: newId(), filter_id: id, keyword: checkKeyword(k.keyword ?? ""), whole_word: k.wholeWord === false ? 0 : 1, created_at: now, updated_at: now });
      }
    });
    this.changed(accountId);
    return this.get(accountId, id);
  }

  async update(accountId: string, id: string, input: FilterInput): Promise<FilterWithRules> {
    const current = await this.get(accountId, id);
    const changes: Partial<FilterRow> = {};
    if (input.title !== undefined) changes.title = checkTitle(input.title);
    if (input.context !== undefined) changes.context = JSON.stringify(checkContext(input.context));
    if (input.filterAction !== undefined) changes.filter_action = checkAction(input.filterAction);
    if (input.expiresIn !== undefined) changes.expires_at = expiryOf(input.expiresIn);
    const now = nowIso();
    await this.stores.transaction(async (tx) => {
      await tx.filters.update(id, { ...changes, updated_at: now });
      for (const k of input.keywords ?? []) {
        if (k.id !== undefined) {
          const existing = current.keywords.find((row) => row.id === k.id);
          if (!existing) throw notFound();
          if (k.destroy) await tx.filters.deleteKeyword(existing.id);
          else {
            await tx.filters.updateKeyword(existing.id, {
              ...(k.keyword !== undefined ? { keyword: checkKeyword(k.keyword) } : {}),
              ...(k.wholeWord !== undefined ? { whole_word: k.wholeWord ? 1 : 0 } : {}),
              updated_at: now,
            });
          }
        } else if (!k.destroy) {
          await tx.filters.insertKeyword({ id: newId(), filter_id: id, keyword: checkKeyword(k.keyword ?? ""), whole_word: k.wholeWord === false ? 0 : 1, created_at: now, updated_at: now });
        }
      }
      if ((await tx.filters.keywordsOf(id)).length > MAX_KEYWORDS_PER_FILTER) {
        throw validationFailed(`Validation failed: A filter can have at most ${MAX_KEYWORDS_PER_FILTER} keywords`);
      }
    });
    this.changed(accountId);
    return this.get(accountId, id);
  }

  async delete(accountId: string, id: string): Promise<void> {
    const filter = await this.stores.filters.owned(accountId, id);
    if (!filter) throw notFound();
    await this.stores.filters.delete(filter.id);
    this.changed(accountId);
  }

  // --- keywords --------------------------------------------------------------------------

  async keywords(accountId: string, filterId: string): Promise<FilterKeywordRow[]> {
    return (await this.get(accountId, filterId)).keywords;
  }

  async addKeyword(accountId: string, filterId: string, input: { keyword?: string; wholeWord?: boolean }): Promise<FilterKeywordRow> {
    const filter = await this.get(accountId, filterId);
    if (filter.keywords.length >= MAX_KEYWORDS_PER_FILTER) throw validationFailed(`Validation failed: A filter can have at most ${MAX_KEYWORDS_PER_FILTER} keywords`);
    const now = nowIso();
    const row: FilterKeywordRow = { id: newId(), filter_id: filterId, keyword: checkKeyword(input.keyword ?? ""), whole_word: input.wholeWord === false ? 0 : 1, created_at: now, updated_at: now };
    await this.stores.filters.insertKeyword(row);
    this.changed(accountId);
    return row;
  }

  async keyword(accountId: string, id: string): Promise<FilterKeywordRow> {
    const row = await this.stores.filters.ownedKeyword(accountId, id);
    if (!row) throw notFound();
    return row;
  }

  async updateKeyword(accountId: string, id: string, input: { keyword?: string; wholeWord?: boolean }): Promise<FilterKeywordRow> {
    const row = await this.keyword(accountId, id);
    await this.stores.filters.updateKeyword(row.id, {
      ...(input.keyword !== undefined ? { keyword: checkKeyword(input.keyword) } : {}),
      ...(input.wholeWord !== undefined ? { whole_word: input.wholeWord ? 1 : 0 } : {}),
      updated_at: nowIso(),
    });
    this.changed(accountId);
    return this.keyword(accountId, id);
  }

  async deleteKeyword(accountId: string, id: string): Promise<void> {
    const row = await this.keyword(accountId, id);
    await this.stores.filters.deleteKeyword(row.id);
    this.changed(accountId);
  }

  // --- statuses --------------------------------------------------------------------------

  async statuses(accountId: string, filterId: string): Promise<FilterStatusRow[]> {
    return (await this.get(accountId, filterId)).statuses;
  }

  /** Filters a status the account can read. */
  async addStatus(accountId: string, filterId: string, statusId: string | null): Promise<FilterStatusRow> {
    const filter = await this.get(accountId, filterId);
    const status = statusId ? await this.stores.statuses.readableById(statusId, accountId) : undefined;
    if (!status) throw validationFailed("Validation failed: Status must exist");
    if (filter.statuses.length >= MAX_STATUSES_PER_FILTER) throw validationFailed(`Validation failed: A filter can have at most ${MAX_STATUSES_PER_FILTER} statuses`);
    const row: FilterStatusRow = { id: newId(), filter_id: filterId, status_id: status.id, created_at: nowIso() };
    if (!(await this.stores.filters.insertStatus(row))) throw validationFailed("Validation failed: Status has already been taken");
    this.changed(accountId);
    return row;
  }

  async filteredStatus(accountId: string, id: string): Promise<FilterStatusRow> {
    const row = await this.stores.filters.ownedStatus(accountId, id);
    if (!row) throw notFound();
    return row;
  }

  /** Removes a status from its filter; returns what was removed. */
  async removeStatus(accountId: string, id: string): Promise<FilterStatusRow> {
    const row = await this.filteredStatus(accountId, id);
    await this.stores.filters.deleteStatus(row.id);
    this.changed(accountId);
    return row;
  }

  // --- the v1 view: one entry per keyword --------------------------------------------------

  async listV1(accountId: string): Promise<V1FilterView[]> {
    return (await this.list(accountId)).flatMap((f) => f.keywords.map((keyword) => ({ filter: f.filter, keyword })));
  }

  async getV1(accountId: string, keywordId: string): Promise<V1FilterView> {
    const keyword = await this.keyword(accountId, keywordId);
    return { filter: (await this.get(accountId, keyword.filter_id)).filter, keyword };
  }

  /** A v1 filter is a v2 filter named after its one keyword; irreversible means `hide`. */
  async createV1(accountId: string, input: V1FilterInput): Promise<V1FilterView> {
    const phrase = (input.phrase ?? "").trim();
    if (phrase === "") throw validationFailed("Validation failed: Phrase can't be blank");
    const created = await this.create(accountId, {
      title: phrase.slice(0, TITLE_LIMIT),
      context: input.context,
      filterAction: input.irreversible ? "hide" : "warn",
      expiresIn: input.expiresIn ?? null,
      keywords: [{ keyword: phrase, wholeWord: input.wholeWord ?? true }],
    });
    return { filter: created.filter, keyword: created.keywords[0] };
  }

  async updateV1(accountId: string, keywordId: string, input: V1FilterInput): Promise<V1FilterView> {
    const keyword = await this.keyword(accountId, keywordId);
    const filter = await this.get(accountId, keyword.filter_id);
    const filterChanges: FilterInput = {
      ...(input.context !== undefined ? { context: input.context } : {}),
      ...(input.irreversible !== undefined ? { filterAction: input.irreversible ? "hide" : filter.filter.filter_action === "hide" ? "warn" : filter.filter.filter_action } : {}),
      ...(input.expiresIn !== undefined ? { expiresIn: input.expiresIn } : {}),
    };
    const changesFilter =
      (filterChanges.context !== undefined && JSON.stringify(checkContext(filterChanges.context)) !== JSON.stringify(filterContexts(filter.filter))) ||
      (filterChanges.filterAction !== undefined && filterChanges.filterAction !== filter.filter.filter_action) ||
      filterChanges.expiresIn !== undefined;
    if (changesFilter && filter.keywords.length > 1) {
      throw validationFailed("These parameters cannot be changed from this application because they apply to more than one filter keyword. Use a more recent application or the web interface.");
    }
    await this.update(accountId, filter.filter.id, {
      ...filterChanges,
      keywords: [{ id: keyword.id, ...(input.phrase !== undefined ? { keyword: input.phrase } : {}), ...(input.wholeWord !== undefined ? { wholeWord: input.wholeWord } : {}) }],
    });
    return this.getV1(accountId, keywordId);
  }

  /** Removes the keyword; a filter left with nothing to match is removed too. */
  async deleteV1(accountId: string, keywordId: string): Promise<void> {
    const keyword = await this.keyword(accountId, keywordId);
    const filter = await this.get(accountId, keyword.filter_id);
    if (filter.keywords.length <= 1 && filter.statuses.length === 0) await this.stores.filters.delete(filter.filter.id);
    else await this.stores.filters.deleteKeyword(keyword.id);
    this.changed(accountId);
  }
}

function checkTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed === "") throw validationFailed("Validation failed: Title can't be blank");
  if ([...trimmed].length > TITLE_LIMIT) throw validationFailed(`Validation failed: Title is too long (maximum is ${TITLE_LIMIT} characters)`);
  return trimmed;
}

function checkContext(context: readonly string[]): FilterContext[] {
  if (context.length === 0) throw validationFailed("Validation failed: Context can't be blank");
  if (!context.every((c) => FILTER_CONTEXTS.includes(c as FilterContext))) throw validationFailed("Validation failed: Context None or invalid context supplied");
  return FILTER_CONTEXTS.filter((c) => context.includes(c));
}

function checkAction(action: string): FilterAction {
  if (!FILTER_ACTIONS.includes(action as FilterAction)) throw validationFailed("Validation failed: Filter action is not included in the list");
  return action as FilterAction;
}

function checkKeyword(keyword: string): string {
  const trimmed = keyword.trim();
  if (trimmed === "") throw validationFailed("Validation failed: Keywords keyword can't be blank");
  if ([...trimmed].length > KEYWORD_LIMIT) throw validationFailed(`Validation failed: Keywords keyword is too long (maximum is ${KEYWORD_LIMIT} characters)`);
  return trimmed;
}

function expiryOf(expiresIn: number | null): string | null {
  return expiresIn === null ? null : isoAfter(expiresIn * 1000);
}
