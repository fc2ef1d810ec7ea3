// GET /api/v1/custom_emojis (public): this server's enabled emojis, for clients' pickers. And the
// Emoji object other servers may fetch at an emoji's id (/emojis/:id), as Mastodon serves it.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { parseId } from "../../../util/ids.ts";
import { convertContext } from "../../render.ts";
import { toCustomEmoji, type CustomEmojiEntity } from "../../../convert/mastodon/custom-emoji.ts";
import { emojiDocument } from "../../../convert/activitypub/emoji-document.ts";
import { outgoingEmoji } from "../../../domain/emojis/outgoing.ts";

export const customEmojisRoutes = new Hono<AppEnv>();

/** The list as last rendered, for the catalog version it was rendered from (it changes rarely, is asked often). */
let rendered: { version: string; body: CustomEmojiEntity[] } | null = null;

customEmojisRoutes.get("/", async (c) => {
  const catalog = c.get("services").emojis.catalog;
  await catalog.fresh();
  const version = `${catalog.localVersion} ${c.get("services").config.origin}`;
  if (!rendered || rendered.version !== version) {
    const ctx = convertContext(c);
    rendered = { version, body: catalog.localEmojis().map((row) => toCustomEmoji(row, ctx)).filter((e): e is CustomEmojiEntity => e !== null) };
  }
  c.header("Cache-Control", "public, max-age=60");
  return c.json(rendered.body);
});

export const emojiObjectRoutes = new Hono<AppEnv>();

emojiObjectRoutes.get("/:id", async (c) => {
  const id = parseId(c.req.param("id"));
  const services = c.get("services");
  const row = id ? await services.emojis.localById(id) : null;
  if (!row) throw new ApiError(404, "Record not found");
  c.header("Content-Type", "application/activity+json; charset=utf-8");
  return c.body(JSON.stringify(emojiDocument(outgoingEmoji(row, services.config.origin, services.mediaUrls))));
});
