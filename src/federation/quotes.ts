// Quote posts over ActivityPub (FEP-044f) — the sending side and what other servers fetch: the
// quote and interactionPolicy fields of our Notes, the QuoteAuthorization objects our authors
// grant (served at /users/NAME/quote_authorizations/ID), and the domain's QuoteOutbox: a
// QuoteRequest to a quoted remote author, our Accept (with the authorization) or Reject of theirs,
// the Delete of an authorization that is revoked, and GoToSocial's Reject of an interaction a
// policy refuses. Activities go through the delivery engine like every other (delivery/).
import { Accept, Delete, QuoteAuthorization, QuoteRequest, Reject, Tombstone, type Activity } from "@fedify/vocab";
import type { FederationDeps, SkeinFederation } from "./context.ts";
import type { FedifyOutbox } from "./outbox.ts";
import { noteOf } from "./federation.ts";
import { parseId } from "../util/ids.ts";
import type { AccountRow } from "../store/accounts.ts";
import type { StatusRow } from "../store/statuses.ts";
import type { QuoteRow } from "../store/quotes.ts";
import type { StatusView } from "../domain/statuses/status-views.ts";
import type { QuoteOutbox } from "../domain/quotes/quote-outbox.ts";
import { localRules } from "../domain/quotes/policy.ts";
import { collectionsOf } from "../domain/quotes/quote-service.ts";
import { quoteNoteFields, toQuoteAuthorization } from "../convert/activitypub/quote.ts";
import { toInteractionPolicy } from "../convert/activitypub/interaction-policy.ts";


/** What a status's Note says about quotes and who may interact (local statuses announce their policy). */
export async function noteQuoteParts(deps: FederationDeps, status: StatusRow, author: AccountRow, view: StatusView | undefined) {
  // The view has read both already (attachQuotes): its quote row (null: none) and its policy.
  const quote = view?.quote !== undefined ? (view.quote?.row ?? null) : await deps.stores.quotes.byStatusId(status.id);
  if (author.domain !== null) return quoteNoteFields(quote);
  const policy = view?.policy !== undefined ? view.policy : (await deps.stores.quotes.policiesOf([status.id])).get(status.id);
  const rules = localRules({ quote: policy?.quote_policy ?? "public", reply: policy?.reply_policy ?? "public" }, status.visibility, collectionsOf(author));
  return { ...quoteNoteFields(quote), interactionPolicy: toInteractionPolicy(rules) };
}

/** Serves the authorizations local authors granted; revoked or unknown ones are not found. */
export function registerQuoteDispatchers(federation: SkeinFederation, deps: FederationDeps): void {
  federation.setObjectDispatcher(QuoteAuthorization, "/users/{identifier}/quote_authorizations/{id}", async (_ctx, values) => {
    const id = parseId(values.id);
    const quote = id ? await deps.stores.quotes.byId(id) : undefined;
    if (!quote || quote.state !== "accepted" || !quote.authorization_uri || !quote.quoted_account_id) return null;
    const author = await deps.stores.accounts.byId(quote.quoted_account_id);
    const quoting = await deps.stores.statuses.byId(quote.status_id);
    if (!author || author.domain !== null || author.username !== values.identifier || author.suspended_at || !quoting) return null;
    return toQuoteAuthorization(quote, author.uri, quoting.uri);
  });
}

export class FedifyQuoteOutbox implements QuoteOutbox {
  private readonly deps: FederationDeps;
  private readonly outbox: FedifyOutbox;

  constructor(deps: FederationDeps, outbox: FedifyOutbox) {
    this.deps = deps;
    this.outbox = outbox;
  }

  /** Signs `activity` as the local `actor` and queues it for `recipient`'s server (the outbox's one way of sending). */
  private send(actor: AccountRow, recipient: AccountRow, activity: Activity): Promise<void> {
    return this.outbox.send(actor, [recipient], activity);
  }

  async quoteRequested(quote: QuoteRow, quoting: StatusRow, quoter: AccountRow, quotedAuthor: AccountRow): Promise<void> {
    const note = await noteOf(this.deps, quoting.id);
    if (!note || !quote.request_uri) return;
    const request = new QuoteRequest({ id: new URL(quote.request_uri), actor: new URL(quoter.uri), object: new URL(quote.quoted_uri), instrument: note, to: new URL(quotedAuthor.uri) });
    await this.send(quoter, quotedAuthor, request);
  }

  async quoteAnswered(quote: QuoteRow, author: AccountRow, quoter: AccountRow, accepted: boolean): Promise<void> {
    if (!quote.request_uri) return;
    const id = new URL(`${author.uri}#quote_answers/${quote.id}/${Date.now()}`);
    const values = { id, actor: new URL(author.uri), object: new URL(quote.request_uri), to: new URL(quoter.uri) };
    const activity = accepted && quote.authorization_uri ? new Accept({ ...values, result: new URL(quote.authorization_uri) }) : new Reject(values);
    await this.send(author, quoter, activity);
  }

  async quoteRevoked(quote: QuoteRow, author: AccountRow, quoter: AccountRow): Promise<void> {
    if (!quote.authorization_uri) return;
    const del = new Delete({ id: new URL(`${quote.authorization_uri}#delete`), actor: new URL(author.uri), object: new URL(quote.authorization_uri), to: new URL(quoter.uri) });
    await this.send(author, quoter, del);
  }

  async quotingDeleted(quoting: StatusRow, quoter: AccountRow, quotedAuthor: AccountRow): Promise<void> {
    // The same Delete the followers get (federation/outbox.ts), so a server hearing both drops one.
    const del = new Delete({ id: new URL(`${quoting.uri}#delete`), actor: new URL(quoter.uri), object: new Tombstone({ id: new URL(quoting.uri) }), to: new URL(quotedAuthor.uri) });
    await this.send(quoter, quotedAuthor, del);
  }

  async interactionRejected(author: AccountRow, actor: AccountRow, objectUri: string): Promise<void> {
    const reject = new Reject({ id: new URL(`${author.uri}#rejects/${encodeURIComponent(objectUri)}`), actor: new URL(author.uri), object: new URL(objectUri), to: new URL(actor.uri) });
    await this.send(author, actor, reject);
  }
}
