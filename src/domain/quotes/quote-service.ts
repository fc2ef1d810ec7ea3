// Quote posts (Mastodon 4.5, FEP-044f) and interaction policies. A quote is a status that names
// another; whether the quoted post's author agreed is the quote's state: `accepted` (automatically
// by the policy, or by the remote author's QuoteAuthorization), `pending` (asked, no answer yet),
// `rejected`, `revoked` (the author took it back), `unauthorized` (a remote quote nobody approved).
// A quoted post that is deleted shows as `deleted`, and one the reader may not see as
// `unauthorized` (quote-views.ts decides per reader). The status service calls prepare() before
// storing a new status and created() after; federation/quotes.ts calls the receive* methods.
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { InteractionPolicyRow, QuoteRow } from "../../store/quotes.ts";
import type { PageRequest } from "../../store/pagination.ts";
import type { InteractionAudience, QuoteState, Visibility } from "../../db/schema.ts";
import type { NotificationService } from "../notifications/notification-service.ts";
import type { EventBus } from "../events.ts";
import { forbidden, notFound, validationFailed } from "../errors.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { decide, isQuotePolicy, isReplyPolicy, localRules, type AuthorCollections, type Decision, type InteractionKind, type RemotePolicy } from "./policy.ts";
import { authorizationUriOf, QuoteOutboxSlot } from "./quote-outbox.ts";

/** What a new status or an edit asks about quoting and policies (absent: unchanged / the default). */
export interface QuoteInput {
  quotedStatusId?: string | null;
  quotePolicy?: string | null;
  replyPolicy?: string | null;
}

export interface PreparedQuote {
  quoted: StatusRow | null;
  quotePolicy: InteractionAudience;
  replyPolicy: InteractionAudience;
}

/** At most this many local quoters hear that a quoted post was edited. */
const MAX_QUOTED_UPDATE_NOTIFICATIONS = 1000;

export function collectionsOf(account: AccountRow): AuthorCollections {
  const local = account.domain === null;
  return {
    authorUri: account.uri,
    followersUri: account.followers_url ?? (local ? `${account.uri}/followers` : null),
    followingUri: local ? `${account.uri}/following` : null,
  };
}

export class QuoteService {
  private readonly stores: Stores;
  private readonly notifications: NotificationService;
  private readonly events: EventBus | null;
  readonly outbox = new QuoteOutboxSlot();

  /** `events`: a quote whose state changes is an update of the quoting status (streaming clients redraw it). */
  constructor(stores: Stores, notifications: NotificationService, events: EventBus | null = null) {
    this.stores = stores;
    this.notifications = notifications;
    this.events = events;
  }

  // --- policies ------------------------------------------------------------------------------

  /** How `kind` by `actor` on `status` is decided by the status's policy (local, or as its server announced). */
  async decision(actor: AccountRow, status: StatusRow, kind: InteractionKind): Promise<Decision> {
    const author = await this.stores.accounts.byId(status.account_id);
    if (!author) return "denied";
    const policy = (await this.stores.quotes.policiesOf([status.id])).get(status.id);
    const rules = this.rulesOf(status, author, policy);
    const facts = {
      actorUri: actor.uri,
      isAuthor: actor.id === author.id,
      follower: Boolean(await this.stores.relationships.find("follows", actor.id, author.id)),
      followed: Boolean(await this.stores.relationships.find("follows", author.id, actor.id)),
      mentioned: ((await this.stores.statuses.mentionsOf([status.id])).get(status.id) ?? []).includes(actor.id),
    };
    return decide(rules?.[kind], facts, collectionsOf(author), kind);
  }

  /** The rules a status is under: a local one's from its row (public by default), a remote one's as announced (null: none known). */
  rulesOf(status: StatusRow, author: AccountRow, policy: InteractionPolicyRow | undefined): RemotePolicy | null {
    if (status.local === 1) {
      return localRules({ quote: policy?.quote_policy ?? "public", reply: policy?.reply_policy ?? "public" }, status.visibility, collectionsOf(author));
    }
    return policy?.remote_policy ? (JSON.parse(policy.remote_policy) as RemotePolicy) : null;
  }

  /** A local account may reply to, like or boost `status` (422 with the reason otherwise). */
  async checkLocalInteraction(actor: AccountRow, status: StatusRow, kind: Exclude<InteractionKind, "quote">): Promise<void> {
    const decision = await this.decision(actor, status, kind);
    if (decision === "denied") {
      const what = kind === "reply" ? "reply to" : kind === "like" ? "favourite" : "boost";
      throw validationFailed(`Validation failed: The author does not allow you to ${what} this post`);
    }
  }

  // --- local quotes ----------------------------------------------------------------------------

  /** Checks what a new status asks (before it is stored): the quoted post, the policies, the parent's reply policy. */
  async prepare(author: AccountRow, input: QuoteInput | undefined, visibility: Visibility, inReplyToId: string | null | undefined): Promise<PreparedQuote> {
    const quotePolicy = checkQuotePolicy(input?.quotePolicy) ?? "public";
    const replyPolicy = checkReplyPolicy(input?.replyPolicy) ?? "public";
    if (inReplyToId) {
      const parent = await this.stores.statuses.readableById(inReplyToId, author.id);
      // An unreadable parent is the status service's "not found".
      if (parent) await this.checkLocalInteraction(author, parent, "reply");
    }
    const quoted = input?.quotedStatusId ? await this.quotable(author, input.quotedStatusId) : null;
    return { quoted, quotePolicy: visibility === "private" || visibility === "direct" ? "nobody" : quotePolicy, replyPolicy };
  }

  /** After the status is stored: its policy (returned as stored), and its quote (decided at once for a local post, asked of a remote one). */
  async created(author: AccountRow, status: StatusRow, prepared: PreparedQuote): Promise<InteractionPolicyRow> {
    const policy: InteractionPolicyRow = { status_id: status.id, quote_policy: prepared.quotePolicy, reply_policy: prepared.replyPolicy, remote_policy: null };
    await this.stores.quotes.setPolicy(policy);
    if (prepared.quoted) await this.attach(author, status, prepared.quoted);
    return policy;
  }

  /** An edit (before it is stored): new policies, or a quote added to a status that had none. */
  async edited(author: AccountRow, status: StatusRow, input: QuoteInput | undefined): Promise<void> {
    if (input && (input.quotePolicy || input.replyPolicy)) {
      const current = (await this.stores.quotes.policiesOf([status.id])).get(status.id);
      const quotePolicy = status.visibility === "private" || status.visibility === "direct" ? "nobody" : (checkQuotePolicy(input.quotePolicy) ?? current?.quote_policy ?? "public");
      await this.stores.quotes.setPolicy({ status_id: status.id, quote_policy: quotePolicy, reply_policy: checkReplyPolicy(input.replyPolicy) ?? current?.reply_policy ?? "public", remote_policy: null });
    }
    if (input?.quotedStatusId) {
      const existing = await this.stores.quotes.byStatusId(status.id);
      if (!existing) await this.attach(author, status, await this.quotable(author, input.quotedStatusId));
      else if (existing.quoted_status_id !== input.quotedStatusId) throw validationFailed("Validation failed: A post's quote cannot be changed once set");
    }
  }

  /** Local authors of accepted quotes of `status` hear that it changed (quoted_update). */
  async quotedUpdated(status: StatusRow): Promise<void> {
    for (const quote of await this.stores.quotes.acceptedOf(status.id, MAX_QUOTED_UPDATE_NOTIFICATIONS)) {
      await this.notifications.notify(quote.account_id, status.account_id, "quoted_update", quote.status_id);
    }
  }

  /** PUT /api/v1/statuses/:id/interaction_policy: the author changes who may quote it. */
  async setQuotePolicy(author: AccountRow, statusId: string, policy: string | undefined): Promise<StatusRow> {
    const status = await this.stores.statuses.byId(statusId);
    if (!status || status.account_id !== author.id || status.reblog_of_id) throw notFound();
    await this.edited(author, status, { quotePolicy: policy ?? null });
    return status;
  }

  /**
   * The accepted quotes of a post, newest first, as Mastodon lists them — each one only if the
   * viewer may read it (Mastodon shows its author followers-only quotes too; Skein does not
   * show anyone a post outside its audience).
   */
  async quotesOf(viewer: AccountRow, statusId: string, page: PageRequest): Promise<StatusRow[]> {
    const status = await this.stores.statuses.readableById(statusId, viewer.id);
    if (!status) throw notFound();
    return this.stores.quotes.quotingStatuses(status.id, ["accepted"], viewer.id, page);
  }

  /** The quoted post's author takes back a quote: the quote shows nothing any more. */
  async revoke(author: AccountRow, statusId: string, quotingId: string): Promise<StatusRow> {
    const status = await this.stores.statuses.readableById(statusId, author.id);
    if (!status) throw notFound();
    if (status.account_id !== author.id) throw forbidden("Only the quoted post's author may revoke its quotes");
    const quote = await this.stores.quotes.byStatusId(quotingId);
    const quoting = await this.stores.statuses.byId(quotingId);
    if (!quote || !quoting || quote.quoted_status_id !== status.id) throw notFound();
    if (quote.state === "accepted" || quote.state === "pending") {
      await this.setState(quote, "revoked");
      const quoter = await this.stores.accounts.byId(quote.account_id);
      if (quoter && quoter.domain !== null) await this.outbox.quoteRevoked(quote, author, quoter);
    }
    return quoting;
  }

  // --- federation ----------------------------------------------------------------------------

  /**
   * A remote account asks to quote a local post (FEP-044f QuoteRequest), its quoting status
   * already stored: decided by the post's policy, answered with Accept (our authorization) or Reject.
   */
  async receiveQuoteRequest(requester: AccountRow, quoted: StatusRow, quoting: StatusRow | null, requestUri: string): Promise<"accepted" | "rejected"> {
    const author = await this.stores.accounts.byId(quoted.account_id);
    if (!author || author.domain !== null) return "rejected";
    const visible = Boolean(await this.stores.statuses.readableById(quoted.id, requester.id));
    const allowed = visible && (await this.decision(requester, quoted, "quote")) === "automatic" && (!quoting || quoting.account_id === requester.id);
    let quote = quoting ? await this.stores.quotes.byStatusId(quoting.id) : undefined;
    const now = nowIso();
    if (quoting && !quote) {
      const id = newId();
      quote = { id, status_id: quoting.id, account_id: requester.id, quoted_status_id: quoted.id, quoted_account_id: author.id, quoted_uri: quoted.uri, state: "pending", authorization_uri: null, request_uri: requestUri, created_at: now, updated_at: now };
      await this.stores.quotes.insert(quote);
    }
    const answered: QuoteRow = quote ?? { id: newId(), status_id: "0", account_id: requester.id, quoted_status_id: quoted.id, quoted_account_id: author.id, quoted_uri: quoted.uri, state: "pending", authorization_uri: null, request_uri: requestUri, created_at: now, updated_at: now };
    if (quote && quote.quoted_status_id === quoted.id) {
      const authorization = allowed ? authorizationUriOf(author, quote.id) : null;
      await this.stores.quotes.update(quote.id, { state: allowed ? "accepted" : "rejected", authorization_uri: authorization, request_uri: requestUri, updated_at: now });
      answered.authorization_uri = authorization;
      if (allowed && quote.state !== "accepted") await this.notifyQuote(author.id, requester.id, quote.status_id);
    }
    answered.request_uri = requestUri;
    await this.outbox.quoteAnswered(answered, author, requester, allowed && quote !== undefined);
    return allowed && quote ? "accepted" : "rejected";
  }

  /** Our QuoteRequest was answered: accepted with a verified authorization, or rejected. */
  async receiveAnswer(sender: AccountRow, quote: QuoteRow, accepted: boolean, authorizationUri: string | null): Promise<void> {
    if (quote.quoted_account_id !== sender.id) return;
    if (accepted && authorizationUri) {
      await this.stores.quotes.update(quote.id, { state: "accepted", authorization_uri: authorizationUri, updated_at: nowIso() });
      this.events?.publish({ type: "status.updated", statusId: quote.status_id });
    } else if (!accepted) {
      await this.setState(quote, "rejected");
    }
  }

  /** The quoted post's author deleted its authorization: the quote is revoked. */
  async receiveRevocation(sender: AccountRow, authorizationUri: string): Promise<boolean> {
    const quote = await this.stores.quotes.byAuthorizationUri(authorizationUri);
    if (!quote || quote.quoted_account_id !== sender.id) return false;
    await this.setState(quote, "revoked");
    return true;
  }

  /**
   * A remote status that quotes `quotedUri` (FEP-044f `quote`, or Fedibird's / Misskey's older
   * properties): `authorized` when its authorization was verified (or is ours), `legacy` when it
   * names no FEP-044f quote at all. The quoted post may not be stored (yet): `quoted` null.
   */
  async recordRemote(status: StatusRow, quotedUri: string, quoted: StatusRow | null, authorizationUri: string | null, authorized: boolean, legacy: boolean): Promise<void> {
    const existing = await this.stores.quotes.byStatusId(status.id);
    const now = nowIso();
    // A quote of one of our posts is accepted only by the authorization we issued for it.
    let state: QuoteState = authorized ? "accepted" : legacy ? "unauthorized" : "pending";
    if (existing) {
      if (existing.state === "accepted" && !authorized && existing.authorization_uri === authorizationUri) state = "accepted";
      if (existing.state === "revoked" || existing.state === "rejected") state = existing.state;
      await this.stores.quotes.update(existing.id, { state, authorization_uri: authorized ? authorizationUri : existing.authorization_uri, quoted_status_id: quoted?.id ?? existing.quoted_status_id, quoted_account_id: quoted?.account_id ?? existing.quoted_account_id, updated_at: now });
      return;
    }
    const id = newId();
    await this.stores.quotes.insert({ id, status_id: status.id, account_id: status.account_id, quoted_status_id: quoted?.id ?? null, quoted_account_id: quoted?.account_id ?? null, quoted_uri: quotedUri, state, authorization_uri: authorized ? authorizationUri : null, request_uri: null, created_at: now, updated_at: now });
    if (state === "accepted" && quoted) await this.notifyQuote(quoted.account_id, status.account_id, status.id);
  }

  /**
   * Before a local status is deleted: the remote author it quotes, who is told of the deletion
   * after it (`quotingDeleted`); null when it quotes no remote post.
   */
  async remoteQuotedAuthorOf(status: StatusRow): Promise<AccountRow | null> {
    if (status.local !== 1) return null;
    const quote = await this.stores.quotes.byStatusId(status.id);
    const author = quote?.quoted_account_id ? await this.stores.accounts.byId(quote.quoted_account_id) : undefined;
    return author && author.domain !== null ? author : null;
  }

  async quotingDeleted(status: StatusRow, quotedAuthor: AccountRow): Promise<void> {
    const quoter = await this.stores.accounts.byId(status.account_id);
    if (quoter) await this.outbox.quotingDeleted(status, quoter, quotedAuthor);
  }

  /** The quote of a stored status, for federation. */
  quoteOf(statusId: string): Promise<QuoteRow | undefined> {
    return this.stores.quotes.byStatusId(statusId);
  }

  /** A remote status's announced interactionPolicy, kept to be enforced on local accounts. */
  async recordRemotePolicy(status: StatusRow, policy: RemotePolicy | null): Promise<void> {
    if (!policy && !(await this.stores.quotes.policiesOf([status.id])).has(status.id)) return;
    await this.stores.quotes.setPolicy({ status_id: status.id, quote_policy: "public", reply_policy: "public", remote_policy: policy ? JSON.stringify(policy) : null });
  }

  /** Refuses a default quote policy that is not one (checked before anything of the profile changes). */
  checkDefaultPolicy(value: string | undefined): void {
    checkQuotePolicy(value);
  }

  /** The user's default quote policy (update_credentials `source[quote_policy]`), kept in their settings; returns the settings. */
  async setDefaultPolicy(user: { id: string; settings: string }, value: string | undefined): Promise<string> {
    const policy = checkQuotePolicy(value);
    if (!policy) return user.settings;
    const settings = JSON.parse(user.settings || "{}") as Record<string, unknown>;
    settings.quote_policy = policy;
    const json = JSON.stringify(settings);
    await this.stores.users.update(user.id, { settings: json });
    return json;
  }

  // --- internals -------------------------------------------------------------------------------

  /** The post `author` wants to quote: readable by them, public or unlisted (a boost stands for what it boosts). */
  private async quotable(author: AccountRow, id: string): Promise<StatusRow> {
    let quoted = await this.stores.statuses.readableById(id, author.id);
    if (quoted?.reblog_of_id) quoted = await this.stores.statuses.readableById(quoted.reblog_of_id, author.id);
    if (!quoted) throw notFound("The post you are quoting does not exist or is not visible to you");
    if (quoted.visibility !== "public" && quoted.visibility !== "unlisted") throw validationFailed("Validation failed: Private and direct posts cannot be quoted");
    return quoted;
  }

  private async attach(author: AccountRow, status: StatusRow, quoted: StatusRow): Promise<void> {
    const quotedAuthor = await this.stores.accounts.byId(quoted.account_id);
    if (!quotedAuthor) throw notFound();
    const id = newId();
    const now = nowIso();
    let state: QuoteState = "pending";
    let authorization: string | null = null;
    if (quotedAuthor.domain === null) {
      // A local post: its policy decides now (nobody reviews quotes by hand here, so "manual" waits).
      const decision = await this.decision(author, quoted, "quote");
      state = decision === "automatic" ? "accepted" : decision === "manual" ? "pending" : "rejected";
      if (state === "accepted") authorization = authorizationUriOf(quotedAuthor, id);
    }
    const quote: QuoteRow = { id, status_id: status.id, account_id: author.id, quoted_status_id: quoted.id, quoted_account_id: quotedAuthor.id, quoted_uri: quoted.uri, state, authorization_uri: authorization, request_uri: quotedAuthor.domain === null ? null : `${status.uri}#quote_request`, created_at: now, updated_at: now };
    await this.stores.quotes.insert(quote);
    if (state === "accepted") await this.notifyQuote(quotedAuthor.id, author.id, status.id);
    if (quotedAuthor.domain !== null) await this.outbox.quoteRequested(quote, status, author, quotedAuthor);
  }

  /** The quoted author hears of a quote they may read (a followers-only quote stays within its audience). */
  private async notifyQuote(recipientId: string, quoterId: string, quotingId: string): Promise<void> {
    if (await this.stores.statuses.readableById(quotingId, recipientId)) await this.notifications.notify(recipientId, quoterId, "quote", quotingId);
  }

  private async setState(quote: QuoteRow, state: QuoteState): Promise<void> {
    await this.stores.quotes.update(quote.id, { state, updated_at: nowIso() });
    this.events?.publish({ type: "status.updated", statusId: quote.status_id });
  }
}

function checkQuotePolicy(value: string | null | undefined): InteractionAudience | null {
  if (value === undefined || value === null || value === "") return null;
  if (!isQuotePolicy(value)) throw validationFailed("Validation failed: quote_approval_policy must be public, followers or nobody");
  return value;
}

function checkReplyPolicy(value: string | null | undefined): InteractionAudience | null {
  if (value === undefined || value === null || value === "") return null;
  if (!isReplyPolicy(value)) throw validationFailed("Validation failed: reply_policy must be public, followers, following or nobody");
  return value;
}

