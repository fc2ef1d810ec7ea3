// Quote posts (Mastodon 4.5): the quotes of one's post, revoking one, and a post's quote policy;
// plus the quote parameters of POST/PUT /api/v1/statuses (quoted_status_id,
// quote_approval_policy, and Skein's reply_policy — see domain/quotes/).
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { readParams, str, type Params } from "../../params.ts";
import { renderStatus, renderStatuses } from "../../render.ts";
import { pageRequest, setLinkHeader } from "../../pagination.ts";
import { parseId } from "../../../util/ids.ts";
import { ApiError } from "../../errors.ts";
import type { QuoteInput } from "../../../domain/quotes/quote-service.ts";

export const quotesRoutes = new Hono<AppEnv>();

function idParam(c: Context<AppEnv>, name: string): string {
  const id = parseId(c.req.param(name) ?? "");
  if (!id) throw new ApiError(404, "Record not found");
  return id;
}

/**
 * The quote parameters of a new status or an edit. `defaultPolicy`: the user's default quote
 * policy (new statuses only). A quoted_status_id that is no id names no post: 404, as Mastodon.
 */
export function quoteParams(params: Params, defaultPolicy: string | null): QuoteInput {
  const quoted = str(params, "quoted_status_id", 30) ?? str(params, "quote_id", 30);
  return {
    quotedStatusId: quoted ? (parseId(quoted) ?? "0") : null,
    quotePolicy: str(params, "quote_approval_policy", 20) || defaultPolicy,
    replyPolicy: str(params, "reply_policy", 20) ?? null,
  };
}

quotesRoutes.get("/:id/quotes", requireScope("read:statuses"), async (c) => {
  const page = pageRequest(c, { defaultLimit: 20, maxLimit: 40 });
  const rows = await c.get("services").quotes.quotesOf(currentUser(c).account, idParam(c, "id"), page);
  setLinkHeader(c, rows.map((r) => r.id));
  return c.json(await renderStatuses(c, rows));
});

quotesRoutes.post("/:id/quotes/:quoting_status_id/revoke", requireScope("write:statuses"), async (c) => {
  const quoting = await c.get("services").quotes.revoke(currentUser(c).account, idParam(c, "id"), idParam(c, "quoting_status_id"));
  return c.json(await renderStatus(c, quoting));
});

quotesRoutes.put("/:id/interaction_policy", requireScope("write:statuses"), async (c) => {
  const params = await readParams(c);
  const status = await c.get("services").quotes.setQuotePolicy(currentUser(c).account, idParam(c, "id"), str(params, "quote_approval_policy", 20));
  return c.json(await renderStatus(c, status));
});
