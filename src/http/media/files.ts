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
import { Hono, type Context } from "hono";
import type { Readable } from "node:stream";
import type { AppEnv } from "../env.ts";
import { RangeNotSatisfiableError, type StoredObjectInfo } from "../../storage/media-storage.ts";
import { IMMUTABLE, isStorageKey } from "../../storage/keys.ts";

export interface MediaFilesOptions {
  /**
   * Called once per GET that reached a stored file, with the body bytes actually written to
   * the client (a part when the client hung up; 0 for a 304). HEAD requests are not counted.
   */
  onServed?: (key: string, bytes: number) => void | Promise<void>;
}

/** The first segments of keys that are public files (uploads/ is not: unprocessed bytes). */
const SERVED_KINDS = new Set(["attachments", "avatars", "headers", "emojis", "cache"]);

const FILE_HEADERS: Record<string, string> = {
  "Cache-Control": IMMUTABLE,
  "Accept-Ranges": "bytes",
  "X-Content-Type-Options": "nosniff",
  "Content-Security-Policy": "default-src 'none'; sandbox",
  // Web clients on other origins may fetch (not only <img>) these public files.
  "Access-Control-Allow-Origin": "*",
  "Cross-Origin-Resource-Policy": "cross-origin",
};

const notFound = (c: Context<AppEnv>) => c.json({ error: "Record not found" }, 404);

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
    const headers: Record<string, string> = {
      ...FILE_HEADERS,
      "Content-Type": info.contentType,
      ETag: info.etag,
      "Last-Modified": info.lastModified.toUTCString(),
    };
    const isHead = c.req.method === "HEAD";
    const served = (bytes: number) => {
      if (isHead || !options.onServed) return;
      try {
        void Promise.resolve(options.onServed(key, bytes)).catch(() => {});
      } catch {
        // Counting must never break serving.
      }
    };

    if (notModified(c.req.header("if-none-match"), c.req.header("if-modified-since"), info)) {
      served(0);
      return c.body(null, 304, headers);
    }

    const wanted = rangeOf(c.req.header("range"), c.req.header("if-range"), info);
    if (wanted === "unsatisfiable") {
      return c.body(null, 416, { ...headers, "Content-Range": `bytes */${info.size}`, "Content-Type": "text/plain" });
    }
    const status = wanted ? 206 : 200;
    const length = wanted ? wanted.end - wanted.start + 1 : info.size;
    headers["Content-Length"] = String(length);
    if (wanted) headers["Content-Range"] = `bytes ${wanted.start}-${wanted.end}/${info.size}`;
    if (isHead) return c.body(null, status, headers);

    let opened;
    try {
      opened = await storage.open(key, wanted ?? undefined);
    } catch (e) {
      if (e instanceof RangeNotSatisfiableError) return c.body(null, 416, { ...headers, "Content-Range": `bytes */${e.size}`, "Content-Type": "text/plain" });
      throw e;
    }
    if (!opened) return notFound(c); // deleted between head and open
    return c.body(counted(opened.stream, served), status, headers);
  });

  return routes;
}

/** If-None-Match (weak comparison, as RFC 9110 asks for it) wins; else If-Modified-Since. */
function notModified(ifNoneMatch: string | undefined, ifModifiedSince: string | undefined, info: StoredObjectInfo): boolean {
  if (ifNoneMatch !== undefined) {
    const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
    return ifNoneMatch.trim() === "*" || ifNoneMatch.split(",").some((tag) => opaque(tag) === opaque(info.etag));
  }
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    return Number.isFinite(since) && info.lastModified.getTime() <= since;
  }
  return false;
}

/**
 * One byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`), or null to send the whole file: no
 * Range, one that is not understood or asks for several ranges (allowed: a server may ignore
 * Range), or an If-Range naming another version.
 */
function rangeOf(header: string | undefined, ifRange: string | undefined, info: StoredObjectInfo): { start: number; end: number } | "unsatisfiable" | null {
  if (!header) return null;
  if (ifRange !== undefined) {
    const value = ifRange.trim();
    const current = value.startsWith('"') || value.startsWith("W/") ? value === info.etag : Date.parse(value) === info.lastModified.getTime();
    if (!current) return null;
  }
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null;
  const size = info.size;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  if (m[2] !== "" && Number(m[2]) < start) return null; // not a valid range: ignored
  if (start >= size) return "unsatisfiable";
  return { start, end: m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1) };
}

/** The file as a web stream that reports, once, how many bytes the client took before it ended or left. */
function counted(stream: Readable, done: (bytes: number) => void): ReadableStream<Uint8Array> {
  let sent = 0;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done(sent);
  };
  const chunks = stream[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) {
            finish();
            controller.close();
            return;
          }
          const chunk = next.value as Buffer;
          sent += chunk.byteLength;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        } catch (e) {
          finish();
          controller.error(e);
        }
      },
      cancel() {
        stream.destroy();
        finish();
      },
    },
    // Read from disk only as fast as the client takes it.
    { highWaterMark: 0 },
  );
}
