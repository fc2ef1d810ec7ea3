// List timelines are materialized on write, like home feeds (see fan-out.ts): a status by a list
// member is added to the feed of every list holding its author, if the list's replies policy
// admits it. Reading a list is then one indexed range scan over list_feed, whatever the number of
// members; privacy and mutes are checked again when the feed is read.
import type { Stores } from "../../store/stores.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { ListRow } from "../../store/lists.ts";

function isReplyToOther(status: StatusRow): boolean {
  return status.in_reply_to_account_id !== null && status.in_reply_to_account_id !== status.account_id;
}

/**
 * Decides, for lists and statuses by their members, which list shows which status (Mastodon's
 * rules): direct statuses never; boosts only if the owner did not turn off the booster's boosts;
 * replies to others as the list's `replies_policy` says — `followed`: to accounts the owner
 * follows, `list`: to members of the list, `none`: none — and replies to the owner always.
 */
export async function listAdmission(stores: Stores, lists: readonly ListRow[], statuses: readonly StatusRow[]): Promise<(list: ListRow, status: StatusRow) => boolean> {
  const ownerIds = [...new Set(lists.map((l) => l.account_id))];
  const replyTargets = [...new Set(statuses.filter(isReplyToOther).map((s) => s.in_reply_to_account_id!))];
  const boosters = [...new Set(statuses.filter((s) => s.reblog_of_id !== null).map((s) => s.account_id))];
  const follows = await stores.lists.followsAmong(ownerIds, [...replyTargets, ...boosters]);
  const listPolicy = lists.filter((l) => l.replies_policy === "list").map((l) => l.id);
  const memberships = await stores.lists.membershipsAmong(listPolicy, replyTargets);
  return (list, status) => {
    if (status.visibility === "direct") return false;
    if (status.reblog_of_id !== null) return follows.get(`${list.account_id}:${status.account_id}`) === 1;
    if (!isReplyToOther(status)) return true;
    const to = status.in_reply_to_account_id!;
    if (to === list.account_id) return true;
    if (list.replies_policy === "followed") return follows.has(`${list.account_id}:${to}`);
    if (list.replies_policy === "list") return memberships.has(`${list.id}:${to}`);
    return false;
  };
}

/** Adds a new status to the feeds of the lists that hold its author. */
export async function fanOutToLists(stores: Stores, status: StatusRow): Promise<void> {
  if (status.visibility === "direct") return;
  const lists = await stores.lists.containing(status.account_id);
  if (lists.length === 0) return;
  const admits = await listAdmission(stores, lists, [status]);
  await stores.lists.addToFeeds(status.id, lists.filter((l) => admits(l, status)).map((l) => l.id));
}
