// GET/HEAD /media_proxy/<kind>/<id>/<variant>?u=…&s=…: another server's media file, through
// Skein (domain/media/remote-cache.ts), so readers' addresses never reach the origin. Only URLs
// Skein signed are answered (domain/media/proxy-urls.ts): an unknown, unsigned or tampered one is
// a 404 before anything is looked up, so this is no open proxy.
//
// The bytes come from another server, so nothing here may run as a page on our origin: the type
// is the one sniffed from the bytes (only images, video and audio are ever stored), nosniff, and
// a CSP of `default-src 'none'; sandbox`. With the S3 driver the answer is a redirect to the
// object's public URL (the bucket or its CDN serves the bytes).
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { PROXIED_KINDS } from "../../domain/media/proxy-urls.ts";
import { RemoteFetchError } from "../../domain/media/remote-fetch.ts";
import type { ProxiedKind } from "../../domain/media/media-urls.ts";
import { notFound, serveObject } from "./serve-object.ts";

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

    return serveObject(c, answer, {
      release: answer.done,
      onServed: (bytes) => services.mediaUsage.record(usageKind, bytes),
      openFailed: (error) => (error instanceof RemoteFetchError ? c.json({ error: "The file is no longer cached; try again" }, 503) : undefined),
    });
  });

  return routes;
}
