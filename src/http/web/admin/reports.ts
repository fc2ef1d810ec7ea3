// /admin/reports: the reports queue (open ones, or resolved ones), and one report with the
// reporter's comment beside the reported posts, to assign, resolve, reopen, or resolve with an
// action on the reported account. The same services as /api/v1/admin/reports (permission
// manage_reports) and, for the action, POST /api/v1/admin/accounts/:id/action (manage_users):
// the action resolves the report it names and leaves both in the audit log.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AdminContext, AdminEnv } from "./layout.ts";
import { adminPage, allowed, can, csrfField, moderatorOf, when } from "./layout.ts";
import { doneRedirect, noticeOf, readForm, refusal } from "../settings/layout.ts";
import { bool, str } from "../../params.ts";
import { parseId } from "../../../util/ids.ts";
import { renderAdminReports } from "../../../convert/mastodon/admin/report.ts";
import { statusArticle, type PublicStatus } from "../public/partials.ts";
import type { AccountActionType } from "../../../domain/moderation/account-moderation.ts";
import { actionChoices, cursorPage, pagerLinks, handleOf, type AdminAccountView } from "./partials.ts";

export const reportRoutes = new Hono<AdminEnv>();

type ReportView = Awaited<ReturnType<typeof renderAdminReports>>[number];

const ASSIGNED = "The report is assigned to you.";
const UNASSIGNED = "The report is no longer assigned.";
const RESOLVED = "The report is resolved.";
const REOPENED = "The report is open again.";
const ACTED = "The action was taken and the report resolved.";
const NOTICES = [ASSIGNED, UNASSIGNED, RESOLVED, REOPENED, ACTED];

const me = (c: AdminContext) => c.get("user").account_id;

async function renderOne(c: AdminContext, id: string): Promise<ReportView | null> {
  const services = c.get("services");
  const [view] = await renderAdminReports(services, me(c), [await services.moderation.reports.get(id)]);
  return view ?? null;
}

function reportIdOf(c: AdminContext): string | null {
  return parseId(c.req.param("id") ?? "") ?? null;
}

const status = (r: ReportView) => (r.action_taken ? html`<span class="badge">resolved</span>` : html`<span class="badge open">open</span>`);

reportRoutes.get("/reports", can("manage_reports"), async (c) => {
  const resolved = c.req.query("status") === "resolved";
  const services = c.get("services");
  const request = cursorPage(c, 40);
  const rows = await services.moderation.reports.list({ resolved }, request.page);
  const items = request.trim(rows);
  const views = await renderAdminReports(services, me(c), items);
  return c.html(
    adminPage(c, {
      active: "reports",
      title: resolved ? "Resolved reports" : "Open reports",
      body: html`<nav aria-label="Which reports"><a href="/admin/reports"${resolved ? "" : html` aria-current="page"`}>Open</a> · <a href="/admin/reports?status=resolved"${resolved ? html` aria-current="page"` : ""}>Resolved</a></nav>
${views.length === 0
  ? html`<p id="no-reports">${resolved ? "No resolved reports." : "No open reports. Nothing waits for a moderator."}</p>`
  : html`<table id="reports">
<thead><tr><th scope="col">Report</th><th scope="col">Reported account</th><th scope="col">By</th><th scope="col">Category</th><th scope="col">Comment</th><th scope="col">Posts</th><th scope="col">Assigned to</th></tr></thead>
<tbody>
${views.map((r) => html`<tr>
  <td><a href="/admin/reports/${r.id}">#${r.id.slice(-6)}</a> ${status(r)}<br><span class="meta">${when(r.created_at)}</span></td>
  <td>${account(r.target_account)}</td>
  <td>${account(r.account)}</td>
  <td>${r.category}</td>
  <td>${r.comment.slice(0, 120)}</td>
  <td>${r.statuses.length}</td>
  <td>${r.assigned_account ? handleOf(r.assigned_account) : "—"}</td>
</tr>`)}
</tbody>
</table>`}
${pagerLinks(`/admin/reports${resolved ? "?status=resolved" : ""}`, request.links(items))}`,
    }),
  );
});

function account(a: AdminAccountView | null) {
  return a ? html`<a href="/admin/accounts/${a.id}">${handleOf(a)}</a>` : "—";
}

reportRoutes.get("/reports/:id", can("manage_reports"), async (c) => {
  const id = reportIdOf(c);
  let view: ReportView | null = null;
  try {
    view = id ? await renderOne(c, id) : null;
  } catch (error) {
    refusal(error);
  }
  if (!view) return c.html(adminPage(c, { active: "reports", title: "Report", error: "There is no such report.", body: html`<p><a href="/admin/reports">Back to the reports</a></p>` }), 404);
  return c.html(reportPage(c, view, noticeOf(c, NOTICES), null));
});

function reportPage(c: AdminContext, r: ReportView, notice: string | null, error: string | null) {
  const mine = r.assigned_account?.id === me(c);
  const base = `/admin/reports/${r.id}`;
  const target = r.target_account!;
  return adminPage(c, {
    active: "reports",
    title: `Report #${r.id.slice(-6)} about ${handleOf(target)}`,
    notice,
    error,
    body: html`<p>${status(r)} · ${r.category}${r.forwarded ? " · forwarded from its server" : ""} · filed ${when(r.created_at)}${r.action_taken ? html` · resolved ${when(r.action_taken_at)}${r.action_taken_by_account ? ` by ${handleOf(r.action_taken_by_account)}` : ""}` : ""}</p>
<p id="assignee">Assigned to: ${r.assigned_account ? handleOf(r.assigned_account) : "nobody"}
${mine
  ? html`<form class="inline" method="post" action="${base}/unassign">${csrfField(c)}<button type="submit">Unassign</button></form>`
  : html`<form class="inline" method="post" action="${base}/assign">${csrfField(c)}<button type="submit" id="assign">Assign to me</button></form>`}</p>
<div class="columns">
<section class="panel" aria-labelledby="comment-heading">
<h2 id="comment-heading">The reporter's comment</h2>
<p>From ${account(r.account)}${r.account?.domain ? html` <span class="meta">(another server)</span>` : ""}</p>
${r.comment ? html`<blockquote class="comment" id="comment">${r.comment}</blockquote>` : html`<p class="hint" id="comment">No comment.</p>`}
${r.rules.length ? html`<h3>Rules named</h3><ul>${r.rules.map((rule) => html`<li>${rule.text}</li>`)}</ul>` : ""}
<h3>The reported account</h3>
<p>${account(target)} · ${target.account.statuses_count} posts · ${target.account.followers_count} followers · joined ${when(target.created_at)}
${target.suspended ? html` · <span class="badge bad">suspended</span>` : ""}${target.silenced ? html` · <span class="badge bad">limited</span>` : ""}</p>
</section>
<section class="panel" aria-labelledby="posts-heading" id="reported-posts">
<h2 id="posts-heading">Reported posts (${r.statuses.length})</h2>
${r.statuses.length === 0 ? html`<p class="hint">The report names no post (or they were deleted).</p>` : r.statuses.map((s) => statusArticle(s as unknown as PublicStatus))}
</section>
</div>
${r.action_taken
  ? html`<form method="post" action="${base}/reopen">${csrfField(c)}<button type="submit">Reopen</button></form>`
  : html`<h2>Resolve</h2>
<form method="post" action="${base}/resolve">${csrfField(c)}<button type="submit" id="resolve">Resolve without action</button></form>
${allowed(c, "manage_users")
  ? html`<form method="post" action="${base}/action" id="action-form">
${csrfField(c)}
<fieldset>
<legend>Resolve with an action on ${handleOf(target)}</legend>
${actionChoices()}
<label for="action-text">Message to the account (optional)</label>
<textarea id="action-text" name="text" maxlength="5000"></textarea>
<label class="check"><input type="checkbox" name="send_email_notification" value="true" checked> Tell the account</label>
<button type="submit" class="danger" id="take-action">Resolve with this action</button>
</fieldset>
</form>`
  : ""}`}
<p><a href="/admin/reports">Back to the reports</a></p>`,
  });
}

/** Runs a change, then back to the report with a notice; a rule's refusal is shown on the report. */
async function change(c: AdminContext, notice: string, run: (id: string) => Promise<unknown>, formRead = false) {
  if (!formRead) await readForm(c);
  const id = reportIdOf(c);
  if (!id) return c.html(adminPage(c, { active: "reports", title: "Report", error: "There is no such report.", body: html`` }), 404);
  try {
    await run(id);
  } catch (error) {
    const { message, status } = refusal(error);
    const view = status === 404 ? null : await renderOne(c, id);
    if (!view) return c.html(adminPage(c, { active: "reports", title: "Report", error: message, body: html`<p><a href="/admin/reports">Back to the reports</a></p>` }), 404);
    return c.html(reportPage(c, view, null, message), status);
  }
  return doneRedirect(c, `/admin/reports/${id}`, notice);
}

const reports = (c: AdminContext) => c.get("services").moderation.reports;

reportRoutes.post("/reports/:id/assign", can("manage_reports"), (c) => change(c, ASSIGNED, (id) => reports(c).assignToSelf(me(c), id)));
reportRoutes.post("/reports/:id/unassign", can("manage_reports"), (c) => change(c, UNASSIGNED, (id) => reports(c).unassign(me(c), id)));
reportRoutes.post("/reports/:id/resolve", can("manage_reports"), (c) => change(c, RESOLVED, (id) => reports(c).resolve(me(c), id)));
reportRoutes.post("/reports/:id/reopen", can("manage_reports"), (c) => change(c, REOPENED, (id) => reports(c).reopen(me(c), id)));

// The account action with the report in hand: POST /api/v1/admin/accounts/:id/action's service
// and permission (manage_users), with report_id set, which resolves the report.
reportRoutes.post("/reports/:id/action", can("manage_users"), async (c) => {
  const params = await readForm(c);
  return change(c, ACTED, async (id) => {
    const report = await reports(c).get(id);
    await c.get("services").moderation.accounts.act(moderatorOf(c), report.target_account_id, {
      type: (str(params, "type", 20) ?? "") as AccountActionType,
      reportId: id,
      text: str(params, "text", 5000) ?? "",
      // An unchecked box is not sent: no notification.
      notify: bool(params, "send_email_notification") ?? false,
    });
  }, true);
});
