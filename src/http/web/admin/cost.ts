// /admin/cost: the media cost report `./skein cost` prints — storage by kind, what was served in
// the last 30 days, a month projected in USD at the configured prices — with served bytes per day
// as a chart. Measuring lists every stored file, so "Measure now" starts it in the background
// (CostReports: one at a time) and the page shows the latest report with its time, refreshing
// itself while a measurement runs. Permission view_dashboard, as the dashboard.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AdminContext, AdminEnv } from "./layout.ts";
import { adminPage, can, csrfField, when } from "./layout.ts";
import { noticeOf, readForm } from "../settings/layout.ts";
import { decimalBytes, lineChart } from "./charts.ts";
import type { CostReport } from "../../../domain/media/cost-report.ts";

export const costRoutes = new Hono<AdminEnv>();

const STARTED = "Measuring has started; this page refreshes until it is done.";
const NOTICES = [STARTED];
const DAY_MS = 86_400_000;

/** Whole dollars above 100, cents below; an amount under a cent says so rather than "$0.00". */
const usd = (value: number) => (value > 0 && value < 0.005 ? "<$0.01" : `$${value < 100 ? value.toFixed(2) : value.toFixed(0)}`);
const price = (value: number) => `$${Number(value.toPrecision(6))}`;
const count = (value: number) => Math.round(value).toLocaleString("en-US");

function reportBody(report: CostReport) {
  const { storage, egress, projection: p, prices } = report;
  const days = egress.days.map((d) => ({ t: Date.parse(`${d.day}T12:00:00Z`), v: d.bytes }));
  const to = Date.parse(`${egress.toDay}T12:00:00Z`);
  return html`<p>Measured ${when(report.generatedAt)}.</p>
<h2>A month at these prices</h2>
<table id="projection">
<thead><tr><th scope="col">What</th><th scope="col">Amount</th><th scope="col">Price</th><th scope="col">Per month</th></tr></thead>
<tbody>
<tr><th scope="row">Storage</th><td>${p.storageGb.toFixed(3)} GB</td><td>${price(prices.storageGbMonth)} per GB-month</td><td>${usd(p.storageUsd)}</td></tr>
<tr><th scope="row">Egress</th><td>${p.egressGbPerMonth.toFixed(3)} GB a month</td><td>${price(prices.egressGb)} per GB</td><td>${usd(p.egressUsd)}</td></tr>
<tr><th scope="row">Requests</th><td>${count(p.requestsPerMonth)} a month</td><td>${price(prices.requestsPer10k)} per 10,000</td><td>${usd(p.requestsUsd)}</td></tr>
<tr><th scope="row">Total</th><td></td><td></td><td id="total-usd"><strong>${usd(p.totalUsd)}</strong></td></tr>
</tbody>
</table>
<p class="hint">Storage is what the files take now; egress and requests are this server's daily average over the ${egress.daysCounted} day${egress.daysCounted === 1 ? "" : "s"} counted, times a month. Files a CDN or nginx serves without asking Skein are not counted. Prices: COST_STORAGE_GB_MONTH, COST_EGRESS_GB, COST_REQUESTS_10K.</p>
<h2>Storage now (${storage.driver === "s3" ? "S3 bucket" : "local folder"})</h2>
<table id="storage">
<thead><tr><th scope="col">Kind</th><th scope="col">Files</th><th scope="col">Size</th></tr></thead>
<tbody>
${storage.kinds.map((k) => html`<tr><th scope="row">${k.label}</th><td>${count(k.files)}</td><td>${decimalBytes(k.bytes)}</td></tr>`)}
<tr><th scope="row">Total</th><td>${count(storage.totalFiles)}</td><td>${decimalBytes(storage.totalBytes)}</td></tr>
</tbody>
</table>
<h2>Served ${egress.fromDay} to ${egress.toDay}</h2>
${egress.kinds.length === 0
  ? html`<p id="nothing-served">Nothing served yet.</p>`
  : html`${lineChart({
      id: "chart-egress",
      title: "Media served per day",
      about: "Bytes of media files Skein served each day (uploads, previews, the remote media cache, avatars and emojis),",
      from: to - 29 * DAY_MS,
      to,
      format: decimalBytes,
      minTop: 1_000_000,
      series: [{ label: "served", points: days }],
    })}
<table id="egress">
<thead><tr><th scope="col">Kind</th><th scope="col">Served</th><th scope="col">Requests</th></tr></thead>
<tbody>${egress.kinds.map((k) => html`<tr><th scope="row">${k.label}</th><td>${decimalBytes(k.bytes)}</td><td>${count(k.requests)}</td></tr>`)}</tbody>
</table>`}`;
}

async function costPage(c: AdminContext) {
  const { report, measuringSince, failure } = c.get("services").costReports.state();
  return adminPage(c, {
    active: "cost",
    title: "Cost",
    notice: noticeOf(c, NOTICES),
    error: failure ? `The last measurement failed: ${failure}` : null,
    // While a measurement runs the page reloads itself (no script: the console's CSP allows none).
    refreshSeconds: measuringSince ? 3 : undefined,
    body: html`${measuringSince ? html`<p id="measuring" role="status">Measuring since ${when(measuringSince)}…</p>` : ""}
${report ? reportBody(report) : html`<p id="not-measured">Not measured since the server started.</p>`}
<form method="post" action="/admin/cost" id="measure-now">
${csrfField(c)}
<button type="submit"${measuringSince ? " disabled" : ""}>Measure now</button>
<span class="hint">Lists every stored file, as <code>./skein cost</code> does.</span>
</form>`,
  });
}

costRoutes.get("/cost", can("view_dashboard"), async (c) => c.html(await costPage(c)));

costRoutes.post("/cost", can("view_dashboard"), async (c) => {
  await readForm(c);
  void c.get("services").costReports.measure();
  return c.redirect(`/admin/cost?notice=${encodeURIComponent(STARTED)}`, 303);
});
