// /api/v1/timelines: home, public (local/remote), hashtag, link.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { renderStatuses, viewerId } from "../../render.ts";
import { pageRequest, setLinkHeader } from "../../pagination.ts";

export const timelinesRoutes = new Hono<AppEnv>();

const flag = (value: string | undefined) => value === "true" || value === "1";

timelinesRoutes.get("/home", requireScope("read:statuses"), async (c) => {
  const rows = await c.get("services").timelines.home(currentUser(c).account.id, pageRequest(c));
  setLinkHeader(c, rows.map((r) => r.id));
  return c.json(await renderStatuses(c, rows));
});

timelinesRoutes.get("/direct", requireScope("read:statuses"), async (c) => {
  const rows = await c.get("services").timelines.direct(currentUser(c).account.id, pageRequest(c));
  setLinkHeader(c, rows.map((r) => r.id));
  return c.json(await renderStatuses(c, rows));
});

timelinesRoutes.get("/public", async (c) => {
  const scope = { local: flag(c.req.query("local")), remote: flag(c.req.query("remote")), onlyMedia: flag(c.req.query("only_media")) };
  const rows = await c.get("services").timelines.public(viewerId(c), scope, pageRequest(c));
  setLinkHeader(c, rows.map((r) => r.id));
  return c.json(await renderStatuses(c, rows));
});

// Public statuses sharing a link that has a card (Mastodon 4.3); open like the public timeline.
timelinesRoutes.get("/link", async (c) => {
  const rows = await c.get("services").discovery.linkTimeline(c.req.query("url") ?? "", viewerId(c), pageRequest(c));
  setLinkHeader(c, rows.map((r) => r.id));
  return c.json(await renderStatuses(c, rows));
});

timelinesRoutes.get("/tag/:hashtag", async (c) => {
  const rows = await c.get("services").timelines.tag(c.req.param("hashtag").replace(/^#/, ""), viewerId(c), flag(c.req.query("local")), pageRequest(c));
  setLinkHeader(c, rows.map((r) => r.id));
  return c.json(await renderStatuses(c, rows));
});
