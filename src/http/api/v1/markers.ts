// /api/v1/markers: where the user stopped reading home and notifications, shared between clients.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { readParams, type Params } from "../../params.ts";
import { validationError } from "../../validation-error.ts";
import { parseId } from "../../../util/ids.ts";
import { toMarkers } from "../../../convert/mastodon/marker.ts";
import { MARKER_TIMELINES } from "../../../domain/markers/marker-service.ts";
import type { MarkerTimeline } from "../../../store/markers.ts";

export const markersRoutes = new Hono<AppEnv>();

function requestedTimelines(c: Context<AppEnv>): MarkerTimeline[] {
  const names = [...(c.req.queries("timeline[]") ?? []), ...(c.req.queries("timeline") ?? [])].flatMap((v) => v.split(","));
  return MARKER_TIMELINES.filter((t) => names.includes(t));
}

markersRoutes.get("/", requireScope("read:statuses"), async (c) => {
  const timelines = requestedTimelines(c);
  return c.json(toMarkers(await c.get("services").markers.of(currentUser(c).account.id, timelines)));
});

markersRoutes.post("/", requireScope("write:statuses"), async (c) => {
  const params = await readParams(c);
  const positions: Partial<Record<MarkerTimeline, string>> = {};
  for (const timeline of MARKER_TIMELINES) {
    const value = params[timeline];
    if (value === undefined || value === null) continue;
    if (typeof value !== "object" || Array.isArray(value)) return validationError(c, timeline, "ERR_INVALID", `${timeline} must be an object with last_read_id`);
    const raw = (value as Params).last_read_id;
    if (raw === undefined || raw === null) continue;
    const id = parseId(typeof raw === "number" ? String(raw) : raw);
    if (!id) return validationError(c, "last_read_id", "ERR_INVALID", "Last read id is not a valid id");
    positions[timeline] = id;
  }
  return c.json(toMarkers(await c.get("services").markers.save(currentUser(c).account.id, positions)));
});
