// A status's quote (Mastodon 4.5's Quote and ShallowQuote entities) and its quote approval
// policy (QuoteApproval), from what domain/quotes/quote-views.ts loaded for the reader.
import type { StatusView } from "../../domain/statuses/status-views.ts";
import type { ConvertContext } from "./account.ts";

type StatusConverter = (view: StatusView, ctx: ConvertContext) => Record<string, unknown>;

/** The Status entity's `quote`, `quote_approval` and `quotes_count`. */
export function quoteFields(view: StatusView, ctx: ConvertContext, toStatus: StatusConverter): Record<string, unknown> {
  const quote = view.quote;
  const approval = view.quoteApproval;
  return {
    quotes_count: view.quotesCount ?? 0,
    quote: quote
      ? quote.shallow
        ? { state: quote.state, quoted_status_id: quote.quotedId }
        : { state: quote.state, quoted_status: quote.quoted ? toStatus(quote.quoted as StatusView, ctx) : null }
      : null,
    quote_approval: approval ? { automatic: approval.automatic, manual: approval.manual, current_user: approval.currentUser } : null,
  };
}
