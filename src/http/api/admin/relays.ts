// /api/v1/admin/relays (Skein's; Mastodon keeps relays in its admin web pages): list, subscribe
// (`inbox_url`: a Mastodon relay's inbox or a LitePub relay's actor), unsubscribe. Scopes
// admin:read / admin:write, permission manage_federation. The Follow goes out at once; the
// relay's Accept turns `state` from "pending" to "accepted".
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { requireAdmin } from "./guard.ts";
import { readParams, str } from "../../params.ts";
import { idParam } from "./domain-blocks.ts";
import { toAdminRelay } from "../../../convert/mastodon/admin/relays.ts";

export const adminRelays = new Hono<AppEnv>();

const read = requireAdmin("admin:read", "manage_federation");
const write = requireAdmin("admin:write", "manage_federation");

adminRelays.get("/", read, async (c) => c.json((await c.get("services").relays.list()).map(toAdminRelay)));

adminRelays.post("/", write, async (c) => {
  const relays = c.get("services").relays;
  const relay = await relays.add(str(await readParams(c), "inbox_url", 2000) ?? "");
  await relays.sendDue();
  return c.json(toAdminRelay(relay));
});

adminRelays.delete("/:id", write, async (c) => {
  const relays = c.get("services").relays;
  await relays.remove(idParam(c));
  await relays.sendDue();
  return c.json({});
});
