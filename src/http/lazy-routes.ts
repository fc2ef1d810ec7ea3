// Route groups loaded on their first request. Pages few people open (the admin console, the
// admin API, settings) cost memory in every process that imports them — their source stays in
// V8's heap for as long as the process lives — while an idle server has served none of them
// (docs/PERFORMANCE.md, "Memory").
//
// Hono copies a sub-app's routes when it is mounted and builds its router on the first request,
// so routes cannot be added to the app later. Instead a middleware stands at the prefix: the
// first request imports the group and mounts it in an app of its own; requests that arrive while
// it loads wait for the same import. That app runs with the outer request's variables (services,
// the signed-in user …), its errors go to the outer app's error handler, and a path it does not
// know falls through to the routes registered after it, as a mounted group's would.
import { Hono, type MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";

const OUTER = Symbol("lazy-routes.outer");
type OuterEnv = { [OUTER]: { vars: Record<string, unknown>; missed: boolean } };

/** Mounts the routes `load` gives at `prefix` (as `app.route(prefix, routes)` would), imported on first use. */
export function lazyRoutes(app: Hono<AppEnv>, prefix: string, load: () => Promise<Hono<AppEnv>>): void {
  let mounted: Promise<Hono<AppEnv>> | undefined;
  const mount = (): Promise<Hono<AppEnv>> => {
    mounted ??= load().then((routes) => {
      const inner = new Hono<AppEnv>();
      inner.use(async (c, next) => {
        for (const [name, value] of Object.entries((c.env as OuterEnv)[OUTER].vars)) c.set(name as never, value as never);
        await next();
      });
      inner.route(prefix, routes);
      inner.notFound((c) => {
        (c.env as OuterEnv)[OUTER].missed = true;
        return c.body(null, 404);
      });
      // The outer app's handler answers (the same error pages and JSON as for any other route).
      inner.onError((error) => {
        throw error;
      });
      return inner;
    });
    // A failed import is tried again by the next request rather than remembered.
    mounted.catch(() => (mounted = undefined));
    return mounted;
  };
  const handler: MiddlewareHandler<AppEnv> = async (c, next) => {
    const inner = await mount();
    const outer = { vars: c.var as Record<string, unknown>, missed: false };
    // The server's own bindings (node-server's incoming/outgoing) pass through.
    const env: OuterEnv = { ...(c.env as object), [OUTER]: outer };
    const response = await inner.fetch(c.req.raw, env);
    if (outer.missed) return next();
    return response;
  };
  // Also matches `prefix` itself.
  app.use(`${prefix}/*`, handler);
}
