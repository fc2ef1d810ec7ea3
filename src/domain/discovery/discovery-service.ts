// Discovery: what is trending here (hashtags, statuses, links), whom to follow, and the profile
// directory. Everything is computed from this server's database over the last days; only
// public statuses count and only accounts that opted in to discovery are listed.
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { StatusRow, TagRow } from "../../store/statuses.ts";
import { idAtTime } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { notFound } from "../errors.ts";
import type { PreviewCardRow } from "../../store/cards.ts";
import type { PageRequest } from "../../store/pagination.ts";
import { normalizeCardUrl } from "../cards/links.ts";

/** Trends look at this many days, and a hashtag's history shows each of them. */
export const TREND_DAYS = 7;
const DAY_MS = 86_400_000;

export interface TagHistoryDay {
  /** Midnight UTC, in seconds since the epoch. */
  day: number;
  uses: number;
  accounts: number;
}

export interface TrendingLink {
  card: PreviewCardRow;
  /** The stored account the page names as its creator. */
  author: AccountRow | null;
  history: TagHistoryDay[];
}

export interface TrendingTag {
  tag: TagRow;
  history: TagHistoryDay[];
}

/** Why an account is suggested (Mastodon's Suggestion sources). */
export type SuggestionSource = "featured" | "most_followed" | "most_interactions" | "similar_to_recently_followed" | "friends_of_friends";

export interface Suggestion {
  account: AccountRow;
  sources: SuggestionSource[];
}

export class DiscoveryService {
  private readonly stores: Stores;

  constructor(stores: Stores) {
    this.stores = stores;
  }

  /** Hashtags used in public statuses by the most distinct accounts over the last days. */
  async trendingTags(limit: number, offset: number, now: Date = new Date()): Promise<TrendingTag[]> {
    const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
    const since = idAtTime(new Date(today - (TREND_DAYS - 1) * DAY_MS));
    const uses = await this.stores.discovery.trendingTags(since, limit, offset);
    if (uses.length === 0) return [];
    const ids = uses.map((u) => u.tagId);
    const [tags, days] = await Promise.all([this.stores.discovery.tagsByIds(ids), this.stores.discovery.tagHistory(ids, since)]);
    const tagById = new Map(tags.map((t) => [t.id, t]));
    return uses
      .filter((u) => tagById.has(u.tagId))
      .map((u) => ({
        tag: tagById.get(u.tagId)!,
        // Newest day first, every day of the window present, as Mastodon reports it.
        history: Array.from({ length: TREND_DAYS }, (_, i) => {
          const start = today - i * DAY_MS;
          const key = new Date(start).toISOString().slice(0, 10);
          const found = days.find((d) => d.tagId === u.tagId && d.day === key);
          return { day: start / 1000, uses: found?.uses ?? 0, accounts: found?.accounts ?? 0 };
        }),
      }));
  }

  /** Public statuses that received the most favourites and boosts over the last days. */
  trendingStatuses(viewerId: string | null, limit: number, offset: number, now: Date = new Date()): Promise<StatusRow[]> {
    const since = idAtTime(new Date(now.getTime() - TREND_DAYS * DAY_MS));
    return this.stores.discovery.trendingStatuses(since, viewerId, limit, offset);
  }

  /**
   * Links (their preview cards, domain/cards) shared in public statuses by the most distinct
   * discoverable accounts over the last days, then by shares; each with a week of history.
   */
  async trendingLinks(limit: number, offset: number, now: Date = new Date()): Promise<TrendingLink[]> {
    const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
    const since = idAtTime(new Date(today - (TREND_DAYS - 1) * DAY_MS));
    const uses = await this.stores.cards.trending(since, limit, offset);
    if (uses.length === 0) return [];
    const ids = uses.map((u) => u.cardId);
    const [cards, days] = await Promise.all([this.stores.cards.byIds(ids), this.stores.cards.history(ids, since)]);
    const authorIds = cards.map((c) => c.author_account_id).filter((id): id is string => id !== null);
    const authors = new Map((await this.stores.accounts.byIds(authorIds)).map((a) => [a.id, a]));
    const cardById = new Map(cards.map((c) => [c.id, c]));
    return uses
      .filter((u) => cardById.has(u.cardId))
      .map((u) => {
        const card = cardById.get(u.cardId)!;
        return {
          card,
          author: (card.author_account_id && authors.get(card.author_account_id)) || null,
          history: Array.from({ length: TREND_DAYS }, (_, i) => {
            const start = today - i * DAY_MS;
            const key = new Date(start).toISOString().slice(0, 10);
            const found = days.find((d) => d.cardId === u.cardId && d.day === key);
            return { day: start / 1000, uses: found?.uses ?? 0, accounts: found?.accounts ?? 0 };
          }),
        };
      });
  }

  /**
   * GET /api/v1/timelines/link: public statuses of discoverable accounts sharing this link (the
   * card of its URL, as links.ts normalizes it). An unknown link, or one without a card, is not
   * found (Mastodon's answer for a link that is not trending).
   */
  async linkTimeline(url: string, viewerId: string | null, page: PageRequest): Promise<StatusRow[]> {
    const normalized = normalizeCardUrl(url);
    const card = normalized ? await this.stores.cards.byUrl(normalized) : null;
    if (!card || card.state !== "ready") throw notFound("This link is not trending");
    return this.stores.cards.timeline(card.id, viewerId, page);
  }

  directory(viewerId: string | null, options: { order: "active" | "new"; localOnly: boolean }, limit: number, offset: number): Promise<AccountRow[]> {
    return this.stores.discovery.directory(viewerId, options, limit, offset);
  }

  /** Popular local accounts that opted in to discovery and that the viewer does not follow yet. */
  async suggestions(viewerId: string, limit: number): Promise<Suggestion[]> {
    const accounts = await this.stores.discovery.suggestions(viewerId, limit);
    return accounts.map((account) => ({ account, sources: [account.followers_count > 0 ? "most_followed" : "most_interactions"] }));
  }

  /** Stops suggesting an account to the viewer. */
  async dismissSuggestion(viewerId: string, accountId: string): Promise<void> {
    const account = await this.stores.accounts.byId(accountId);
    if (!account) throw notFound();
    await this.stores.discovery.dismissSuggestion(viewerId, account.id, nowIso());
  }
}
