// GET/HEAD /system/<key>: the local media driver's files, as nginx would serve DATA_DIR/media
// (README's snippet). With the S3 driver this answers 404: clients fetch the bucket's (or the
// CDN's) URLs, which is what services.mediaUrls hands out then.
//
// Files are user uploads, so nothing here may run as a page: the type comes from the key's
// extension (never sniffed: nosniff), and a CSP of `default-src 'none'; sandbox` keeps even a
// file opened directly in a browser tab from running scripts or loading anything. Keys are
// immutable, so caching is a year and `immutable`; ETag/If-None-Match, Last-Modified and single
// byte ranges (video seeking) are answered. Only the served kinds of keys are reachable:
// uploads/ (raw bytes before processing strips their metadata) never are.
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { isStorageKey } from "../../storage/keys.ts";
import { notFound, serveObject } from "./serve-object.ts";

export interface MediaFilesOptions {
  /**
   * Called once per GET that reached a stored file, with the body bytes actually written to
   * the client (a part when the client hung up; 0 for a 304). HEAD requests are not counted.
   */
  onServed?: (key: string, bytes: number) => void | Promise<void>;
}

/** The first segments of keys that are public files (uploads/ is not: unprocessed bytes). */
const SERVED_KINDS = new Set(["attachments", "avatars", "headers", "emojis", "cache"]);

export function mediaFilesRoutes(options: MediaFilesOptions = {}): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/*", async (c) => {
    const storage = c.get("services").mediaStorage;
    if (storage.driver !== "local") return notFound(c);
    // The raw path, not a decoded one: a key is plain [a-z0-9._-/], so anything encoded
    // (%2e%2e, %2f) or dot-led is simply not a key.
    const pathname = new URL(c.req.url).pathname;
    if (!pathname.startsWith("/system/")) return notFound(c);
    const key = pathname.slice("/system/".length);
    if (!isStorageKey(key) || !SERVED_KINDS.has(key.slice(0, key.indexOf("/")))) return notFound(c);

    const info = await storage.head(key);
    if (!info) return notFound(c);
    const onServed = options.onServed;
    return serveObject(
      c,
      { ...info, open: async (range) => (await storage.open(key, range))?.stream ?? null },
      { onServed: onServed && ((bytes) => onServed(key, bytes)) },
    );
  });

  return routes;
}
