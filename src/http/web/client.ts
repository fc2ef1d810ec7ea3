// Serves the built-in web client (web/, built into web/dist by web/build.ts): its hashed files
// under /client-assets/ with a year of caching (a new build has new names), and its page —
// never cached, so a new build is picked up at the next visit — for a browser at / and at every
// /web/… address the client shows. Everything else the client needs it asks of the public client
// API and streaming, like any other Mastodon client. Without a build, / stays the about page.
import fs from "node:fs";
import path from "node:path";
import { Hono, type Context } from "hono";
import type { AppEnv } from "../env.ts";
import { mediaOrigin, wantsHtml } from "./public/layout.ts";

export const CLIENT_ASSET_PREFIX = "/client-assets/";

export interface WebClientFiles {
  /** web/dist: index.html and assets/. */
  dir: string;
  indexHtml: string;
}

/** The built client in `dir`, or null when there is none (it was not built, or the build failed). */
export function loadWebClient(dir: string): WebClientFiles | null {
  try {
    return { dir, indexHtml: fs.readFileSync(path.join(dir, "index.html"), "utf8") };
  } catch {
    return null;
  }
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

/**
 * The client's policy: its own script and stylesheet only (no inline script or style), pictures
 * from this server or its media storage, API and streaming connections to this server only.
 */
export function webClientPolicy(c: Context<AppEnv>): string {
  const services = c.get("services");
  const media = mediaOrigin(services);
  const pictures = ["'self'", "data:", "blob:", ...(media ? [media] : [])].join(" ");
  const origin = new URL(services.config.origin);
  const socket = `${origin.protocol === "https:" ? "wss:" : "ws:"}//${origin.host}`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${pictures}`,
    `media-src ${pictures}`,
    `connect-src 'self' ${socket}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function webClientRoutes(files: WebClientFiles): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const assets = new Map<string, Uint8Array>();

  routes.get(`${CLIENT_ASSET_PREFIX}:file`, (c) => {
    const file = c.req.param("file");
    const type = TYPES[path.extname(file)];
    if (!/^[\w.-]+$/.test(file) || !type) return c.notFound();
    let bytes = assets.get(file);
    if (!bytes) {
      try {
        bytes = new Uint8Array(fs.readFileSync(path.join(files.dir, "assets", file)));
      } catch {
        return c.notFound();
      }
      assets.set(file, bytes);
    }
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": type,
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
    });
  });

  const page = (c: Context<AppEnv>) =>
    c.html(files.indexHtml, 200, {
      "Content-Security-Policy": webClientPolicy(c),
      "Cache-Control": "no-cache",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "same-origin",
      Vary: "Accept",
    });

  // A browser at / gets the client (which greets a signed-out visitor with the server's facts and
  // the way in); other askers of / (feeds readers, link unfurlers) still get the about page.
  routes.get("/", (c, next) => (wantsHtml(c) ? page(c) : next()));
  routes.get("/web", page);
  routes.get("/web/*", page);
  return routes;
}
