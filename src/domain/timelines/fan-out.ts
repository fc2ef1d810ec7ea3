// Home timelines are materialized on write: when a status is created, its id is added to the
// home feed of every local reader who should see it. Reading a home timeline is then one indexed
// range scan (home_feed primary key), whatever the number of accounts followed — see
// docs/PERFORMANCE.md. Privacy, blocks and mutes are checked again when the feed is read.
import type { Stores } from "../../store/stores.ts";
import type { StatusRow } from "../../store/statuses.ts";
import { fanOutToLists } from "./list-fan-out.ts";
import { tagFollowerReaders } from "../tags/tag-fan-out.ts";
import { addToConversations } from "../conversations/conversation-fan-out.ts";

/**
 * Who gets `status` in their home feed. The author always; followers for public, unlisted and
 * private posts; for a reply to someone else, only followers who also follow that someone (as
 * Mastodon does, so threads between strangers do not flood feeds); for direct posts only the
 * mentioned local accounts. Boosts go to followers who did not turn boosts off.
 */
export async function homeReaders(stores: Stores, status: StatusRow, mentionedIds: readonly string[]): Promise<string[]> {
  const readers = new Set<string>([status.account_id]);
  if (status.visibility === "direct") {
    const local = await stores.accounts.byIds(mentionedIds);
    for (const a of local) if (a.domain === null) readers.add(a.id);
    return [...readers];
  }
  let followers = await stores.relationships.localFollowersOf(status.account_id);
  if (status.reblog_of_id) followers = followers.filter((f) => f.show_reblogs === 1);
  let ids = followers.map((f) => f.account_id);
  const replyTo = status.in_reply_to_account_id;
  if (replyTo && replyTo !== status.account_id) {
    const alsoFollow = await stores.relationships.sourcesAmong("follows", replyTo, ids);
    ids = ids.filter((id) => alsoFollow.has(id) || id === replyTo);
  }
  for (const id of ids) readers.add(id);
  return [...readers];
}

export async function fanOut(stores: Stores, status: StatusRow, mentionedIds: readonly string[]): Promise<string[]> {
  // Followers (homeReaders), and followers of its hashtags; then lists and DM conversations.
  const readers = [...new Set([...(await homeReaders(stores, status, mentionedIds)), ...(await tagFollowerReaders(stores, status))])];
  await stores.feeds.add(status.id, readers);
  await fanOutToLists(stores, status);
  await addToConversations(stores, status, mentionedIds);
  return readers;
}
