// GET/HEAD /media_proxy/<kind>/<id>/<variant>?u=…&s=…: another server's media file, through
// Skein (domain/media/remote-cache.ts), so readers' addresses never reach the origin. Only URLs
// Skein signed are answered (domain/media/proxy-urls.ts): an unknown, unsigned or tampered one is
// a 404 before anything is looked up, so this is no open proxy.
//
// The bytes come from another server, so nothing here may run as a page on our origin: the type
// is the one sniffed from the bytes (only images, video and audio are ever stored), nosniff, and
// a CSP of `default-src 'none'; sandbox`. With the S3 driver the answer is a redirect to the
// object's public URL (the bucket or its CDN serves the bytes).
import { Hono, type Context } from "hono";
import type { Readable } from "node:stream";
import type { AppEnv } from "../env.ts";
import { IMMUTABLE } from "../../storage/keys.ts";
import { PROXIED_KINDS } from "../../domain/media/proxy-urls.ts";
import { RemoteFetchError } from "../../domain/media/remote-fetch.ts";
import type { ProxiedKind } from "../../domain/media/media-urls.ts";

const FILE_HEADERS: Record<string, string> = {
  "Cache-Control": IMMUTABLE,
  "Accept-Ranges": "bytes",
  "X-Content-Type-Options": "nosniff",
  "Content-Security-Policy": "default-src 'none'; sandbox",
  "Access-Control-Allow-Origin": "*",
  "Cross-Origin-Resource-Policy": "cross-origin",
};

const notFound = (c: Context<AppEnv>) => c.json({ error: "Record not found" }, 404);

export function mediaProxyRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/:kind/:id/:variant", async (c) => {
    const services = c.get("services");
    const { kind, id, variant } = c.req.param();
    const digest = c.req.query("u") ?? "";
    const signature = c.req.query("s") ?? "";
    if (!(PROXIED_KINDS as readonly string[]).includes(kind) || (variant !== "original" && variant !== "small")) return notFound(c);
    if (!services.remoteMedia.signer.verify(kind, id, variant, digest, signature)) return notFound(c);

    let answer;
    try {
      answer = await services.remoteMedia.serve(kind as ProxiedKind, id, variant, digest);
    } catch (error) {
      if (error instanceof RemoteFetchError) {
        // Refused (not media, a rejected host) reads as missing; an origin that failed, as a bad gateway.
        return error.refused ? notFound(c) : c.json({ error: `The file could not be fetched from its server: ${error.message}` }, 502);
      }
      throw error;
    }
    const isHead = c.req.method === "HEAD";
    const usageKind = `cache/${answer.variant}`;

    if ("redirect" in answer) {
      if (!isHead) services.mediaUsage.record(usageKind, answer.bytes);
      // Short: an evicted object disappears from the bucket, and the next view must come back here.
      return c.body(null, 302, { Location: answer.redirect, "Cache-Control": "public, max-age=300" });
    }

    const headers: Record<string, string> = {
      ...FILE_HEADERS,
      "Content-Type": answer.contentType,
      ETag: answer.etag,
      "Last-Modified": answer.lastModified.toUTCString(),
    };
    const ifNoneMatch = c.req.header("if-none-match");
    if (ifNoneMatch !== undefined && ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === answer.etag)) {
      answer.done();
      if (!isHead) services.mediaUsage.record(usageKind, 0);
      return c.body(null, 304, headers);
    }
    const wanted = rangeOf(c.req.header("range"), c.req.header("if-range"), answer.etag, answer.size);
    if (wanted === "unsatisfiable") {
      answer.done();
      return c.body(null, 416, { ...headers, "Content-Range": `bytes */${answer.size}`, "Content-Type": "text/plain" });
    }
    const status = wanted ? 206 : 200;
    headers["Content-Length"] = String(wanted ? wanted.end - wanted.start + 1 : answer.size);
    if (wanted) headers["Content-Range"] = `bytes ${wanted.start}-${wanted.end}/${answer.size}`;
    if (isHead) {
      answer.done();
      return c.body(null, status, headers);
    }
    let stream: Readable;
    try {
      stream = await answer.open(wanted ?? undefined);
    } catch (error) {
      answer.done();
      if (error instanceof RemoteFetchError) return c.json({ error: "The file is no longer cached; try again" }, 503);
      throw error;
    }
    const done = answer.done;
    return c.body(
      counted(stream, (bytes) => {
        done();
        services.mediaUsage.record(usageKind, bytes);
      }),
      status,
      headers,
    );
  });

  return routes;
}

/** One byte range (bytes=a-b, a-, -n), or null for the whole file (no Range, one not understood, several, a stale If-Range). */
function rangeOf(header: string | undefined, ifRange: string | undefined, etag: string, size: number): { start: number; end: number } | "unsatisfiable" | null {
  if (!header) return null;
  if (ifRange !== undefined && ifRange.trim() !== etag) return null;
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Number(m[2]);
  if (end < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end: Math.min(end, size - 1) };
}

/** The stream as a web stream that reports, once, how many bytes the client took before it ended or left. */
function counted(stream: Readable, finished: (bytes: number) => void): ReadableStream<Uint8Array> {
  let sent = 0;
  let over = false;
  const finish = () => {
    if (over) return;
    over = true;
    finished(sent);
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
        } catch (error) {
          finish();
          controller.error(error);
        }
      },
      cancel() {
        stream.destroy();
        finish();
      },
    },
    { highWaterMark: 0 },
  );
}
