// A request answered before its body was read (a CORS preflight, a 401 or 404 before any
// parameter is looked at) still has bytes on their way. If the connection then closes (the
// client asked for it, or Node gives up reusing it), those unread bytes make the kernel reset
// the connection, and the client loses the answer: it sees EPIPE or ECONNRESET instead of the
// 401 telling it why (RFC 9112 §9.6 "lingering close"). So what is left of a body within the
// app's body limit is read and dropped before the answer goes out, for at most a few seconds
// (the server's request timeout still cuts a body that trickles). A body over the limit is not
// read: refusing it by closing is the point.
import type { MiddlewareHandler } from "hono";

export function readUnreadBody(options: { maxBytes: number; maxMs: number }): MiddlewareHandler {
  return async (c, next) => {
    await next();
    // GET and HEAD requests have no body to read (see withoutBody).
    if (withoutBody(c.req.method)) return;
    const request = c.req.raw;
    if (!request.body || request.bodyUsed) return;
    const declared = c.req.header("content-length");
    // Only bodies that announce a length within the limit; a chunked body may be endless.
    if (declared === undefined || !/^\d+$/.test(declared) || Number(declared) === 0 || Number(declared) > options.maxBytes) return;
    await discard(request.body, options.maxBytes, options.maxMs);
  };
}

/**
 * GET and HEAD requests never carry a body in this server (@hono/node-server makes none for them,
 * and a web Request cannot have one): their `c.req.raw.body` is null, and reading it costs the
 * making of the full Request object.
 */
export function withoutBody(method: string): boolean {
  return method === "GET" || method === "HEAD";
}

async function discard(body: ReadableStream<Uint8Array>, maxBytes: number, maxMs: number): Promise<void> {
  const reader = body.getReader();
  const deadline = setTimeout(() => void reader.cancel().catch(() => {}), maxMs);
  try {
    let read = 0;
    while (read <= maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      read += value.byteLength;
    }
  } catch {
    // The client went away or the deadline cancelled the read: nothing to answer to either way.
  } finally {
    clearTimeout(deadline);
    reader.releaseLock();
  }
}
