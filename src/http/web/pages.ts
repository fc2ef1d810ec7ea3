// The server's own small pages: the front page, /about, and the placeholder images.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../env.ts";
import { page } from "./layout.ts";
import { MISSING_AVATAR_PNG, MISSING_HEADER_PNG } from "./placeholder-images.ts";
import { MISSING_AVATAR_PATH, MISSING_HEADER_PATH } from "../../convert/mastodon/account.ts";

export const pageRoutes = new Hono<AppEnv>();

function aboutPage(title: string, description: string) {
  return page("About", title, html`<h1>${title}</h1>
<p>${description}</p>
<p>This server runs Skein, a Mastodon-compatible ActivityPub server. Use any Mastodon app and sign in with this server's address.</p>`);
}

pageRoutes.get("/", (c) => {
  const { instance } = c.get("services").config;
  return c.html(aboutPage(instance.title, instance.description));
});
pageRoutes.get("/about", (c) => {
  const { instance } = c.get("services").config;
  return c.html(aboutPage(instance.title, instance.description));
});

function png(bytes: Buffer) {
  return new Response(new Uint8Array(bytes), { headers: { "Content-Type": "image/png", "Cache-Control": "public, max-age=86400" } });
}
pageRoutes.get(MISSING_AVATAR_PATH, () => png(MISSING_AVATAR_PNG));
pageRoutes.get(MISSING_HEADER_PATH, () => png(MISSING_HEADER_PNG));
pageRoutes.get("/instance/thumbnail.png", () => png(MISSING_HEADER_PNG));
