// Serves the Hono app over HTTP, or HTTPS when TLS_CERT/TLS_KEY are set.
import fs from "node:fs";
import https from "node:https";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import type { Config } from "../config/config.ts";
import { answerClientErrors } from "./client-errors.ts";

export class ListenError extends Error {}

/**
 * How long a client may take to send one whole request, headers and body. Bodies are at most
 * 1 MiB (app.ts), so 30 s asks for about 35 KB/s; without this bound, a client that declares a
 * large body and trickles it holds its socket (and the handler waiting for the body) for as long
 * as it likes. Only receiving counts: a long answer (a streaming connection) is not cut.
 */
const REQUEST_TIMEOUT_MS = 30_000;
/** How long a client may take to send the headers of a request. */
const HEADERS_TIMEOUT_MS = 20_000;
/** An idle kept-alive connection is closed after this (above the usual 60 s of proxies and load balancers). */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** The timeouts for a server; `requestTimeoutMs` is only ever shortened by tests. */
export function serverTimeouts(requestTimeoutMs: number = REQUEST_TIMEOUT_MS) {
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeoutMs),
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // Node looks for connections past those bounds every 30 s by default, which would let a
    // slow client stay up to twice the bound; every 5 s (or a quarter of a shorter bound) keeps
    // the overrun small for the cost of a walk over the open connections.
    connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(requestTimeoutMs / 4))),
  };
}

export function listen(app: Hono<any>, config: Config): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const timeouts = serverTimeouts(config.requestTimeoutSeconds === null ? undefined : Math.ceil(config.requestTimeoutSeconds * 1000));
    const options = config.tls
      ? { createServer: https.createServer, serverOptions: { ...timeouts, cert: fs.readFileSync(config.tls.cert), key: fs.readFileSync(config.tls.key) } }
      : { serverOptions: timeouts };
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.bind, ...options }) as unknown as Server;
    // What Node's parser refuses is answered in Mastodon's error shape, without a reset (client-errors.ts).
    answerClientErrors(server);
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") {
        reject(new ListenError(`Port ${config.port} on ${config.bind} is already in use: stop what uses it, or set PORT to another port`));
      } else if (error.code === "EACCES") {
        reject(new ListenError(`Not allowed to listen on port ${config.port} on ${config.bind}: use a port above 1023, or a reverse proxy`));
      } else if (error.code === "EADDRNOTAVAIL") {
        reject(new ListenError(`BIND=${config.bind} is not an address of this machine`));
      } else {
        reject(new ListenError(`Cannot listen on ${config.bind}:${config.port}: ${error.message}`));
      }
    });
    server.once("listening", () => {
      const address = server.address();
      resolve({ server, port: typeof address === "object" && address ? address.port : config.port });
    });
  });
}
