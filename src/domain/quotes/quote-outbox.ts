// The port through which quote decisions reach other servers (FEP-044f): federation/quotes.ts
// implements it; without federation nothing is sent.
import type { AccountRow } from "../../store/accounts.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { QuoteRow } from "../../store/quotes.ts";

export interface QuoteOutbox {
  /** A local account quoted a remote post: ask its author (QuoteRequest with the quote as instrument). */
  quoteRequested(quote: QuoteRow, quoting: StatusRow, quoter: AccountRow, quotedAuthor: AccountRow): Promise<void>;
  /** A local author answered a remote QuoteRequest (Accept with the authorization, or Reject). */
  quoteAnswered(quote: QuoteRow, author: AccountRow, quoter: AccountRow, accepted: boolean): Promise<void>;
  /** A local author revoked a remote account's quote: Delete of the authorization. */
  quoteRevoked(quote: QuoteRow, author: AccountRow, quoter: AccountRow): Promise<void>;
  /** A local quote of a remote post was deleted: its author's server hears it too (it may not follow the quoter). */
  quotingDeleted(quoting: StatusRow, quoter: AccountRow, quotedAuthor: AccountRow): Promise<void>;
  /** A remote account's reply, like or boost was refused by a local post's policy: Reject it (as GoToSocial does). */
  interactionRejected(author: AccountRow, actor: AccountRow, objectUri: string): Promise<void>;
}

export class QuoteOutboxSlot implements QuoteOutbox {
  target: QuoteOutbox | null = null;
  async quoteRequested(q: QuoteRow, s: StatusRow, a: AccountRow, b: AccountRow) { await this.target?.quoteRequested(q, s, a, b); }
  async quoteAnswered(q: QuoteRow, a: AccountRow, b: AccountRow, accepted: boolean) { await this.target?.quoteAnswered(q, a, b, accepted); }
  async quoteRevoked(q: QuoteRow, a: AccountRow, b: AccountRow) { await this.target?.quoteRevoked(q, a, b); }
  async interactionRejected(a: AccountRow, b: AccountRow, uri: string) { await this.target?.interactionRejected(a, b, uri); }
  async quotingDeleted(s: StatusRow, a: AccountRow, b: AccountRow) { await this.target?.quotingDeleted(s, a, b); }
}

/** Where a local author's QuoteAuthorization for `quote` is served (federation/quotes.ts dispatches it). */
export function authorizationUriOf(author: AccountRow, quoteId: string): string {
  return `${author.uri}/quote_authorizations/${quoteId}`;
}
