// POST /api/v1/reports: a user reports an account (and some of its posts) to the moderators,
// optionally forwarding the report to the account's server. The rules are the report service's.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { bool, invalidParam, readParams, str, type Params } from "../../params.ts";
import { ApiError } from "../../errors.ts";
import { parseId } from "../../../util/ids.ts";
import { toReport } from "../../../convert/mastodon/report.ts";
import { convertContext } from "../../render.ts";

export const reportsRoutes = new Hono<AppEnv>();

/** Longer than any list a client sends; the service has the real bounds (100 posts, 20 domains). */
const MAX_LIST = 1000;

/** `name[]` or `name` (JSON array, or one value) as a list of strings, each at most `max` long. */
export function stringList(params: Params, name: string, max: number): string[] | undefined {
  const value = params[name] ?? params[`${name}[]`];
  if (value === undefined || value === null || value === "") return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length > MAX_LIST) throw invalidParam(name, `must have at most ${MAX_LIST} entries`);
  return list.map((v) => {
    if (typeof v === "number") return String(v);
    if (typeof v !== "string") throw invalidParam(name, "must be a list of strings");
    if (v.length > max) throw invalidParam(name, `entries are at most ${max} characters`);
    return v;
  });
}

reportsRoutes.post("/", requireScope("write:reports"), async (c) => {
  const { account } = currentUser(c);
  const params = await readParams(c);
  const accountParam = str(params, "account_id", 30);
  if (!accountParam) throw new ApiError(422, "Validation failed: account_id is missing");
  const targetId = parseId(accountParam);
  if (!targetId) throw new ApiError(404, "Record not found");
  const services = c.get("services");
  const { report, target } = await services.moderation.reports.create(account, {
    targetAccountId: targetId,
    // An id that is not one names no post of the target: the service refuses it.
    statusIds: (stringList(params, "status_ids", 30) ?? []).map((id) => parseId(id) ?? "0"),
    comment: str(params, "comment", 10_000) ?? "",
    category: str(params, "category", 20),
    ruleIds: stringList(params, "rule_ids", 30) ?? [],
    forward: bool(params, "forward") ?? false,
    forwardToDomains: stringList(params, "forward_to_domains", 300) ?? null,
  });
  return c.json(toReport(report, target, convertContext(c)));
});
