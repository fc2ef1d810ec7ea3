// /@name: a local account's public profile — its header, bio, fields (links with rel="me"),
// counts, pinned posts, then its public posts twenty at a time (?max_id older, ?min_id newer);
// /@name.rss and /@name.atom the same posts as feeds. A suspended account's page says it is gone (410).
import type { Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../../env.ts";
import { missingPage, publicPage, wantsActivityJson } from "./layout.ts";
import { displayName, pager, paged, pageRequestOf, profileHeader, publicAccount, publicStatuses, statusArticle, textOf } from "./partials.ts";
import { feed, feedRequest, type FeedFormat } from "./feeds.ts";
import type { AccountRow } from "../../../domain/accounts/account-service.ts";

const PAGE_SIZE = 20;
const PINNED_SHOWN = 5;

/** The local account a page names, or the answer that it has none (404) or is gone (410). */
export async function pageAccount(c: Context<AppEnv>, handle: string): Promise<AccountRow | Response> {
  const username = handle.replace(/^@/, "");
  const found = await c.get("services").accounts.localForPublicPage(username).catch(() => null);
  if (!found) return missingPage(c, 404, "There is no account by that name on this server.");
  if (found.suspended) return missingPage(c, 410, `The account @${found.account.username} has been suspended by this server's moderators.`);
  return found.account;
}

export async function profilePage(c: Context<AppEnv>) {
  const handle = c.req.param("handle") ?? "";
  const asFeed = feedRequest(handle);
  if (asFeed) return profileFeed(c, asFeed.name, asFeed.format);
  const found = await pageAccount(c, handle);
  if (found instanceof Response) return found;
  // Other servers and fediverse clients asking for the actor get it where the federation layer serves it.
  if (wantsActivityJson(c)) return c.redirect(found.uri, 302);
  const services = c.get("services");
  const { origin, localDomain } = services.config;
  const account = publicAccount(c, found);
  const request = pageRequestOf(c, PAGE_SIZE);
  const firstPage = !request.maxId && !request.minId;
  const [rows, pinnedRows] = await Promise.all([
    services.timelines.account(found.id, null, { excludeReplies: true }, request),
    firstPage ? services.timelines.account(found.id, null, { pinnedOnly: true }, { limit: PINNED_SHOWN }) : Promise.resolve([]),
  ]);
  const page = paged(rows, request);
  const [statuses, pinned] = await Promise.all([publicStatuses(c, page.items), publicStatuses(c, pinnedRows)]);
  const base = `${origin}/@${found.username}`;
  const name = displayName(account);
  return c.html(
    publicPage(
      c,
      {
        title: `${name} (@${found.username}@${localDomain})`,
        description: textOf(account.note) || `${account.statuses_count} posts, ${account.followers_count} followers`,
        url: firstPage ? base : `${base}?${request.maxId ? `max_id=${request.maxId}` : `min_id=${request.minId}`}`,
        image: account.avatar_static,
        type: "profile",
        noindex: account.noindex,
        feeds: base,
        activity: found.uri,
      },
      html`${profileHeader(account, localDomain)}
${pinned.length ? html`<h2>Pinned</h2>${pinned.map((s) => statusArticle(s, { pinned: true }))}` : ""}
<h2>Posts</h2>
${statuses.length ? statuses.map((s) => statusArticle(s)) : html`<p>No public posts${firstPage ? " yet" : " here"}.</p>`}
${pager(base, page)}`,
    ),
  );
}

async function profileFeed(c: Context<AppEnv>, handle: string, format: FeedFormat) {
  const found = await pageAccount(c, handle);
  if (found instanceof Response) return found;
  const services = c.get("services");
  const account = publicAccount(c, found);
  const base = `${services.config.origin}/@${found.username}`;
  // As Mastodon's feed: the account's own posts, no replies to others and no boosts.
  const rows = await services.timelines.account(found.id, null, { excludeReplies: true, excludeReblogs: true }, { limit: PAGE_SIZE });
  return feed(c, format, { title: displayName(account), description: `Public posts from @${found.username}@${services.config.localDomain}`, link: base, self: base, image: account.avatar_static }, await publicStatuses(c, rows));
}

/** /users/name is the actor's address; a browser there is sent to the profile page. */
export async function actorAddressPage(c: Context<AppEnv>) {
  const found = await pageAccount(c, c.req.param("username") ?? "");
  if (found instanceof Response) return found;
  return c.redirect(`${c.get("services").config.origin}/@${found.username}`, 301);
}
