// The HTTP application: middleware and the route groups, each in its own module. Handlers stay
// thin: they read parameters, call a service, and convert the result to an API entity.
import { Hono, type MiddlewareHandler } from "hono";
import { apiCors } from "./cors.ts";
import { bodyLimit } from "hono/body-limit";
import { readUnreadBody, withoutBody } from "./unread-body.ts";
import { getLogger } from "@logtape/logtape";
import type { Services } from "../domain/services.ts";
import type { AppEnv } from "./env.ts";
import { handleError } from "./errors.ts";
import { authenticate } from "./auth.ts";
import { appsRoutes } from "./api/v1/apps.ts";
import { pushRoutes } from "./api/v1/push.ts";
import { accountsRoutes } from "./api/v1/accounts.ts";
import { registrationRoutes } from "./api/v1/registrations.ts";
import { preferencesRoutes } from "./api/v1/preferences.ts";
import { instanceV1Routes, instanceV2Routes } from "./api/instance.ts";
import { statusesRoutes } from "./api/v1/statuses.ts";
import { scheduledStatusesRoutes } from "./api/v1/scheduled-statuses.ts";
import { quotesRoutes } from "./api/v1/quotes.ts";
import { mediaV1Routes, mediaV2Routes } from "./api/v1/media.ts";
import { timelinesRoutes } from "./api/v1/timelines.ts";
import { notificationsRoutes } from "./api/v1/notifications.ts";
import { reportsRoutes } from "./api/v1/reports.ts";
import { followRequestsRoutes, ownListsRoutes } from "./api/v1/saved.ts";
import { domainBlocksRoutes } from "./api/v1/domain-blocks.ts";
import { listsRoutes, listTimelineRoutes } from "./api/v1/lists.ts";
import { markersRoutes } from "./api/v1/markers.ts";
import { followedTagsRoutes, tagsRoutes } from "./api/v1/tags.ts";
import { conversationsRoutes } from "./api/v1/conversations.ts";
import { notificationsV2Routes } from "./api/v2/notifications.ts";
import { filtersV1Routes } from "./api/v1/filters.ts";
import { filtersV2Routes } from "./api/v2/filters.ts";
import { pollsRoutes } from "./api/v1/polls.ts";
import { trendsRoutes } from "./api/v1/trends.ts";
import { directoryRoutes, suggestionsV1Routes, suggestionsV2Routes } from "./api/v1/discovery.ts";
import { announcementsRoutes } from "./api/v1/announcements.ts";
import { annualReportsRoutes } from "./api/v1/annual-reports.ts";
import { oembedRoutes } from "./api/v1/oembed.ts";
import { statusTranslationRoutes } from "./api/v1/status-translations.ts";
import { asyncRefreshRoutes } from "./api/v1/async-refreshes.ts";
import { oauthRoutes } from "./oauth/routes.ts";
import { searchRoutes } from "./api/v2/search.ts";
import { publicRoutes } from "./web/public/routes.ts";
import { webClientRoutes, type WebClientFiles } from "./web/client.ts";
import { missingPage } from "./web/public/layout.ts";
import { instancePageRoutes } from "./web/instance-pages.ts";
import { metricsRoutes, type MetricsSource } from "./metrics.ts";
import type { RequestGate } from "./request-gate.ts";
import { emailsRoutes } from "./api/v1/emails.ts";
import { severedRelationshipsRoutes } from "./web/severed-relationships.ts";
import { skeinAccountDataRoutes } from "./api/skein/account-data.ts";
import { pageRoutes } from "./web/pages.ts";
import { paymentWebhookRoutes } from "./webhooks/payments.ts";
import { lazyRoutes } from "./lazy-routes.ts";
import type { QueueFigures } from "./web/admin/figures.ts";
import { nodeInfoRoutes, wellKnownRoutes } from "./well-known/routes.ts";
import { streamingRoutes } from "./streaming/routes.ts";
import { mediaFilesRoutes } from "./media/files.ts";
import { mediaProxyRoutes } from "./media/proxy.ts";
import type { StreamingHub } from "./streaming/hub.ts";
import { isMultipart, isUploadRoute } from "./uploads.ts";
import { profileMediaRoutes } from "./api/v1/profile.ts";
import { accountFeaturesRoutes, endorsementsRoutes } from "./api/v1/account-features.ts";
import { featuredTagsRoutes, tagFeatureRoutes } from "./api/v1/featured-tags.ts";
import { collectionsRoutes } from "./api/v1/collections.ts";
import { featuredCollectionRoutes } from "./featured-collections.ts";
import { customEmojisRoutes, emojiObjectRoutes } from "./api/v1/custom-emojis.ts";

const accessLog = getLogger(["skein", "http", "access"]);

/** Bodies larger than this are refused before they are read (media uploads set their own limit). */
const MAX_BODY_BYTES = 1024 * 1024;

export interface AppOptions {
  streaming?: StreamingHub;
  /** Figures for GET /metrics. */
  metrics?: MetricsSource;
  /** The queue figures and failing hosts the admin dashboard shows (absent: the metrics' own, without hosts). */
  queue?: QueueFigures;
  /** Answers ActivityPub requests (actors, objects, inboxes, WebFinger) before the web routes. */
  federation?: MiddlewareHandler;
  /** The built web client (web/dist), answered at / for browsers and at /web/…; without it / is the about page. */
  webClient?: WebClientFiles | null;
  /** Bounds the requests handled at once (request-gate.ts); without it, no bound. */
  requestGate?: RequestGate;
}

export function createApp(services: Services, options: AppOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  // Before anything is done for a request: waiting here costs nothing but the socket.
  if (options.requestGate) app.use(options.requestGate.middleware());

  app.use(async (c, next) => {
    const started = performance.now();
    c.set("services", services);
    // Roles (custom roles' permissions and positions) as of at most 2 s ago: every permission check is synchronous.
    await services.moderation.roles.book.fresh();
    await next();
    accessLog.debug("{method} {path} {status} {ms}ms", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  });

  // Outermost of what answers: whatever answers early, the client still gets to read it.
  app.use(readUnreadBody({ maxBytes: MAX_BODY_BYTES, maxMs: 5_000 }));

  // Browser clients (Phanpy, Elk) call the API from their own origin.
  const corsHeaders = apiCors({
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "Accept"],
    exposeHeaders: ["Link", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Idempotency-Key"],
    maxAge: 86400,
  });
  for (const path of ["/api/*", "/oauth/token", "/oauth/token/revoke", "/oauth/revoke", "/oauth/userinfo", "/.well-known/*", "/nodeinfo/*"]) {
    app.use(path, corsHeaders);
  }

  // A NUL character is never accepted from a client (PostgreSQL cannot store one in text; the
  // rule is the same on both databases). In the URL, path or query, it is refused here, before
  // any route or the federation middleware (WebFinger, actors) sees it; body parameters are
  // checked where they are read (params.ts).
  app.use(async (c, next) => {
    if (/%00|\u0000/.test(c.req.url)) return c.json({ error: "The URL must not contain NUL characters" }, 400);
    await next();
  });

  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ error: "Request body too large" }, 413),
  });
  // Uploads stream to disk, each file under its own limit (http/uploads.ts).
  // Only multipart bodies, which busboy bounds (per file, per field, counts); a JSON or form body on
  // the same route is read whole by readParams and stays under the app-wide limit.
  // GET and HEAD requests never carry a body here (@hono/node-server gives them none): asking for
  // it would only make the request's full web Request object, ~1.5 % of a timeline read's CPU.
  app.use((c, next) => (withoutBody(c.req.method) || (isUploadRoute(c.req.method, c.req.path) && isMultipart(c)) ? next() : limitBody(c, next)));

  app.get("/health", (c) => c.text("OK"));
  // The local media driver's files: public (no API auth), before federation's content negotiation.
  app.route("/system", mediaFilesRoutes({ onServed: (key, bytes) => services.mediaUsage.recordKey(key, bytes) }));
  // Remote media through Skein (signed URLs only), before federation's content negotiation too.
  app.route("/media_proxy", mediaProxyRoutes());
  if (options.metrics) app.route("/metrics", metricsRoutes(options.metrics, options.requestGate));
  if (options.federation) app.use(options.federation);

  app.use("/api/*", authenticate);
  // The domain policy (reject_media in entities, limits) as of at most 2 s ago, for every API request.
  app.use("/api/*", async (c, next) => {
    await c.get("services").moderation.policy.fresh();
    // This server's custom emojis as of at most 2 s ago (entities name them synchronously).
    await c.get("services").emojis.catalog.fresh();
    await next();
  });
  app.use("/oauth/userinfo", authenticate);

  app.route("/api/v1/apps", appsRoutes);
  // Sign-up, invites and the terms of service, before the accounts and instance routes.
  app.route("/api/v1", registrationRoutes);
  // Profile features (notes, endorsements, ?id[]=, featured tags, collections) beside the accounts routes.
  app.route("/api/v1/accounts", accountFeaturesRoutes);
  app.route("/api/v1/accounts", accountsRoutes);
  app.route("/api/v1/endorsements", endorsementsRoutes);
  app.route("/api/v1/featured_tags", featuredTagsRoutes);
  app.route("/api/v1/collections", collectionsRoutes);
  app.route("/api/v1/profile", profileMediaRoutes);
  app.route("/api/v1/custom_emojis", customEmojisRoutes);
  app.route("/api/v1/preferences", preferencesRoutes);
  app.route("/api/v1/statuses", quotesRoutes);
  app.route("/api/v1/statuses", statusTranslationRoutes);
  app.route("/api/v1/statuses", statusesRoutes);
  app.route("/api/v1/scheduled_statuses", scheduledStatusesRoutes);
  app.route("/api/v1/media", mediaV1Routes);
  app.route("/api/v2/media", mediaV2Routes);
  app.route("/api/v1/timelines", timelinesRoutes);
  app.route("/api/v1/notifications", notificationsRoutes);
  app.route("/api/v1/follow_requests", followRequestsRoutes);
  app.route("/api/v1/lists", listsRoutes);
  app.route("/api/v1/timelines/list", listTimelineRoutes);
  app.route("/api/v1/markers", markersRoutes);
  app.route("/api/v1/push", pushRoutes);
  app.route("/api/v1/tags", tagsRoutes);
  app.route("/api/v1/tags", tagFeatureRoutes);
  app.route("/api/v1/followed_tags", followedTagsRoutes);
  app.route("/api/v1/conversations", conversationsRoutes);
  app.route("/api/v2/notifications", notificationsV2Routes);
  app.route("/api/v1/filters", filtersV1Routes);
  app.route("/api/v2/filters", filtersV2Routes);
  app.route("/api/v1/polls", pollsRoutes);
  app.route("/api/v1/trends", trendsRoutes);
  app.route("/api/v1/suggestions", suggestionsV1Routes);
  app.route("/api/v2/suggestions", suggestionsV2Routes);
  app.route("/api/v1/directory", directoryRoutes);
  app.route("/api/v1/announcements", announcementsRoutes);
  app.route("/api/v1/annual_reports", annualReportsRoutes);
  app.route("/api/oembed", oembedRoutes);
  app.route("/api/v1_alpha/async_refreshes", asyncRefreshRoutes);
  app.route("/api/v1/reports", reportsRoutes);
  app.route("/api/v1/domain_blocks", domainBlocksRoutes);
  app.route("/api/v1/emails", emailsRoutes);
  app.route("/api/v1", ownListsRoutes);
  app.route("/api/v1/instance", instanceV1Routes);
  app.route("/api/v2/instance", instanceV2Routes);
  app.route("/api/v2/search", searchRoutes);
  // Groups few requests reach are imported on their first (lazy-routes.ts): the admin API and
  // console, the settings pages, and the sign-in and sign-up pages.
  lazyRoutes(app, "/api/v1/admin", async () => (await import("./api/admin/routes.ts")).adminV1Routes);
  lazyRoutes(app, "/api/v2/admin", async () => (await import("./api/admin/routes.ts")).adminV2Routes);
  app.route("/api/v1/skein", skeinAccountDataRoutes);
  if (options.streaming) app.route("/api/v1/streaming", streamingRoutes(options.streaming));
  app.route("/oauth", oauthRoutes);
  // The pages of signing in and up (a server's users are signed in for months): sign-in and two
  // factors, sign-up, e-mail confirmation, password reset, the registration fee's pages; invites.
  lazyRoutes(app, "/auth", async () => {
    const [{ signInRoutes }, { signUpRoutes }, { confirmationRoutes }, { passwordResetRoutes }, { paymentPages }] = await Promise.all([
      import("./web/sign-in.ts"),
      import("./web/registration/sign-up.ts"),
      import("./web/auth/confirmation.ts"),
      import("./web/auth/password-reset.ts"),
      import("./web/registration/payment-pages.ts"),
    ]);
    return new Hono<AppEnv>().route("/", signInRoutes).route("/", signUpRoutes).route("/", confirmationRoutes).route("/", passwordResetRoutes).route("/", paymentPages);
  });
  lazyRoutes(app, "/invite", async () => (await import("./web/registration/sign-up.ts")).inviteRoutes);
  app.route("/webhooks/payments", paymentWebhookRoutes);
  app.route("/severed_relationships", severedRelationshipsRoutes);
  // Before any /settings page: these files also answer bearer tokens, which the settings guard would send to sign in.
  lazyRoutes(app, "/settings", async () => {
    const [{ accountDataDownloadRoutes }, { accountDataPages }, { settingsRoutes }] = await Promise.all([
      import("./web/account-data/downloads.ts"),
      import("./web/account-data/pages.ts"),
      import("./web/settings/routes.ts"),
    ]);
    return new Hono<AppEnv>().route("/exports", accountDataDownloadRoutes).route("/", accountDataPages).route("/", settingsRoutes);
  });
  const figures = options.queue ?? options.metrics ?? null;
  lazyRoutes(app, "/admin", async () => (await import("./web/admin/routes.ts")).adminRoutes(figures));
  app.route("/.well-known", wellKnownRoutes);
  app.route("/nodeinfo", nodeInfoRoutes);
  app.route("/emojis", emojiObjectRoutes);
  app.route("/users", featuredCollectionRoutes);
  if (options.webClient) app.route("/", webClientRoutes(options.webClient));
  app.route("/", pageRoutes);
  app.route("/", instancePageRoutes);
  app.route("/", publicRoutes);

  // A browser asking for a page that is not there gets a page saying so; everyone else, JSON.
  app.notFound((c) => (c.req.path.startsWith("/api/") ? c.json({ error: "Record not found" }, 404) : missingPage(c, 404, "There is nothing at this address.")));
  app.onError(handleError);
  return app;
}
