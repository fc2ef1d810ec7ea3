// Followed hashtags: a public status (not a boost) carrying a hashtag enters the home feed of the
// local accounts that follow the hashtag, unless they block, are blocked by, or mute its author.
import type { Stores } from "../../store/stores.ts";
import type { StatusRow } from "../../store/statuses.ts";
import { nowIso } from "../../util/time.ts";

export async function tagFollowerReaders(stores: Stores, status: StatusRow): Promise<string[]> {
  if (status.visibility !== "public" || status.reblog_of_id !== null) return [];
  const tags = (await stores.statuses.tagsOf([status.id])).get(status.id) ?? [];
  if (tags.length === 0) return [];
  return stores.tagFollows.localReaders(tags.map((t) => t.id), status.account_id, nowIso());
}
