// /api/v1/polls: a poll (visible when its status is) and voting in it.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { readParams, wholeNumber } from "../../params.ts";
import { convertContext, viewerId } from "../../render.ts";
import { parseId } from "../../../util/ids.ts";
import { ApiError } from "../../errors.ts";
import { toPoll } from "../../../convert/mastodon/poll.ts";
import type { PollView } from "../../../domain/polls/poll-views.ts";
import type { Context } from "hono";

export const pollsRoutes = new Hono<AppEnv>();

function pollId(id: string): string {
  const parsed = parseId(id);
  if (!parsed) throw new ApiError(404, "Record not found");
  return parsed;
}

/** The Poll entity, with the custom emojis its options use (its author's server's). */
async function renderPoll(c: Context<AppEnv>, view: PollView) {
  const services = c.get("services");
  const author = await services.accounts.visible(view.poll.account_id).catch(() => null);
  const domain = author?.domain ?? null;
  await services.emojis.catalog.warm([{ domain, texts: view.options.map((o) => o.title) }]);
  return toPoll(view, new Date(), convertContext(c), domain);
}

pollsRoutes.get("/:id", async (c) => c.json(await renderPoll(c, await c.get("services").polls.view(pollId(c.req.param("id")), viewerId(c)))));

pollsRoutes.post("/:id/votes", requireScope("write:statuses"), async (c) => {
  const { account } = currentUser(c);
  const params = await readParams(c);
  const raw = params.choices ?? params["choices[]"];
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0) || raw === "") {
    throw new ApiError(400, "param is missing or the value is empty: choices");
  }
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length > 100) throw new ApiError(422, "Validation failed: The chosen vote option does not exist");
  // Option indexes; anything else is an option that does not exist, in the poll rules' words.
  const choices = list.map((v) => wholeNumber(v) ?? -1);
  return c.json(await renderPoll(c, await c.get("services").polls.vote(account, pollId(c.req.param("id")), choices)));
});
