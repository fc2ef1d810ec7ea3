// /admin: the admin and moderation console, server-rendered (no script), each page a file here.
// Every /admin request passes the settings pages' session guard first (signed in, two-factor set
// up where the role requires it); each route then asks the permission the admin API asks for the
// same thing (layout.ts's can()). Every action calls the service the admin API calls.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../../env.ts";
import { ApiError, handleError } from "../../errors.ts";
import { adminPage, type AdminEnv } from "./layout.ts";
import { requireSignedIn } from "../settings/layout.ts";
import type { QueueFigures } from "./figures.ts";
import { dashboardRoutes } from "./dashboard.ts";
import { reportRoutes } from "./reports.ts";
import { accountRoutes } from "./accounts.ts";
import { domainBlockRoutes } from "./domain-blocks.ts";
import { instanceRoutes } from "./instance.ts";
import { trendRoutes } from "./trends.ts";
import { costRoutes } from "./cost.ts";
import { inviteRoutes } from "./invites.ts";
import { roleRoutes } from "./roles.ts";
import { domainAllowRoutes } from "./domain-allows.ts";
import { blocklistRoutes } from "./blocklists.ts";
import { signUpBlockRoutes } from "./sign-up-blocks.ts";

export function adminRoutes(figures: QueueFigures | null): Hono<AppEnv> {
  const routes = new Hono<AdminEnv>();
  routes.use("*", requireSignedIn);
  const pages = [dashboardRoutes(figures), trendRoutes, costRoutes, reportRoutes, accountRoutes, inviteRoutes, roleRoutes, domainBlockRoutes, domainAllowRoutes, blocklistRoutes, signUpBlockRoutes, instanceRoutes];
  for (const page of pages) routes.route("/", page);
  // A refusal the form reader raises (a post without its CSRF token: 403) is a page for a signed-in
  // moderator, not the API's JSON; anything else goes to the app's handler.
  routes.onError((error, c) => {
    if (error instanceof ApiError && c.var.user) {
      return c.html(adminPage(c, { active: null, title: "Refused", error: error.message, body: html`<p><a href="/admin">Back to the dashboard</a></p>` }), error.status);
    }
    return handleError(error, c as never);
  });
  return routes as unknown as Hono<AppEnv>;
}
