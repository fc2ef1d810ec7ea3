// One stored file answered over HTTP, for /system/<key> (files.ts) and /media_proxy/… (proxy.ts):
// the headers that keep a user's file from running as a page on our origin, conditional GET
// (ETag/If-None-Match, Last-Modified/If-Modified-Since), one byte range (video seeking), HEAD, and
// the body bytes the client really took (for the usage counters).
import type { Context } from "hono";
import type { Readable } from "node:stream";
import type { AppEnv } from "../env.ts";
import { RangeNotSatisfiableError } from "../../storage/media-storage.ts";
import { IMMUTABLE } from "../../storage/keys.ts";

/** Keys never change their bytes, so a year and `immutable`; nosniff and a sandbox CSP: never a page. */
const FILE_HEADERS: Record<string, string> = {
  "Cache-Control": IMMUTABLE,
  "Accept-Ranges": "bytes",
  "X-Content-Type-Options": "nosniff",
  "Content-Security-Policy": "default-src 'none'; sandbox",
  // Web clients on other origins may fetch (not only <img>) these public files.
  "Access-Control-Allow-Origin": "*",
  "Cross-Origin-Resource-Policy": "cross-origin",
};

export const notFound = (c: Context<AppEnv>) => c.json({ error: "Record not found" }, 404);

/** What is served: its validators and size, and how to read it (null: it vanished meanwhile → 404). */
export interface ServableObject {
  contentType: string;
  etag: string;
  lastModified: Date;
  size: number;
  open(range?: { start: number; end: number }): Promise<Readable | null>;
}

export interface ServeOptions {
  /**
   * Called once per GET with the body bytes actually written to the client (a part when the
   * client hung up; 0 for a 304). Never for HEAD, a 416 or a failed open. Its errors are ignored:
   * counting must never break serving.
   */
  onServed?: (bytes: number) => void | Promise<void>;
  /** Called once when the object is no longer read: after the body, or at once when there is none. */
  release?: () => void;
  /** An error open() threw, as a response; undefined rethrows it. */
  openFailed?: (error: unknown) => Response | undefined;
}

export async function serveObject(c: Context<AppEnv>, object: ServableObject, options: ServeOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {
    ...FILE_HEADERS,
    "Content-Type": object.contentType,
    ETag: object.etag,
    "Last-Modified": object.lastModified.toUTCString(),
  };
  const isHead = c.req.method === "HEAD";
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    options.release?.();
  };
  const served = (bytes: number) => {
    if (isHead || !options.onServed) return;
    try {
      void Promise.resolve(options.onServed(bytes)).catch(() => {});
    } catch {
      // Counting must never break serving.
    }
  };
  const unsatisfiable = (size: number) => c.body(null, 416, { ...headers, "Content-Range": `bytes */${size}`, "Content-Type": "text/plain" });

  if (notModified(c.req.header("if-none-match"), c.req.header("if-modified-since"), object)) {
    release();
    served(0);
    return c.body(null, 304, headers);
  }
  const wanted = rangeOf(c.req.header("range"), c.req.header("if-range"), object);
  if (wanted === "unsatisfiable") {
    release();
    return unsatisfiable(object.size);
  }
  const status = wanted ? 206 : 200;
  headers["Content-Length"] = String(wanted ? wanted.end - wanted.start + 1 : object.size);
  if (wanted) headers["Content-Range"] = `bytes ${wanted.start}-${wanted.end}/${object.size}`;
  if (isHead) {
    release();
    return c.body(null, status, headers);
  }

  let stream: Readable | null;
  try {
    stream = await object.open(wanted ?? undefined);
  } catch (error) {
    release();
    if (error instanceof RangeNotSatisfiableError) return unsatisfiable(error.size);
    const answer = options.openFailed?.(error);
    if (answer) return answer;
    throw error;
  }
  if (!stream) {
    release();
    return notFound(c);
  }
  return c.body(
    counted(stream, (bytes) => {
      release();
      served(bytes);
    }),
    status,
    headers,
  );
}

/** If-None-Match (weak comparison, as RFC 9110 asks for it) wins; else If-Modified-Since. */
function notModified(ifNoneMatch: string | undefined, ifModifiedSince: string | undefined, object: ServableObject): boolean {
  if (ifNoneMatch !== undefined) {
    const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
    return ifNoneMatch.trim() === "*" || ifNoneMatch.split(",").some((tag) => opaque(tag) === opaque(object.etag));
  }
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    return Number.isFinite(since) && object.lastModified.getTime() <= since;
  }
  return false;
}

/**
 * One byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`), or null to send the whole file: no
 * Range, one that is not understood or asks for several ranges (allowed: a server may ignore
 * Range), or an If-Range naming another version.
 */
function rangeOf(header: string | undefined, ifRange: string | undefined, object: ServableObject): { start: number; end: number } | "unsatisfiable" | null {
  if (!header) return null;
  if (ifRange !== undefined) {
    const value = ifRange.trim();
    const current = value.startsWith('"') || value.startsWith("W/") ? value === object.etag : Date.parse(value) === object.lastModified.getTime();
    if (!current) return null;
  }
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null;
  const size = object.size;
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
    // Read from storage only as fast as the client takes it.
    { highWaterMark: 0 },
  );
}
