// Everything needed to show statuses to one reader, loaded in a fixed number of queries for a
// whole page (never one query per status): authors, mentions, tags, the boosted originals, the
// apps that posted them, and the reader's own flags (favourited, boosted, bookmarked…).
import type { PreviewCardRow } from "../../store/cards.ts";
import type { Stores } from "../../store/stores.ts";
import type { StatusRow, TagRow } from "../../store/statuses.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { ApplicationRow } from "../../store/oauth.ts";
import type { FilterContext } from "../../db/schema.ts";
import { loadPollViews, type PollView } from "../polls/poll-views.ts";
import type { MediaRow } from "../../store/media/attachments.ts";
import { applyInContext, FilterMatcher, type FilterMatch } from "../filters/matching.ts";
import { attachQuotes, loadQuoteRows, type QuoteApprovalView, type QuoteView } from "../quotes/quote-views.ts";
import type { InteractionPolicyRow } from "../../store/quotes.ts";

export interface ViewerFlags {
  favourited: boolean;
  reblogged: boolean;
  bookmarked: boolean;
  pinned: boolean;
  muted: boolean;
}

export interface StatusView {
  status: StatusRow;
  account: AccountRow;
  mentions: AccountRow[];
  tags: TagRow[];
  application: ApplicationRow | null;
  /** For a boost: the boosted status. */
  reblog: StatusView | null;
  /** null for anonymous readers. */
  viewer: ViewerFlags | null;
  poll: PollView | null;
  media: MediaRow[];
  /** The reader's filters that matched, to be reported (FilterResult); empty for anonymous readers. */
  filtered: FilterMatch[];
  /** Quote posts (domain/quotes/quote-views.ts): the status's quote, its quote policy for the reader, its accepted quotes. */
  quote?: QuoteView | null;
  quoteApproval?: QuoteApprovalView | null;
  quotesCount?: number;
  /** Its quote and reply policy as stored (attachQuotes; null: none stored). */
  policy?: InteractionPolicyRow | null;
  /** The preview card of its first link, when one is ready (domain/cards), and the stored account its page names as creator. */
  card?: PreviewCardRow | null;
  cardAuthor?: AccountRow | null;
}

export interface StatusViewOptions {
  /**
   * Where the statuses are shown (home, public, thread…): the reader's filters for that
   * context apply, and statuses a `hide` filter matches are left out. Without a context, every
   * matching filter is reported and nothing is left out (Mastodon's behaviour for single
   * statuses, favourites…).
   */
  filterContext?: FilterContext;
  /** The reader's active filters (FilterService.matcherFor); none if absent. A promise may be given, so that reading them overlaps the statuses' first queries. */
  filters?: FilterMatcher | Promise<FilterMatcher>;
  /** These are quoted posts shown inside quotes: their own quotes are shown shallow. */
  nestedQuote?: boolean;
}

export async function loadStatusViews(stores: Stores, rows: readonly StatusRow[], viewerId: string | null, options: StatusViewOptions = {}): Promise<StatusView[]> {
  if (rows.length === 0) return [];
  const byId = new Map(rows.map((s) => [s.id, s]));
  const missing = rows.map((s) => s.reblog_of_id).filter((id): id is string => id !== null && !byId.has(id));
  for (const s of await stores.statuses.byIds(missing)) byId.set(s.id, s);
  const all = [...byId.values()];
  const ids = all.map((s) => s.id);

  const authorIds = new Set(all.map((s) => s.account_id));
  const appIds = [...new Set(all.map((s) => s.application_id).filter((id): id is string => id !== null))];
  // Everything that needs only the statuses in one wave of queries (each wait for the database
  // costs a page of statuses milliseconds on a busy machine); the quotes' first rows too, which
  // attachQuotes takes below.
  const quoteRows = loadQuoteRows(stores, ids);
  quoteRows.catch(() => {}); // Awaited by attachQuotes; a failure meanwhile is not unhandled.
  const [mentionIds, tags, media, cards, authors, apps, flags, polls] = await Promise.all([
    stores.statuses.mentionsOf(ids),
    stores.statuses.tagsOf(ids),
    stores.media.ofStatuses(ids),
    stores.cards.readyOf(ids),
    stores.accounts.byIds([...authorIds]),
    Promise.all(appIds.map((id) => stores.oauth.applicationById(id))),
    viewerId ? viewerFlags(stores, viewerId, all) : Promise.resolve(null),
    loadPollViews(stores, ids, viewerId),
  ]);
  // Mentioned accounts and the authors of cards that are not among the authors: a second wave, only for them.
  const others = new Set<string>();
  for (const list of mentionIds.values()) for (const id of list) if (!authorIds.has(id)) others.add(id);
  for (const card of cards.values()) if (card.author_account_id && !authorIds.has(card.author_account_id)) others.add(card.author_account_id);
  const accounts = others.size ? [...authors, ...(await stores.accounts.byIds([...others]))] : authors;
  const filters = (await options.filters) ?? FilterMatcher.none;
  const pollTitles = (s: StatusRow) => polls.get(s.id)?.options.map((o) => o.title) ?? [];
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  const appById = new Map(apps.filter((a): a is ApplicationRow => a !== undefined).map((a) => [a.id, a]));

  const build = (status: StatusRow): StatusView | null => {
    const account = accountById.get(status.account_id);
    if (!account) return null;
    const reblog = status.reblog_of_id ? build(byId.get(status.reblog_of_id)!) : null;
    if (status.reblog_of_id && !reblog) return null;
    const proper = reblog ? reblog.status : status;
    const filtered = filters.empty ? [] : filters.match(status, proper, pollTitles(proper));
    // A boost carries the matches of what it boosts, on itself and on the boosted status.
    if (reblog) reblog.filtered = filtered;
    return {
      status,
      account,
      mentions: (mentionIds.get(status.id) ?? []).map((id) => accountById.get(id)).filter((a): a is AccountRow => a !== undefined),
      tags: tags.get(status.id) ?? [],
      application: status.application_id ? (appById.get(status.application_id) ?? null) : null,
      reblog,
      // A boost shows the reader's flags of what it boosts (favourited, reblogged…), as
      // Mastodon does: clients read them on the wrapper, and nobody favourites a wrapper.
      viewer: flags ? flags(proper) : null,
      poll: polls.get(status.id) ?? null,
      media: media.get(status.id) ?? [],
      filtered,
      card: cards.get(status.id) ?? null,
      cardAuthor: accountById.get(cards.get(status.id)?.author_account_id ?? "") ?? null,
    };
  };
  const views: StatusView[] = [];
  for (const view of rows.map(build)) {
    if (!view) continue;
    const { hidden, shown } = applyInContext(view.filtered, options.filterContext);
    if (hidden) continue;
    view.filtered = shown;
    if (view.reblog) view.reblog.filtered = shown;
    views.push(view);
  }
  await attachQuotes(stores, views, viewerId, options.nestedQuote ? null : (quoted) => loadStatusViews(stores, quoted, viewerId, { nestedQuote: true, filters: options.filters }), quoteRows);
  return views;
}

async function viewerFlags(stores: Stores, viewerId: string, statuses: StatusRow[]): Promise<(s: StatusRow) => ViewerFlags> {
  const ids = statuses.map((s) => s.id);
  const { favourited, bookmarked, pinned, reblogged, muted } = await stores.statusRelations.flagsAmong(viewerId, ids, [...new Set(statuses.map((s) => s.conversation_id))]);
  return (s) => ({
    favourited: favourited.has(s.id),
    bookmarked: bookmarked.has(s.id),
    pinned: pinned.has(s.id),
    reblogged: reblogged.has(s.id),
    muted: muted.has(s.conversation_id),
  });
}

/**
 * What posting a plain status wrote, as it was written: enough to show it to its author without
 * reading any of it back. (Rendering the new post from the database was a dozen statements, a
 * third of a post's on PostgreSQL.) Only for a status that has no media, poll, quote or parent:
 * those are read back as usual.
 */
export interface JustWritten {
  /** The author as stored after the post (its count and last post day moved). */
  author: AccountRow;
  mentions: AccountRow[];
  tags: TagRow[];
  application: ApplicationRow | null;
  /** The quote and reply policy written with it (none without the quotes service). */
  policy: InteractionPolicyRow | null;
}

/**
 * The view of a status just written, for its author, from what was written (JustWritten): the
 * same view loadStatusViews would read back. Nobody can have favourited, boosted, bookmarked or
 * pinned a post that did not exist a moment ago, nor muted its new conversation; one's own posts
 * are never filtered; it has no preview card yet (one comes as an update) and no quotes. Its quote
 * policy for the reader is worked out as for any status (attachQuotes), without reading.
 */
export async function justWrittenView(stores: Stores, status: StatusRow, written: JustWritten): Promise<StatusView> {
  const view: StatusView = {
    status,
    account: written.author,
    mentions: written.mentions,
    tags: written.tags,
    application: written.application,
    reblog: null,
    viewer: { favourited: false, reblogged: false, bookmarked: false, pinned: false, muted: false },
    poll: null,
    media: [],
    filtered: [],
    card: null,
    cardAuthor: null,
  };
  const policies = new Map(written.policy ? [[status.id, written.policy]] : []);
  await attachQuotes(stores, [view], written.author.id, null, Promise.resolve({ quotes: [], policies, counts: new Map() }));
  return view;
}
