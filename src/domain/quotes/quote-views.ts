// What a page of statuses shows about quotes, for one reader, in a fixed number of queries: each
// status's quote (with the quoted post when the reader may see it), its quote approval policy as
// it applies to the reader, and how many accepted quotes it has. Called by status-views.ts.
import type { Stores } from "../../store/stores.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { InteractionPolicyRow, QuoteRow } from "../../store/quotes.ts";
import type { QuoteState } from "../../db/schema.ts";
import { approvalNames, decide, type AuthorCollections, type InteractionRule, type RemotePolicy } from "./policy.ts";
import { collectionsOf } from "./quote-service.ts";
import { localRules } from "./policy.ts";

/** The Mastodon states a reader may see; "deleted"/"unauthorized" also stand for what the reader may not see. */
export type QuoteStateForViewer = QuoteState | "muted_account";

export interface QuoteView {
  row: QuoteRow;
  state: QuoteStateForViewer;
  /** The quoted post, for a quote the reader may see; null otherwise or when shallow. */
  quoted: QuoteCarrier | null;
  /** A quote inside a quoted post: shown as Mastodon's ShallowQuote (the id only). */
  shallow: boolean;
  /** The quoted post's id, when the reader may know it. */
  quotedId: string | null;
}

export interface QuoteApprovalView {
  automatic: string[];
  manual: string[];
  currentUser: "automatic" | "manual" | "denied" | "unknown";
}

/** What status-views.ts's StatusView carries for quotes (optional fields, so other views need not know them). */
export interface QuoteCarrier {
  status: StatusRow;
  account: AccountRow;
  reblog: QuoteCarrier | null;
  mentions: AccountRow[];
  quote?: QuoteView | null;
  quoteApproval?: QuoteApprovalView | null;
  quotesCount?: number;
  /** The quote and reply policy stored with it, as read (null: none stored; boosts have none). */
  policy?: InteractionPolicyRow | null;
}

/** What attachQuotes reads first: the statuses' quotes, policies and quote counts. */
export interface QuoteRows {
  quotes: QuoteRow[];
  policies: Awaited<ReturnType<Stores["quotes"]["policiesOf"]>>;
  counts: Map<string, number>;
}

/**
 * The rows attachQuotes starts from, for statuses `ids`: they need nothing but the ids, so
 * status-views.ts reads them beside its own first queries (one wait for a page, not two).
 */
export async function loadQuoteRows(stores: Stores, ids: readonly string[]): Promise<QuoteRows> {
  const [quotes, policies, counts] = await Promise.all([stores.quotes.byStatusIds(ids), stores.quotes.policiesOf(ids), stores.quotes.acceptedCounts(ids)]);
  return { quotes, policies, counts };
}

/**
 * Fills `quote`, `quoteApproval` and `quotesCount` on `views` (and on the posts they boost).
 * `loadNested` loads the quoted posts as views (status-views.ts, marked nested so that their own
 * quotes stay shallow); null when these views are themselves nested. `prefetched`: loadQuoteRows
 * already started for (at least) these statuses and their authors.
 */
export async function attachQuotes<V extends QuoteCarrier>(stores: Stores, views: V[], viewerId: string | null, loadNested: ((rows: StatusRow[]) => Promise<V[]>) | null, prefetched?: Promise<QuoteRows>): Promise<void> {
  const all: QuoteCarrier[] = [];
  for (const v of views) {
    all.push(v);
    if (v.reblog) all.push(v.reblog);
  }
  if (all.length === 0) return;
  const ids = all.map((v) => v.status.id);
  const rows = await (prefetched ?? loadQuoteRows(stores, ids));
  const { policies, counts } = rows;
  // Each status's quote rule first: the reader's follows are read only for the authors whose
  // rule names their followers or following (most name the public, or only the author).
  const rules = new Map<QuoteCarrier, { rule: InteractionRule | null; collections: AuthorCollections }>();
  const askFollows = new Set<string>();
  for (const view of all) {
    if (view.status.reblog_of_id) continue;
    const policy = policies.get(view.status.id);
    view.policy = policy ?? null;
    const collections = collectionsOf(view.account);
    const rule = quoteRuleOf(view, policy?.remote_policy ?? null, policy?.quote_policy, collections);
    rules.set(view, { rule, collections });
    if (viewerId && viewerId !== view.account.id && rule && namesRelations(rule, collections)) askFollows.add(view.account.id);
  }
  // Prefetched rows may cover statuses left out since (a filter hid them).
  const shown = new Set(ids);
  const quotes = rows.quotes.filter((q) => shown.has(q.status_id));
  const quoteOf = new Map(quotes.map((q) => [q.status_id, q]));
  const quotedIds = [...new Set(quotes.filter((q) => q.state === "accepted" && q.quoted_status_id).map((q) => q.quoted_status_id!))];
  // The reader's mutes of the quoted authors, for the quote's muted_account state.
  const quotedAuthors = quotes.map((q) => q.quoted_account_id).filter((id): id is string => id !== null);
  const [existing, readable, mutes, { follows, followedBy }] = await Promise.all([
    stores.quotes.existing(quotedIds),
    stores.quotes.readableAmong(quotedIds, viewerId),
    viewerId ? stores.relationships.mutesAmong(viewerId, quotedAuthors) : Promise.resolve([]),
    viewerId && askFollows.size ? stores.relationships.followsBothWays(viewerId, [...askFollows]) : Promise.resolve({ follows: new Set<string>(), followedBy: new Set<string>() }),
  ]);
  const nested = loadNested && readable.length ? await loadNested(readable) : [];
  const nestedById = new Map(nested.map((n) => [n.status.id, n]));
  const readableIds = new Set(readable.map((r) => r.id));
  const muted = new Set(mutes.map((m) => m.target_account_id));

  for (const view of all) {
    view.quotesCount = counts.get(view.status.id) ?? 0;
    const ruled = rules.get(view);
    view.quoteApproval = ruled ? approvalFor(view, ruled.rule, ruled.collections, viewerId, follows, followedBy) : null;
    const row = quoteOf.get(view.status.id);
    if (!row) {
      view.quote = null;
      continue;
    }
    let state: QuoteStateForViewer = row.state;
    let quoted: QuoteCarrier | null = null;
    let quotedId: string | null = null;
    if (row.state === "accepted") {
      if (!row.quoted_status_id || !existing.has(row.quoted_status_id)) state = row.quoted_status_id ? "deleted" : "pending";
      // Not even the id of a post the reader may not see.
      else if (!readableIds.has(row.quoted_status_id)) state = "unauthorized";
      else if (!loadNested) quotedId = row.quoted_status_id; // shallow: the id only
      else if (!nestedById.has(row.quoted_status_id)) state = "unauthorized";
      else {
        quoted = nestedById.get(row.quoted_status_id)!;
        quotedId = row.quoted_status_id;
        if (row.quoted_account_id && muted.has(row.quoted_account_id)) state = "muted_account";
      }
    }
    view.quote = { row, state, quoted, shallow: loadNested === null, quotedId };
  }
}

/** The quote rule a status is under: a local one's from its policy row (public by default), a remote one's as announced (null: none known). */
function quoteRuleOf(view: QuoteCarrier, remotePolicy: string | null, quotePolicy: string | undefined, collections: AuthorCollections): InteractionRule | null {
  return view.status.local === 1
    ? localRules({ quote: (quotePolicy as "public") ?? "public", reply: "public" }, view.status.visibility, collections).quote
    : remotePolicy
      ? ((JSON.parse(remotePolicy) as RemotePolicy).quote ?? null)
      : null;
}

/** Whether deciding `rule` for a reader may need to know if they follow the author or are followed (policy.ts, decide). */
function namesRelations(rule: InteractionRule, collections: AuthorCollections): boolean {
  const names = (uri: string) => (collections.followersUri !== null && uri === collections.followersUri) || (collections.followingUri !== null && uri === collections.followingUri);
  return rule.automatic.some(names) || rule.manual.some(names);
}

function approvalFor(view: QuoteCarrier, rule: InteractionRule | null, collections: AuthorCollections, viewerId: string | null, follows: Set<string>, followedBy: Set<string>): QuoteApprovalView {
  const author = view.account;
  const automatic = rule ? approvalNames(rule.automatic, collections) : [];
  const manual = rule ? approvalNames(rule.manual, collections) : [];
  if (!viewerId) return { automatic, manual, currentUser: "unknown" };
  const facts = { actorUri: "", isAuthor: viewerId === author.id, follower: follows.has(author.id), followed: followedBy.has(author.id), mentioned: view.mentions.some((m) => m.id === viewerId) };
  // The actor's own URI is not needed: rules naming single actors are "unsupported_policy" here.
  const decision = decide(rule ?? undefined, facts, collections, "quote");
  return { automatic, manual, currentUser: decision };
}
