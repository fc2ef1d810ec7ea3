// /admin/blocklists: subscriptions to published blocklists — each with its status (the last
// fetch, its error if it failed, the entries it holds), the last changes it made to the domain
// blocks (what each fetch added, changed or removed) with an undo for each (the domain is
// excluded from that list), fetching now, pausing, and removing it with or without its blocks;
// the drafts of lists that propose instead of applying; adding a subscription. The service
// /api/v1/admin/blocklists and `./skein blocklist` use (BlocklistService), with their permission,
// manage_federation.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AdminContext, AdminEnv } from "./layout.ts";
import { actorOf, adminPage, can, csrfField, when } from "./layout.ts";
import { doneRedirect, noticeOf, readForm, refusal } from "../settings/layout.ts";
import { bool, int, str, type Params } from "../../params.ts";
import { parseId } from "../../../util/ids.ts";
import { SEVERITIES } from "../../../domain/moderation/domain-block-service.ts";
import type { BlocklistSubscriptionRow } from "../../../domain/moderation/blocklists/subscriptions.ts";

export const blocklistRoutes = new Hono<AdminEnv>();

const PATH = "/admin/blocklists";
const SUBSCRIBED = "The subscription was added and fetched once.";
const FETCHED = "The list was fetched.";
const UPDATED = "The subscription was changed.";
const REMOVED = "The subscription was removed.";
const UNDONE = "The change was undone: the domain is excluded from the list.";
const APPROVED = "The draft was applied.";
const REJECTED = "The draft was rejected.";
const NOTICES = [SUBSCRIBED, FETCHED, UPDATED, REMOVED, UNDONE, APPROVED, REJECTED];
const FORMATS = [["csv", "Mastodon CSV"], ["json", "Mastodon JSON"], ["rapidblock", "RapidBlock JSON"], ["text", "Plain text"]] as const;
const ACTIONS: Record<string, string> = { create: "added", update: "changed", destroy: "removed" };
const manage = can("manage_federation");
const lists = (c: AdminContext) => c.get("services").moderation.blocklists;

function status(sub: BlocklistSubscriptionRow) {
  if (!sub.enabled) return html`<span class="badge">paused</span>`;
  if (sub.last_error) return html`<span class="badge bad">failing</span>`;
  if (!sub.last_success_at) return html`<span class="badge open">not fetched yet</span>`;
  return html`<span class="badge">up to date</span>`;
}

function options(sub: BlocklistSubscriptionRow): string {
  const parts = [`${sub.format}`, `priority ${sub.priority}`, `at most ${sub.max_severity}`];
  if (sub.apply_silence) parts.push("applies silences");
  if (sub.create_as_drafts) parts.push("proposes drafts");
  if (sub.adopt_existing) parts.push("adopts existing blocks");
  if (sub.remove_retracted) parts.push("removes retracted entries");
  return parts.join(", ");
}

async function listPage(c: AdminContext, options_: { notice?: string | null; error?: string | null } = {}) {
  const [subs, drafts] = await Promise.all([lists(c).subscriptions(), lists(c).drafts()]);
  const pending = drafts.filter((d) => d.status === "pending");
  const urlOf = new Map(subs.map((s) => [s.id, s.url]));
  return adminPage(c, {
    active: "blocklists",
    title: "Blocklist subscriptions",
    ...options_,
    body: html`<p class="hint">A subscribed list is fetched daily (BLOCKLIST_REFRESH_INTERVAL) and merged into the domain blocks; a moderator's own block is never changed by a list. Each change is in the audit log and can be undone here.</p>
${subs.length === 0
  ? html`<p id="no-subscriptions">No subscriptions.</p>`
  : html`<table id="subscriptions">
<thead><tr><th scope="col">List</th><th scope="col">Status</th><th scope="col">Last fetch</th><th scope="col">Entries</th><th scope="col">Last changes</th></tr></thead>
<tbody>${subs.map((s) => html`<tr>
  <td><a href="${PATH}/${s.id}">${s.url}</a><br><span class="meta">${options(s)}</span></td>
  <td>${status(s)}${s.last_error ? html`<br><span class="error">${s.last_error.slice(0, 200)}</span>` : ""}</td>
  <td>${when(s.last_fetched_at)}${s.last_success_at && s.last_success_at !== s.last_fetched_at ? html`<br><span class="meta">last good: ${when(s.last_success_at)}</span>` : ""}</td>
  <td>${s.entries_count}</td>
  <td><a href="${PATH}/${s.id}">${s.changes_applied} at the last fetch</a></td>
</tr>`)}</tbody>
</table>`}
${pending.length > 0
  ? html`<h2>Drafts waiting for a moderator</h2>
<table id="drafts">
<thead><tr><th scope="col">Domain</th><th scope="col">Proposed</th><th scope="col">By the list</th><th scope="col"><span class="hint">Decide</span></th></tr></thead>
<tbody>${pending.map((d) => html`<tr><td>${d.domain}</td><td>${d.action} ${d.severity}</td><td>${urlOf.get(d.subscription_id) ?? ""}</td><td>
<form class="inline" method="post" action="${PATH}/drafts/${d.id}/approve">${csrfField(c)}<button type="submit" aria-label="Apply the draft for ${d.domain}">Apply</button></form>
<form class="inline" method="post" action="${PATH}/drafts/${d.id}/reject">${csrfField(c)}<button type="submit" aria-label="Reject the draft for ${d.domain}">Reject</button></form></td></tr>`)}</tbody>
</table>`
  : ""}
<form method="post" action="${PATH}" id="add-subscription">
${csrfField(c)}
<fieldset>
<legend>Subscribe to a list</legend>
<label for="list-url">URL (https)</label>
<input type="text" id="list-url" name="url" required maxlength="2048" autocomplete="off">
<div class="row">
<div><label for="list-format">Format</label><select id="list-format" name="format">${FORMATS.map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select></div>
<div><label for="list-priority">Priority (0–255; the higher wins)</label><input type="text" inputmode="numeric" id="list-priority" name="priority" value="0" maxlength="3"></div>
<div><label for="list-max">At most</label><select id="list-max" name="max_severity">${SEVERITIES.map((s) => html`<option value="${s}"${s === "suspend" ? " selected" : ""}>${s}</option>`)}</select></div>
</div>
<label class="check"><input type="checkbox" name="apply_silence" value="true"> Apply its silences too (not only suspensions)</label>
<label class="check"><input type="checkbox" name="create_as_drafts" value="true"> Propose drafts for a moderator instead of applying</label>
<label class="check"><input type="checkbox" name="remove_retracted" value="true"> Remove a block when the list retracts it</label>
<label class="check"><input type="checkbox" name="adopt_existing" value="true"> Take over moderators' blocks that say the same</label>
<button type="submit">Subscribe</button>
</fieldset>
</form>`,
  });
}

async function subscriptionPage(c: AdminContext, sub: BlocklistSubscriptionRow, notice: string | null, error: string | null) {
  const batches = await lists(c).recentChanges(sub.id);
  const excludes = sub.excludes ? sub.excludes.split("\n") : [];
  const base = `${PATH}/${sub.id}`;
  return adminPage(c, {
    active: "blocklists",
    title: "Blocklist subscription",
    notice,
    error,
    body: html`<p><strong>${sub.url}</strong> ${status(sub)}</p>
<table id="subscription-facts"><tbody>
<tr><th scope="row">Options</th><td>${options(sub)}</td></tr>
<tr><th scope="row">Last fetch</th><td>${when(sub.last_fetched_at)}${sub.last_error ? html` — <span class="error">${sub.last_error}</span>` : ""}</td></tr>
<tr><th scope="row">Last good fetch</th><td>${when(sub.last_success_at)}: ${sub.entries_count} entries, ${sub.changes_applied} changes made</td></tr>
<tr><th scope="row">Excluded domains</th><td id="excludes">${excludes.length ? excludes.join(", ") : "none"}</td></tr>
</tbody></table>
<form class="inline" method="post" action="${base}/refresh">${csrfField(c)}<button type="submit">Fetch now</button></form>
<form class="inline" method="post" action="${base}/${sub.enabled ? "pause" : "resume"}">${csrfField(c)}<button type="submit">${sub.enabled ? "Pause" : "Resume"}</button></form>
<h2>Last changes</h2>
${batches.length === 0
  ? html`<p class="hint" id="no-changes">The list has changed no domain block yet.</p>`
  : html`<table id="changes">
<thead><tr><th scope="col">When</th><th scope="col">Domain</th><th scope="col">Change</th><th scope="col"><span class="hint">Undo</span></th></tr></thead>
<tbody>${batches.flatMap((b) => b.changes.map((ch, i) => html`<tr>
  <td>${i === 0 ? when(b.at) : ""}</td>
  <td>${ch.domain}</td>
  <td>${ACTIONS[ch.action] ?? ch.action}: ${plainDetail(ch.detail)}</td>
  <td>${ch.action !== "destroy" && !excludes.includes(ch.domain)
    ? html`<form class="inline" method="post" action="${base}/undo">${csrfField(c)}<input type="hidden" name="domain" value="${ch.domain}"><button type="submit" aria-label="Undo: exclude ${ch.domain} from this list">Undo</button></form>`
    : ""}</td>
</tr>`))}</tbody>
</table>
<p class="hint">Undo excludes the domain from this list: its block goes (or goes back to the moderators, if the list had adopted it), and later fetches leave the domain alone. A block the list removed can be made again on the Domain blocks page.</p>`}
<h2>Remove the subscription</h2>
<form class="inline" method="post" action="${base}/remove">${csrfField(c)}<button type="submit">Remove, keep its blocks</button></form>
<form class="inline" method="post" action="${base}/remove">${csrfField(c)}<input type="hidden" name="undo" value="true"><button type="submit" class="danger">Remove with its blocks</button></form>
<p><a href="${PATH}">Back to the subscriptions</a></p>`,
  });
}

/** The audit entry's text without the list's name (this page is the list's): "suspend — excluded". */
function plainDetail(text: string): string {
  return text.replace(/ \(blocklist subscription \d+ \(.*?\)(?:: (.*))?\)$/, (_all, what: string | undefined) => (what ? ` — ${what}` : ""));
}

function inputOf(params: Params) {
  return {
    url: str(params, "url", 4096)?.trim(),
    format: str(params, "format", 100),
    priority: int(params, "priority", { min: 0, max: 255 }),
    max_severity: str(params, "max_severity", 100),
    apply_silence: bool(params, "apply_silence") ?? false,
    create_as_drafts: bool(params, "create_as_drafts") ?? false,
    remove_retracted: bool(params, "remove_retracted") ?? false,
    adopt_existing: bool(params, "adopt_existing") ?? false,
  };
}

const idOf = (c: AdminContext) => parseId(c.req.param("id") ?? "") ?? "0";

blocklistRoutes.get("/blocklists", manage, async (c) => c.html(await listPage(c, { notice: noticeOf(c, NOTICES) })));

blocklistRoutes.post("/blocklists", manage, async (c) => {
  const params = await readForm(c);
  try {
    await lists(c).subscribe(actorOf(c), inputOf(params));
  } catch (error) {
    const { message, status: code } = refusal(error);
    return c.html(await listPage(c, { error: message }), code);
  }
  return doneRedirect(c, PATH, SUBSCRIBED);
});

blocklistRoutes.get("/blocklists/:id", manage, async (c) => {
  try {
    return c.html(await subscriptionPage(c, await lists(c).get(idOf(c)), noticeOf(c, NOTICES), null));
  } catch (error) {
    const { message, status: code } = refusal(error);
    return c.html(await listPage(c, { error: message }), code);
  }
});

/** Runs an action on one subscription; back to its page (or `done`) with a notice, or the refusal shown. */
async function act(c: AdminContext, notice: string, run: (id: string, params: Params) => Promise<unknown>, done?: string) {
  const params = await readForm(c);
  const id = idOf(c);
  try {
    await run(id, params);
  } catch (error) {
    const { message, status: code } = refusal(error);
    if (code === 404 || done === PATH) return c.html(await listPage(c, { error: message }), code);
    return c.html(await subscriptionPage(c, await lists(c).get(id), null, message), code);
  }
  return doneRedirect(c, done ?? `${PATH}/${id}`, notice);
}

blocklistRoutes.post("/blocklists/:id/refresh", manage, (c) => act(c, FETCHED, (id) => lists(c).refresh(id)));
blocklistRoutes.post("/blocklists/:id/pause", manage, (c) => act(c, UPDATED, (id) => lists(c).update(actorOf(c), id, { enabled: false })));
blocklistRoutes.post("/blocklists/:id/resume", manage, (c) => act(c, UPDATED, (id) => lists(c).update(actorOf(c), id, { enabled: true })));
blocklistRoutes.post("/blocklists/:id/undo", manage, (c) => act(c, UNDONE, (id, params) => lists(c).exclude(actorOf(c), id, str(params, "domain", 1000) ?? "")));
blocklistRoutes.post("/blocklists/:id/remove", manage, (c) => act(c, REMOVED, (id, params) => lists(c).unsubscribe(actorOf(c), id, bool(params, "undo") ?? false), PATH));
blocklistRoutes.post("/blocklists/drafts/:id/approve", manage, (c) => act(c, APPROVED, (id) => lists(c).approve(actorOf(c), id), PATH));
blocklistRoutes.post("/blocklists/drafts/:id/reject", manage, (c) => act(c, REJECTED, (id) => lists(c).reject(actorOf(c), id), PATH));
