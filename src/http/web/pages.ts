// The placeholder images (missing avatar and header, the instance thumbnail). The front page and
// /about are public pages (web/public/about.ts).
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { MISSING_AVATAR_PNG, MISSING_HEADER_PNG } from "./placeholder-images.ts";
import { MISSING_AVATAR_PATH, MISSING_HEADER_PATH } from "../../convert/mastodon/account.ts";

export const pageRoutes = new Hono<AppEnv>();

function png(bytes: Buffer) {
  return new Response(new Uint8Array(bytes), { headers: { "Content-Type": "image/png", "Cache-Control": "public, max-age=86400" } });
}
pageRoutes.get(MISSING_AVATAR_PATH, () => png(MISSING_AVATAR_PNG));
pageRoutes.get(MISSING_HEADER_PATH, () => png(MISSING_HEADER_PNG));
pageRoutes.get("/instance/thumbnail.png", () => png(MISSING_HEADER_PNG));
