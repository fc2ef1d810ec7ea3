// CORS for the API's browser clients (Phanpy, Elk call it from their own origin). Hono's cors()
// answers preflights; for every other request the same two headers go on the final response,
// after the handler. Hono's middleware puts them on a placeholder response before the handler,
// and the handler's response is then rebuilt around it (@hono/node-server turns its string body
// into a stream, read back in chunks): ~5 % of a home timeline request's CPU, for two headers.
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

export interface ApiCorsOptions {
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAge: number;
}

/** Any origin (`*`), no credentials: what `cors({ origin: "*", … })` answers, preflights included. */
export function apiCors(options: ApiCorsOptions): MiddlewareHandler {
  const preflight = cors({ origin: "*", ...options });
  const expose = options.exposeHeaders.join(",");
  const add = (headers: Headers) => {
    headers.set("Access-Control-Allow-Origin", "*");
    if (expose) headers.set("Access-Control-Expose-Headers", expose);
  };
  return async (c, next) => {
    if (c.req.method === "OPTIONS") return preflight(c, next);
    await next();
    try {
      add(c.res.headers);
    } catch {
      // A response with immutable headers (Response.redirect, a fetched response): a copy takes them.
      c.res = new Response(c.res.body, c.res);
      add(c.res.headers);
    }
  };
}
