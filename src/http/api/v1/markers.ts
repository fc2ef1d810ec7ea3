// /api/v1/markers: where the user stopped reading home and notifications, shared between clients.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { readParams, str, type Params } from "../../params.ts";
import { parseId } from "../../../util/ids.ts";
import { ApiError } from "../../errors.ts";
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
    if (typeof value !== "object" || Array.isArray(value)) throw new ApiError(422, `${timeline} must be an object with last_read_id`);
    const raw = str(value as Params, "last_read_id", 40);
    if (raw === undefined) continue;
    const id = parseId(raw);
    if (!id) throw new ApiError(422, "Validation failed: Last read id is not a valid id");
    positions[timeline] = id;
  }
  return c.json(toMarkers(await c.get("services").markers.save(currentUser(c).account.id, positions)));
});
