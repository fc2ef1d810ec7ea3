// The admin dashboard's data: POST /api/v1/admin/measures, /dimensions and /retention, with
// Mastodon's parameters (keys[], start_at, end_at, and per-key parameters such as
// instance_follows[domain]) in a JSON or form body. Scope admin:read, permission view_dashboard.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { requireAdmin } from "./guard.ts";
import { int, invalidParam, readParams, str, strOrList, type Params } from "../../params.ts";
import { periodOf } from "../../../domain/moderation/measures.ts";
import { toAdminDimension, toAdminMeasure } from "../../../convert/mastodon/admin/measures.ts";

export const adminDashboard = new Hono<AppEnv>();

const read = requireAdmin("admin:read", "view_dashboard");
/** Mastodon has fourteen measures and nine dimensions; more keys than that are not a real request. */
const MAX_KEYS = 30;

function keysOf(params: Params): string[] {
  const keys = strOrList(params, "keys");
  const list = keys === undefined ? [] : Array.isArray(keys) ? keys : [keys];
  if (list.length > MAX_KEYS) throw invalidParam("keys", `must name at most ${MAX_KEYS} keys`);
  return list;
}

function period(params: Params) {
  return periodOf(str(params, "start_at", 100), str(params, "end_at", 100));
}

adminDashboard.post("/measures", read, async (c) => {
  const params = await readParams(c);
  const measures = await c.get("services").moderation.measures.measures(keysOf(params), period(params), params);
  return c.json(measures.map(toAdminMeasure));
});

adminDashboard.post("/dimensions", read, async (c) => {
  const params = await readParams(c);
  const limit = int(params, "limit", { min: 1, max: 100, default: 10, clamp: true });
  const dimensions = await c.get("services").moderation.measures.dimensions(keysOf(params), period(params), limit, params);
  return c.json(dimensions.map(toAdminDimension));
});

adminDashboard.post("/retention", read, async (c) => {
  const params = await readParams(c);
  period(params);
  const frequency = str(params, "frequency", 10) ?? "day";
  if (frequency !== "day" && frequency !== "month") throw invalidParam("frequency", "must be day or month");
  // Retention needs each user's activity per day or month; Skein keeps only the last sign-in,
  // so there is no cohort to show rather than a made-up one.
  return c.json([]);
});
