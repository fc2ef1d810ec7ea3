// A local post's `replies` collection (/users/NAME/statuses/ID/replies), shaped like Mastodon's
// ActivityPub::RepliesController: the post's own public and unlisted replies first (the author
// continuing a thread), then everyone else's, oldest first, REPLIES_PAGE a page, as URIs. Other
// servers read it to complete the thread (federation/threads.ts does the same on theirs). Served
// only for public and unlisted posts, under the same secure-mode rule as every collection, and
// never listing boosts, private or direct replies, suspended authors or refused servers' posts.
import { Note } from "@fedify/vocab";
import type { FederationDeps, SkeinFederation } from "./context.ts";
import { parseId } from "../util/ids.ts";
import { fetchPolicy } from "./moderation-policy.ts";

const REPLIES_PAGE = 20;

/**
 * Page cursors: "s" or "s<id>" (the author's own replies, after that id), "o" or "o<id>"
 * (everyone else's). Anything else names no page.
 */
function parseCursor(cursor: string): { self: boolean; after: string | null } | null {
  const match = /^([so])(\d{0,20})$/.exec(cursor);
  if (!match) return null;
  const after = match[2] === "" ? null : parseId(match[2]);
  if (match[2] !== "" && after === null) return null;
  return { self: match[1] === "s", after };
}

export function registerRepliesCollection(federation: SkeinFederation, deps: FederationDeps): void {
  const { config, stores, services } = deps;
  const refused = fetchPolicy(services.moderation.policy);

  /** The local, public or unlisted, status at this path (null: nothing is served). */
  const statusAt = async (identifier: string, rawId: string) => {
    const id = parseId(rawId);
    const account = await stores.accounts.byUsername(identifier, null);
    if (!account || account.suspended_at || id === null) return null;
    const status = await stores.statuses.byId(id);
    if (!status || status.account_id !== account.id || status.reblog_of_id) return null;
    return status.visibility === "public" || status.visibility === "unlisted" ? status : null;
  };

  federation
    // Items are URIs (Fedify serves URL items as they are); the item type only names what they are.
    .setCollectionDispatcher("replies", Note, "/users/{identifier}/statuses/{id}/replies", async (_ctx, values, cursor) => {
      const status = await statusAt(values.identifier, values.id);
      const page = cursor === null ? null : parseCursor(cursor);
      if (!status || !page) return null;
      const rows = await stores.threads.publicReplies(status.id, status.account_id, page.self, page.after, REPLIES_PAGE);
      const items: URL[] = [];
      for (const row of rows) if (row.domain === null || (await refused(row.domain)) === null) items.push(new URL(row.uri));
      const full = rows.length === REPLIES_PAGE;
      const nextCursor = full ? `${page.self ? "s" : "o"}${rows[rows.length - 1].id}` : page.self ? "o" : null;
      return { items: items as unknown as Note[], nextCursor };
    })
    .setFirstCursor(() => "s")
    .authorize(async (ctx) => !config.authorizedFetch || (await ctx.getSignedKeyOwner()) !== null);
}

