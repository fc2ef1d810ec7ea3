// /admin/trends: the figures a trend reads better than a number — queue depth, deliveries per
// second, storage — over the last hour, day or week, as charts drawn here (charts.ts) from the
// samples the scheduler takes every minute (ServerHistory), each with its figures in a table.
// "Sample now" takes one at once (the same service as the sweep). Permission view_dashboard, as
// the dashboard and the API's measures.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AdminContext, AdminEnv } from "./layout.ts";
import { adminPage, can, csrfField, when } from "./layout.ts";
import { noticeOf, readForm } from "../settings/layout.ts";
import type { ServerSample } from "../../../domain/instance/server-history.ts";
import { decimalBytes, lineChart } from "./charts.ts";

export const trendRoutes = new Hono<AdminEnv>();

const RANGES = [
  { key: "1h", label: "Last hour", hours: 1 },
  { key: "24h", label: "Last day", hours: 24 },
  { key: "7d", label: "Last week", hours: 168 },
] as const;
const SAMPLED = "A sample was taken.";
const NOTICES = [SAMPLED];
/** Rows of the figures' table: the newest samples. */
const TABLE_ROWS = 30;

const count = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
const rate = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)}/s`;
const timeOf = (s: ServerSample) => Date.parse(s.sampled_at);

function charts(samples: readonly ServerSample[], from: number, to: number) {
  const series = (label: string, pick: (s: ServerSample) => number | null) => ({
    label,
    points: samples.flatMap((s) => {
      const v = pick(s);
      return v === null ? [] : [{ t: timeOf(s), v }];
    }),
  });
  return html`${lineChart({
    id: "chart-queue",
    title: "Queue depth",
    about: "Jobs (inbox, outbox, media, mail…) and outgoing deliveries not done yet, sampled every minute,",
    from,
    to,
    format: count,
    series: [series("jobs waiting", (s) => s.jobs_queued), series("deliveries waiting", (s) => s.deliveries_queued)],
  })}
${lineChart({
  id: "chart-deliveries",
  title: "Deliveries per second",
  about: "Deliveries to other servers made and failed per second over the minute before each sample,",
  from,
  to,
  format: rate,
  series: [series("delivered", (s) => s.delivered / 60), series("failed", (s) => s.failed / 60)],
})}
${lineChart({
  id: "chart-storage",
  title: "Media storage",
  about: "Bytes of local uploads (originals and previews) and of the remote media cache, measured hourly,",
  from,
  to,
  format: decimalBytes,
  minTop: 1_000_000,
  series: [series("local uploads", (s) => s.media_bytes), series("remote media cache", (s) => s.cache_bytes)],
})}`;
}

function figuresTable(samples: readonly ServerSample[]) {
  const rows = samples.slice(-TABLE_ROWS).reverse();
  if (rows.length === 0) return "";
  return html`<details>
<summary>The figures (the newest ${rows.length} samples)</summary>
<table id="samples">
<thead><tr><th scope="col">Sampled</th><th scope="col">Jobs waiting (ready)</th><th scope="col">Deliveries waiting (ready)</th><th scope="col">Delivered / failed last minute</th><th scope="col">Local uploads</th><th scope="col">Remote media cache</th></tr></thead>
<tbody>${rows.map((s) => html`<tr><td>${when(s.sampled_at)}</td><td>${s.jobs_queued} (${s.jobs_ready})</td><td>${s.deliveries_queued} (${s.deliveries_ready})</td><td>${s.delivered} / ${s.failed}</td><td>${s.media_bytes === null ? "—" : decimalBytes(s.media_bytes)}</td><td>${s.cache_bytes === null ? "—" : decimalBytes(s.cache_bytes)}</td></tr>`)}</tbody>
</table>
</details>`;
}

trendRoutes.get("/trends", can("view_dashboard"), async (c) => {
  const range = RANGES.find((r) => r.key === c.req.query("range")) ?? RANGES[1];
  const now = Date.now();
  const samples = await c.get("services").serverHistory.history(range.hours, new Date(now));
  return c.html(
    adminPage(c, {
      active: "trends",
      title: "Trends",
      notice: noticeOf(c, NOTICES),
      body: html`<nav aria-label="Time shown"><p>${RANGES.map((r) => (r === range ? html`<strong aria-current="page">${r.label}</strong> ` : html`<a href="/admin/trends?range=${r.key}">${r.label}</a> `))}</p></nav>
${charts(samples, now - range.hours * 3600_000, now)}
${figuresTable(samples)}
<form method="post" action="/admin/trends/sample?range=${range.key}" id="sample-now">
${csrfField(c)}
<button type="submit">Sample now</button>
<span class="hint">A sample is taken every minute by the server's scheduler and kept a week; this takes one now, storage included.</span>
</form>`,
    }),
  );
});

trendRoutes.post("/trends/sample", can("view_dashboard"), async (c: AdminContext) => {
  await readForm(c);
  await c.get("services").serverHistory.sample({ measureStorage: true });
  const range = RANGES.find((r) => r.key === c.req.query("range")) ?? RANGES[1];
  return c.redirect(`/admin/trends?range=${range.key}&notice=${encodeURIComponent(SAMPLED)}`, 303);
});
