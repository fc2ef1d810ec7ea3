// Serves the Hono app over HTTP, or HTTPS when TLS_CERT/TLS_KEY are set.
import fs from "node:fs";
import https from "node:https";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import type { Config } from "../config/config.ts";

export class ListenError extends Error {}

export function listen(app: Hono<any>, config: Config): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const options = config.tls
      ? { createServer: https.createServer, serverOptions: { cert: fs.readFileSync(config.tls.cert), key: fs.readFileSync(config.tls.key) } }
      : {};
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.bind, ...options }) as unknown as Server;
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
    // Slow or idle clients must not hold sockets for long.
    server.headersTimeout = 20_000;
    server.requestTimeout = 120_000;
    server.keepAliveTimeout = 65_000;
  });
}
