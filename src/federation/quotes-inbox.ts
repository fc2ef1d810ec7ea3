// Quote posts and interaction policies as other servers send them (FEP-044f, GoToSocial's
// interaction policies). inbox.ts calls these from its listeners:
// - QuoteRequest for one of our posts: the quoting post (the instrument, from the requester's
//   own server) is stored and the post's policy answers (Accept with our authorization, or Reject);
// - Accept / Reject of our QuoteRequest: the quote becomes accepted (only with an authorization
//   that verifies: fetched from the quoted author's server, attributed to them, naming our post
//   and theirs) or rejected; Delete of an authorization: revoked;
// - a post that quotes (`quote`, `quoteUri`, `_misskey_quote`): stored as a quote, accepted only
//   with a verified authorization; its interactionPolicy kept;
// - a reply, like or boost of one of our posts that its policy refuses: dropped, and a Reject sent.
import { isPostObject } from "../convert/activitypub/note.ts";
import { QuoteAuthorization, type Accept, type Activity, type Object as APObject, type QuoteRequest, type Reject } from "@fedify/vocab";
import type { Context, InboxContext } from "@fedify/fedify";
import { getLogger } from "@logtape/logtape";
import type { FederationDeps } from "./context.ts";
import type { Resolver } from "./resolver.ts";
import type { AccountRow } from "../store/accounts.ts";
import type { StatusRow } from "../store/statuses.ts";
import type { QuoteRow } from "../store/quotes.ts";
import type { InteractionKind } from "../domain/quotes/policy.ts";
import { incomingQuote } from "../convert/activitypub/quote.ts";
import { fromInteractionPolicy } from "../convert/activitypub/interaction-policy.ts";
import { INSTANCE_ACTOR } from "./federation.ts";
import { fetchedOrNull } from "./fetch-failures.ts";

const logger = getLogger(["skein", "federation", "quotes"]);
/** The quoted post of an incoming quote is fetched with no parents beyond those already stored. */
const QUOTED_FETCH_DEPTH = 1;

type SenderOf = (ctx: InboxContext<void>, activity: Activity) => Promise<AccountRow | null>;

export class QuoteInbox {
  private readonly deps: FederationDeps;
  private readonly resolver: Resolver;

  constructor(deps: FederationDeps, resolver: Resolver) {
    this.deps = deps;
    this.resolver = resolver;
  }

  private isLocal(uri: string): boolean {
    return new URL(uri).origin === new URL(this.deps.config.origin).origin;
  }

  /** A QuoteRequest for one of our posts. */
  async request(ctx: InboxContext<void>, request: QuoteRequest, senderOf: SenderOf): Promise<void> {
    const sender = await senderOf(ctx, request);
    if (!sender || sender.domain === null || !request.id || !request.objectId) return;
    const quoted = await this.deps.stores.statuses.byUri(request.objectId.href);
    if (!quoted || quoted.local !== 1) return;
    // The quoting post: as embedded, when it comes from the requester's own server (the
    // resolver checks it is theirs), else fetched.
    let quoting: StatusRow | null = null;
    const instrument = await fetchedOrNull(request.getInstrument({ documentLoader: ctx.documentLoader }));
    if (instrument && isPostObject(instrument) && instrument.id && instrument.id.origin === new URL(sender.uri).origin) {
      quoting = (await this.deps.stores.statuses.byUri(instrument.id.href)) ?? (await this.resolver.post(ctx, instrument, sender));
    } else if (request.instrumentId) {
      quoting = await this.resolver.status(ctx, request.instrumentId, QUOTED_FETCH_DEPTH);
    }
    if (quoting && quoting.account_id !== sender.id) quoting = null;
    await this.deps.services.quotes.receiveQuoteRequest(sender, quoted, quoting, request.id.href);
  }

  /** An Accept of one of our QuoteRequests; false when it is about something else. */
  async accept(ctx: InboxContext<void>, accept: Accept, sender: AccountRow): Promise<boolean> {
    const quote = await this.ownRequest(accept.objectId);
    if (!quote) return false;
    const authorization = accept.resultId;
    const quoting = await this.deps.stores.statuses.byId(quote.status_id);
    if (!authorization || !quoting || !(await this.verified(ctx, authorization.href, sender, quoting.uri, quote.quoted_uri))) {
      logger.info("Ignored an Accept of {request}: its authorization does not verify", { request: quote.request_uri });
      return true;
    }
    await this.deps.services.quotes.receiveAnswer(sender, quote, true, authorization.href);
    // Our followers' servers learn of the authorization with the Note.
    await this.deps.services.outbox.statusUpdated(quoting);
    return true;
  }

  /** A Reject of one of our QuoteRequests; false when it is about something else. */
  async reject(reject: Reject, sender: AccountRow): Promise<boolean> {
    const quote = await this.ownRequest(reject.objectId);
    if (!quote) return false;
    await this.deps.services.quotes.receiveAnswer(sender, quote, false, null);
    return true;
  }

  /** A Delete naming an authorization we hold: the quote is revoked. */
  async revoked(objectUri: string, sender: AccountRow): Promise<boolean> {
    return this.deps.services.quotes.receiveRevocation(sender, objectUri);
  }

  /**
   * After a remote post is stored (resolver.ts, Update): its quote and its interaction policy.
   * `depth`: how far fetching may still go (the quoted post is fetched only while some is left,
   * so a chain of quotes of quotes stops as a thread does).
   */
  async stored(ctx: Context<void>, object: APObject, status: StatusRow | null, depth: number): Promise<void> {
    if (!status || status.local === 1) return;
    const policy = "interactionPolicy" in object ? fromInteractionPolicy((object as { interactionPolicy: Parameters<typeof fromInteractionPolicy>[0] }).interactionPolicy) : null;
    await this.deps.services.quotes.recordRemotePolicy(status, policy);
    const quote = incomingQuote(object);
    if (!quote) return;
    const quoted = await this.resolver.status(ctx, quote.uri, Math.min(depth - 1, QUOTED_FETCH_DEPTH)).catch(() => null);
    let authorized = false;
    if (quote.authorizationUri && quoted) {
      if (this.isLocal(quote.authorizationUri)) {
        // Ours: only the authorization we granted for exactly this post.
        const ours = await this.deps.stores.quotes.byAuthorizationUri(quote.authorizationUri);
        authorized = ours !== undefined && ours.status_id === status.id && ours.state === "accepted";
      } else {
        const quotedAuthor = await this.deps.stores.accounts.byId(quoted.account_id);
        authorized = quotedAuthor !== undefined && (await this.verified(ctx, quote.authorizationUri, quotedAuthor, status.uri, quoted.uri));
      }
    }
    await this.deps.services.quotes.recordRemote(status, quote.uri, quoted, quote.authorizationUri, authorized, quote.legacy);
  }

  /**
   * Whether `sender` may reply to, like or boost `target` (one of our posts) by its policy. When
   * not, the interaction is refused as GoToSocial does: a Reject of `objectUri`, nothing stored.
   */
  async allowed(sender: AccountRow, target: StatusRow | null | undefined, kind: Exclude<InteractionKind, "quote">, objectUri: string | null): Promise<boolean> {
    if (!target || target.local !== 1) return true;
    if ((await this.deps.services.quotes.decision(sender, target, kind)) !== "denied") return true;
    const author = await this.deps.stores.accounts.byId(target.account_id);
    if (author && objectUri) await this.deps.services.quotes.outbox.interactionRejected(author, sender, objectUri);
    logger.info("Refused a {kind} of {target} by {sender}: not allowed by its interaction policy", { kind, target: target.uri, sender: sender.uri });
    return false;
  }

  /** The quote whose QuoteRequest (one of ours) `objectId` names. */
  private async ownRequest(objectId: URL | null): Promise<QuoteRow | undefined> {
    if (!objectId || !this.isLocal(objectId.href)) return undefined;
    return this.deps.stores.quotes.byRequestUri(objectId.href);
  }

  /**
   * An authorization verifies when fetched from its author's server (never trusted embedded) as a
   * QuoteAuthorization attributed to the quoted post's author, naming the quoting and quoted posts.
   */
  private async verified(ctx: Context<void>, uri: string, quotedAuthor: AccountRow, quotingUri: string, quotedUri: string): Promise<boolean> {
    if (new URL(uri).origin !== new URL(quotedAuthor.uri).origin) return false;
    try {
      const object = await ctx.lookupObject(uri, { documentLoader: await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR }) });
      return (
        object instanceof QuoteAuthorization &&
        object.id?.href === uri &&
        object.attributionId?.href === quotedAuthor.uri &&
        object.interactingObjectId?.href === quotingUri &&
        object.interactionTargetId?.href === quotedUri
      );
    } catch (error) {
      logger.info("Could not fetch the authorization {uri}: {error}", { uri, error });
      return false;
    }
  }
}
