// Who may see a status, asked for one status and one account. The rule itself is written once,
// in SQL (store/visibility-sql.ts), because lists are filtered in the database; this asks the
// same rule about a single post, for the paths that act on one: above all what other servers
// send, since an actor elsewhere may only interact with (like, react to, boost, vote in, reply
// under) a post it can see. Knowing a post's URI is not permission to touch it.
import type { Stores } from "../../store/stores.ts";
import type { StatusRow } from "../../store/statuses.ts";

/**
 * `viewerId` may see `status`: public and unlisted by anyone; private by the author, mentioned
 * accounts and followers; direct by the author and mentioned accounts; never across a block.
 * For a post of another server this is what this server knows (its addressees, and follows that
 * involve our accounts), which may be less than its own server knows.
 */
export async function canSee(stores: Stores, viewerId: string, status: Pick<StatusRow, "id">): Promise<boolean> {
  return (await stores.statuses.readableById(status.id, viewerId)) !== undefined;
}

/**
 * A boost spreads a post beyond its audience: only public and unlisted posts may be boosted by
 * another server's actor (who must also be able to see them, which rules out blocks).
 */
export async function canBoost(stores: Stores, actorId: string, status: Pick<StatusRow, "id" | "visibility" | "reblog_of_id">): Promise<boolean> {
  if (status.reblog_of_id || (status.visibility !== "public" && status.visibility !== "unlisted")) return false;
  return canSee(stores, actorId, status);
}
