// The admin API (/api/v1/admin, /api/v2/admin): Mastodon's paths and entities for moderators.
// Each resource is its own module; this file only mounts them.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";

export const adminV1Routes = new Hono<AppEnv>();
export const adminV2Routes = new Hono<AppEnv>();
