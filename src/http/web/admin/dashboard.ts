// /admin: what needs a moderator now (open reports, sign-ups waiting for approval) and how
// federation is doing (the durable queues and failing hosts, the figures of `./skein queue
// status`), and the remote media cache against its budget. Permission view_dashboard, as the
// API's measures.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AdminEnv } from "./layout.ts";
import { adminPage, allowed, can, when } from "./layout.ts";
import type { QueueFigures } from "./figures.ts";
import { humanBytes } from "../../../convert/mastodon/admin/measures.ts";

/** Counted up to this many; more shows as "100+" (a count of everything is not needed to act). */
const COUNT_LIMIT = 100;
const page = { maxId: null, minId: null, sinceId: null, limit: COUNT_LIMIT + 1 };
const counted = (n: number) => (n > COUNT_LIMIT ? `${COUNT_LIMIT}+` : String(n));
const age = (seconds: number | null) => (seconds === null ? "—" : `${Math.round(seconds)} s`);

export function dashboardRoutes(figures: QueueFigures | null) {
  const routes = new Hono<AdminEnv>();
  routes.get("/", can("view_dashboard"), async (c) => {
    const moderation = c.get("services").moderation;
    const [reports, pending, queues, deliveries, failing, cache] = await Promise.all([
      allowed(c, "manage_reports") ? moderation.reports.list({ resolved: false }, page) : null,
      allowed(c, "manage_users") ? moderation.accounts.list({ origin: "local", status: "pending" }, page) : null,
      figures ? figures.queueStats() : null,
      figures?.deliveries ? figures.deliveries() : null,
      figures?.failingHosts ? figures.failingHosts(10) : null,
      c.get("services").remoteMedia.usage(),
    ]);
    const rows = [...(queues ?? [])];
    if (deliveries) {
      const d = deliveries.stats;
      rows.push({ queue: "deliveries", ready: d.ready, running: d.running, delayed: d.delayed, oldestReadyAgeSeconds: d.oldestReadyAgeSeconds });
    }
    const perSecond = deliveries ? ((deliveries.lastMinute.delivered ?? 0) / 60).toFixed(1) : null;
    return c.html(
      adminPage(c, {
        active: "dashboard",
        title: "Dashboard",
        body: html`<ul class="figures" aria-label="Waiting for moderators">
${reports ? html`<li><a href="/admin/reports" id="open-reports"><strong>${counted(reports.length)}</strong> open report${reports.length === 1 ? "" : "s"}</a></li>` : ""}
${pending ? html`<li><a href="/admin/accounts?status=pending" id="pending-sign-ups"><strong>${counted(pending.length)}</strong> sign-up${pending.length === 1 ? "" : "s"} waiting</a></li>` : ""}
${deliveries ? html`<li><strong>${perSecond}/s</strong> deliveries over the last minute</li>
<li><strong>${deliveries.stats.failingHosts}</strong> failing host${deliveries.stats.failingHosts === 1 ? "" : "s"} (${deliveries.stats.pausedHosts} paused, ${deliveries.stats.unavailableHosts} unavailable)</li>` : ""}
</ul>
<h2>Queues</h2>
<p><a href="/admin/trends" id="trends-link">Queue depth, deliveries per second and storage over time</a></p>
${rows.length === 0
  ? html`<p class="hint">This process runs no queue; <code>./skein queue status</code> reads it from the database.</p>`
  : html`<table id="queues">
<caption class="hint">As <code>./skein queue status</code> prints them.</caption>
<thead><tr><th scope="col">Queue</th><th scope="col">Ready</th><th scope="col">Running</th><th scope="col">Delayed</th><th scope="col">Oldest ready</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${r.queue}</td><td>${r.ready}</td><td>${r.running}</td><td>${r.delayed}</td><td>${age(r.oldestReadyAgeSeconds)}</td></tr>`)}</tbody>
</table>`}
${deliveries ? html`<p class="meta">Last minute: ${deliveries.lastMinute.delivered ?? 0} delivered, ${deliveries.lastMinute.failed ?? 0} failed, ${deliveries.lastMinute.throttled ?? 0} throttled, ${deliveries.lastMinute.refused ?? 0} refused; ${deliveries.stats.readyRetries} retries ready; ${deliveries.stats.gaveUp} given up this week.</p>` : ""}
${failing && failing.length > 0
  ? html`<h2>Failing hosts</h2>
<table id="failing-hosts">
<thead><tr><th scope="col">Host</th><th scope="col">Failures</th><th scope="col">Days</th><th scope="col">Paused until</th><th scope="col">State</th><th scope="col">Last error</th></tr></thead>
<tbody>${failing.map((h) => html`<tr><td>${h.host}</td><td>${h.consecutive_failures}</td><td>${h.failure_days}</td><td>${when(h.paused_until)}</td><td>${h.unavailable_since ? "unavailable" : "failing"}</td><td>${(h.last_error ?? "").slice(0, 80)}</td></tr>`)}</tbody>
</table>`
  : ""}
<h2>Storage</h2>
<p id="remote-media-cache">Remote media cache: ${humanBytes(cache.usedBytes)} of its ${humanBytes(cache.budgetBytes)} budget (REMOTE_MEDIA_CACHE_MAX).</p>
<p class="hint">All media storage and its monthly cost: <code>./skein cost</code> (it measures the files one by one, too slow for this page).</p>`,
      }),
    );
  });
  return routes;
}
