// Hashtags as things one can look at and follow: usage over the last week, following and
// unfollowing (posts with a followed hashtag enter the home feed, see tag-fan-out.ts).
import type { Stores } from "../../store/stores.ts";
import type { TagRow } from "../../store/statuses.ts";
import type { PageRequest } from "../../store/pagination.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { notFound } from "../errors.ts";

/** Hashtag names as the text renderer recognizes them (domain/text/plain-to-html.ts). */
const TAG_NAME = /^[\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*$/u;
const MAX_TAG_LENGTH = 100;
const HISTORY_DAYS = 7;
const DAY_MS = 86_400_000;

export interface TagHistoryDay {
  /** UNIX time of the day's midnight (UTC). */
  day: number;
  uses: number;
  accounts: number;
}

export interface TagView {
  /** id is null for a hashtag nobody has used or followed yet. */
  tag: { id: string | null; name: string; display_name: string };
  history: TagHistoryDay[];
  /** null for anonymous viewers. */
  following: boolean | null;
  /** Whether the viewer features the tag on their profile (featured-tags.ts); null for anonymous viewers. */
  featuring?: boolean | null;
}

export class TagService {
  private readonly stores: Stores;
  constructor(stores: Stores) {
    this.stores = stores;
  }

  async show(name: string, viewerId: string | null): Promise<TagView> {
    const clean = checkName(name);
    const tag = await this.stores.statuses.tagByName(clean);
    if (!tag) return { tag: { id: null, name: clean.toLowerCase(), display_name: clean }, history: emptyHistory(), following: viewerId ? false : null };
    return (await this.views([tag], viewerId))[0];
  }

  async follow(viewerId: string, name: string): Promise<TagView> {
    const clean = checkName(name);
    const now = nowIso();
    const [tag] = await this.stores.statuses.ensureTags([clean], newId, now);
    await this.stores.tagFollows.follow({ id: newId(), account_id: viewerId, tag_id: tag.id, created_at: now });
    return (await this.views([tag], viewerId))[0];
  }

  async unfollow(viewerId: string, name: string): Promise<TagView> {
    const clean = checkName(name);
    const tag = await this.stores.statuses.tagByName(clean);
    if (!tag) return this.show(clean, viewerId);
    await this.stores.tagFollows.unfollow(viewerId, tag.id);
    return (await this.views([tag], viewerId))[0];
  }

  /** The viewer's followed hashtags, newest follow first; the cursor is the follow's id. */
  async followed(viewerId: string, page: PageRequest): Promise<{ relationId: string; view: TagView }[]> {
    const rows = await this.stores.tagFollows.followedBy(viewerId, page);
    const views = await this.views(rows.map((r) => r.tag), viewerId);
    return rows.map((r, i) => ({ relationId: r.relationId, view: views[i] }));
  }

  /** Tags with their last week's usage and whether the viewer follows them, in a fixed number of queries. */
  async views(tags: readonly TagRow[], viewerId: string | null): Promise<TagView[]> {
    const ids = tags.map((t) => t.id);
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const since = new Date(today - (HISTORY_DAYS - 1) * DAY_MS);
    const [usage, followed, featured] = await Promise.all([
      this.stores.tagFollows.usage(ids, since),
      viewerId ? this.stores.tagFollows.followedAmong(viewerId, ids) : Promise.resolve(null),
      viewerId ? this.stores.featuredTags.featuredAmong(viewerId, ids) : Promise.resolve(null),
    ]);
    const byKey = new Map(usage.map((u) => [`${u.tagId}:${u.day}`, u]));
    return tags.map((tag) => ({
      tag: { id: tag.id, name: tag.name, display_name: tag.display_name },
      history: emptyHistory().map((h) => {
        const u = byKey.get(`${tag.id}:${new Date(h.day * 1000).toISOString().slice(0, 10)}`);
        return u ? { day: h.day, uses: u.uses, accounts: u.accounts } : h;
      }),
      following: followed ? followed.has(tag.id) : null,
      featuring: featured ? featured.has(tag.id) : null,
    }));
  }
}

/** The last seven days, today first, without uses. */
function emptyHistory(): TagHistoryDay[] {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  return Array.from({ length: HISTORY_DAYS }, (_, i) => ({ day: (today - i * DAY_MS) / 1000, uses: 0, accounts: 0 }));
}

/** Whether `name` (without "#") is a hashtag as posts write them (featured tags and collections check names with it). */
export function isTagName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_TAG_LENGTH && TAG_NAME.test(name);
}

function checkName(name: string): string {
  const clean = name.replace(/^#/, "");
  if (clean.length === 0 || clean.length > MAX_TAG_LENGTH || !TAG_NAME.test(clean)) throw notFound();
  return clean;
}
