// Quotes on Notes (FEP-044f `quote` and `quoteAuthorization`, with Fedibird's `quoteUri` and
// Misskey's `_misskey_quote` — Fedify's `quoteUrl` writes both — for older software) and the
// QuoteAuthorization object a quoted post's author serves.
import { QuoteAuthorization, type Object as APObject } from "@fedify/vocab";
import type { QuoteRow } from "../../store/quotes.ts";

/** The Note fields of a quoting status. The authorization is named once the quote is accepted. */
export function quoteNoteFields(quote: QuoteRow | null | undefined): { quote?: URL; quoteUrl?: URL; quoteAuthorization?: URL } {
  if (!quote) return {};
  const quoted = new URL(quote.quoted_uri);
  return { quote: quoted, quoteUrl: quoted, ...(quote.state === "accepted" && quote.authorization_uri ? { quoteAuthorization: new URL(quote.authorization_uri) } : {}) };
}

export interface IncomingQuote {
  uri: string;
  /** Named only by the older properties (quoteUri, _misskey_quote, quoteUrl): no FEP-044f quote. */
  legacy: boolean;
  authorizationUri: string | null;
}

/** What a remote post quotes, if anything (http(s) URIs only). */
export function incomingQuote(note: APObject): IncomingQuote | null {
  if (!("quoteUrl" in note)) return null;
  const n = note as APObject & { quoteId: URL | null; quoteUrl: URL | null; quoteAuthorizationId: URL | null };
  const uri = n.quoteId ?? n.quoteUrl;
  if (!uri || !/^https?:$/.test(uri.protocol) || uri.href.length > 2048) return null;
  const authorization = n.quoteAuthorizationId;
  return { uri: uri.href, legacy: n.quoteId === null, authorizationUri: authorization && /^https?:$/.test(authorization.protocol) ? authorization.href : null };
}

/** The authorization a local author grants for `quote` (served at its URI). */
export function toQuoteAuthorization(quote: QuoteRow, authorUri: string, quotingUri: string): QuoteAuthorization {
  return new QuoteAuthorization({
    id: new URL(quote.authorization_uri!),
    attribution: new URL(authorUri),
    interactingObject: new URL(quotingUri),
    interactionTarget: new URL(quote.quoted_uri),
  });
}
