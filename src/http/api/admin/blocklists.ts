// /api/v1/admin/blocklists (a Skein extension): import and export blocklists, and subscriptions
// to published ones with their drafts — the same service as `./skein blocklist`. Scopes
// admin:read:domain_blocks / admin:write:domain_blocks, permission manage_federation, as for
// the domain blocks these endpoints make.
//
//   POST   import                       {text, format, dry_run} → what changed (or would)
//   GET    export?format=csv|json|rapidblock|text
//   GET    subscriptions                POST subscriptions {url, format, priority, …}
//   GET    subscriptions/:id            PATCH subscriptions/:id      DELETE subscriptions/:id?undo=true
//   POST   subscriptions/:id/refresh
//   GET    drafts                       POST drafts/:id/approve      POST drafts/:id/reject
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { requireAdmin } from "./guard.ts";
import { bool, int, readParams, str, strOrList, type Params } from "../../params.ts";
import { ApiError } from "../../errors.ts";
import { actorOf, idParam } from "./domain-blocks.ts";
import { toBlocklistDraft, toBlocklistSubscription } from "../../../convert/mastodon/admin/blocklists.ts";
import type { RefreshOutcome, SubscriptionInput } from "../../../domain/moderation/blocklists/subscriptions.ts";
import { BLOCKLIST_LIMITS } from "../../../domain/moderation/blocklists/formats.ts";

export const adminBlocklists = new Hono<AppEnv>();

const read = requireAdmin("admin:read:domain_blocks", "manage_federation");
const write = requireAdmin("admin:write:domain_blocks", "manage_federation");

function subscriptionInput(params: Params): SubscriptionInput {
  const excludes = strOrList(params, "excludes");
  return {
    url: str(params, "url", 4096),
    format: str(params, "format", 100),
    priority: int(params, "priority", { min: 0, max: 255 }),
    create_as_drafts: bool(params, "create_as_drafts"),
    adopt_existing: bool(params, "adopt_existing"),
    remove_retracted: bool(params, "remove_retracted"),
    apply_silence: bool(params, "apply_silence"),
    max_severity: str(params, "max_severity", 100),
    excludes: excludes === undefined ? undefined : (Array.isArray(excludes) ? excludes : excludes.split(/[\s,]+/)).filter(Boolean),
    enabled: bool(params, "enabled"),
  };
}

const withOutcome = (outcome: RefreshOutcome) => ({ ...toBlocklistSubscription(outcome.subscription), refresh: { result: outcome.result, changes: outcome.changes } });

adminBlocklists.post("/import", write, async (c) => {
  const params = await readParams(c);
  const text = str(params, "text", BLOCKLIST_LIMITS.maxBytes);
  if (text === undefined) throw new ApiError(422, "Validation failed: text can't be blank");
  const report = await c.get("services").moderation.blocklists.importList(actorOf(c), { text, format: str(params, "format", 100), dryRun: bool(params, "dry_run") ?? false });
  return c.json(report);
});

adminBlocklists.get("/export", read, async (c) => {
  const list = await c.get("services").moderation.blocklists.exportList(c.req.query("format") ?? undefined);
  return c.body(list.text, 200, { "content-type": list.contentType });
});

adminBlocklists.get("/subscriptions", read, async (c) => {
  return c.json((await c.get("services").moderation.blocklists.subscriptions()).map(toBlocklistSubscription));
});

adminBlocklists.post("/subscriptions", write, async (c) => {
  const outcome = await c.get("services").moderation.blocklists.subscribe(actorOf(c), subscriptionInput(await readParams(c)));
  return c.json(withOutcome(outcome));
});

adminBlocklists.get("/subscriptions/:id", read, async (c) => {
  return c.json(toBlocklistSubscription(await c.get("services").moderation.blocklists.get(idParam(c))));
});

adminBlocklists.patch("/subscriptions/:id", write, async (c) => {
  const id = idParam(c);
  const row = await c.get("services").moderation.blocklists.update(actorOf(c), id, subscriptionInput(await readParams(c)));
  return c.json(toBlocklistSubscription(row));
});

adminBlocklists.delete("/subscriptions/:id", write, async (c) => {
  const id = idParam(c);
  const params = { ...(await readParams(c)), ...c.req.query() };
  const { subscription, changes } = await c.get("services").moderation.blocklists.unsubscribe(actorOf(c), id, bool(params, "undo") ?? false);
  return c.json({ ...toBlocklistSubscription(subscription), changes });
});

adminBlocklists.post("/subscriptions/:id/refresh", write, async (c) => {
  return c.json(withOutcome(await c.get("services").moderation.blocklists.refresh(idParam(c))));
});

adminBlocklists.get("/drafts", read, async (c) => {
  return c.json((await c.get("services").moderation.blocklists.drafts()).map(toBlocklistDraft));
});

adminBlocklists.post("/drafts/:id/approve", write, async (c) => {
  return c.json(toBlocklistDraft(await c.get("services").moderation.blocklists.approve(actorOf(c), idParam(c))));
});

adminBlocklists.post("/drafts/:id/reject", write, async (c) => {
  return c.json(toBlocklistDraft(await c.get("services").moderation.blocklists.reject(actorOf(c), idParam(c))));
});
