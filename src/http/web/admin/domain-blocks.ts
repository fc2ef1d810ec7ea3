// /admin/domain_blocks: the server's domain blocks; adding one in two steps (the form, then a
// preview of what it severs — accounts there, follows cut both ways — and the confirmation);
// removing one; importing a blocklist (a dry run first, then the import) and exporting the
// server's own. The same services as /api/v1/admin/domain_blocks and /blocklists
// (DomainBlockService, BlocklistService; the preview is DomainBlockPreviews), with their
// permission, manage_federation: admins, not moderators.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AdminContext, AdminEnv } from "./layout.ts";
import { actorOf, adminPage, can, csrfField, when } from "./layout.ts";
import { doneRedirect, noticeOf, readForm, refusal } from "../settings/layout.ts";
import { bool, str, type Params } from "../../params.ts";
import { parseId } from "../../../util/ids.ts";
import { SEVERITIES, type DomainBlockInput } from "../../../domain/moderation/domain-block-service.ts";
import type { DomainBlockPreview } from "../../../domain/moderation/domain-block-preview.ts";
import type { ImportReport } from "../../../domain/moderation/blocklists/import.ts";
import { BLOCKLIST_LIMITS } from "../../../domain/moderation/blocklists/formats.ts";
import { cursorPage, pagerLinks } from "./partials.ts";

export const domainBlockRoutes = new Hono<AdminEnv>();

const BLOCKED = "The domain is blocked.";
const REMOVED = "The block was removed.";
const IMPORTED = "The blocklist was imported.";
const NOTICES = [BLOCKED, REMOVED, IMPORTED];
const SEVERITY_LABELS: Record<string, string> = { noop: "No limit (reject media or reports only)", silence: "Limit (silence)", suspend: "Suspend" };
const FORMATS = [
  ["csv", "Mastodon CSV"],
  ["json", "Mastodon JSON"],
  ["rapidblock", "RapidBlock JSON"],
  ["text", "Plain text (one domain a line)"],
] as const;
const MAX_DOMAIN_INPUT = 1000;
const MAX_COMMENT_INPUT = 10_000;

const manage = can("manage_federation");
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function inputOf(params: Params): DomainBlockInput {
  return {
    domain: str(params, "domain", MAX_DOMAIN_INPUT)?.trim() ?? "",
    severity: str(params, "severity", 100),
    reject_media: bool(params, "reject_media") ?? false,
    reject_reports: bool(params, "reject_reports") ?? false,
    private_comment: str(params, "private_comment", MAX_COMMENT_INPUT) ?? "",
    public_comment: str(params, "public_comment", MAX_COMMENT_INPUT) ?? "",
    obfuscate: bool(params, "obfuscate") ?? false,
  };
}

/** The add form (empty, or filled again after a refusal). */
function addForm(c: AdminContext, input: DomainBlockInput | null) {
  return html`<form method="post" action="/admin/domain_blocks/preview" id="add-block">
${csrfField(c)}
<fieldset>
<legend>Block a domain</legend>
<label for="domain">Domain (covers its subdomains)</label>
<input type="text" id="domain" name="domain" required maxlength="253" value="${input?.domain ?? ""}" autocomplete="off">
<label for="severity">Severity</label>
<select id="severity" name="severity">${SEVERITIES.map((s) => html`<option value="${s}"${(input?.severity ?? "silence") === s ? " selected" : ""}>${SEVERITY_LABELS[s]}</option>`)}</select>
<label class="check"><input type="checkbox" name="reject_media" value="true"${input?.reject_media ? " checked" : ""}> Reject media files</label>
<label class="check"><input type="checkbox" name="reject_reports" value="true"${input?.reject_reports ? " checked" : ""}> Reject reports</label>
<label class="check"><input type="checkbox" name="obfuscate" value="true"${input?.obfuscate ? " checked" : ""}> Hide the name in the public list</label>
<label for="public_comment">Public comment</label>
<input type="text" id="public_comment" name="public_comment" maxlength="1000" value="${input?.public_comment ?? ""}">
<label for="private_comment">Private comment (moderators only)</label>
<input type="text" id="private_comment" name="private_comment" maxlength="1000" value="${input?.private_comment ?? ""}">
<button type="submit">Preview what it severs</button>
</fieldset>
</form>`;
}

async function listPage(c: AdminContext, options: { notice?: string | null; error?: string | null; input?: DomainBlockInput | null; imported?: ImportReport | null; importText?: string; importFormat?: string } = {}) {
  const request = cursorPage(c, 100);
  const rows = request.trim(await c.get("services").moderation.domainBlocks.list(request.page));
  return adminPage(c, {
    active: "domain_blocks",
    title: "Domain blocks",
    notice: options.notice ?? null,
    error: options.error ?? null,
    body: html`${rows.length === 0
  ? html`<p id="no-blocks">No domain is blocked.</p>`
  : html`<table id="domain-blocks">
<thead><tr><th scope="col">Domain</th><th scope="col">Severity</th><th scope="col">Also</th><th scope="col">Public comment</th><th scope="col">Since</th><th scope="col"><span class="hint">Remove</span></th></tr></thead>
<tbody>
${rows.map((b) => html`<tr>
  <td>${b.domain}${b.subscription_id ? html` <span class="badge">from a subscription</span>` : ""}</td>
  <td>${b.severity}</td>
  <td>${[b.reject_media ? "rejects media" : "", b.reject_reports ? "rejects reports" : "", b.obfuscate ? "name hidden" : ""].filter(Boolean).join(", ")}</td>
  <td>${b.public_comment}</td>
  <td>${when(b.created_at)}</td>
  <td><form method="post" action="/admin/domain_blocks/${b.id}/remove">${csrfField(c)}<button type="submit" aria-label="Remove the block of ${b.domain}">Remove</button></form></td>
</tr>`)}
</tbody>
</table>`}
${pagerLinks("/admin/domain_blocks", request.links(rows))}
${addForm(c, options.input ?? null)}
<h2>Import a blocklist</h2>
<form method="post" action="/admin/domain_blocks/import" id="import-form">
${csrfField(c)}
<label for="import-format">Format</label>
<select id="import-format" name="format">${FORMATS.map(([value, label]) => html`<option value="${value}"${(options.importFormat ?? "csv") === value ? " selected" : ""}>${label}</option>`)}</select>
<label for="import-text">The list (Mastodon CSV: <code>#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate</code>)</label>
<textarea id="import-text" name="text" rows="6">${options.importText ?? ""}</textarea>
<button type="submit" name="dry_run" value="true">Preview the import</button>
${options.imported?.dry_run ? html`<button type="submit" name="dry_run" value="false" class="danger">Import</button>` : ""}
</form>
${options.imported ? importReport(options.imported) : ""}
<h2>Export</h2>
<p>${FORMATS.map(([value, label]) => html`<a href="/admin/domain_blocks/export?format=${value}" download>${label}</a> `)}</p>`,
  });
}

function importReport(report: ImportReport) {
  const n = report.counts;
  return html`<section id="import-report" aria-labelledby="import-heading">
<h3 id="import-heading">${report.dry_run ? "The import would" : "The import"}: ${n.create} new, ${n.update} changed, ${n.unchanged} unchanged, ${n.skipped} skipped, ${n.invalid} invalid; ${plural(report.severed_follows, "follow", "follows")} cut</h3>
${report.changes.length ? html`<ul>${report.changes.slice(0, 50).map((ch) => html`<li>${ch.domain}: ${ch.action} ${ch.severity}${ch.previous ? ` (was ${ch.previous})` : ""}${ch.reason ? ` — ${ch.reason}` : ""}${ch.severs ? ` — cuts ${plural(ch.severs, "follow", "follows")}` : ""}</li>`)}</ul>` : ""}
</section>`;
}

domainBlockRoutes.get("/domain_blocks", manage, async (c) => c.html(await listPage(c, { notice: noticeOf(c, NOTICES) })));

// Step one: what the block would sever, and the confirmation (the form's fields carried along).
domainBlockRoutes.post("/domain_blocks/preview", manage, async (c) => {
  const input = inputOf(await readForm(c));
  let preview: DomainBlockPreview;
  try {
    preview = await c.get("services").moderation.domainBlockPreviews.preview(input.domain ?? "", input.severity, { rejectMedia: input.reject_media, rejectReports: input.reject_reports });
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(await listPage(c, { error: message, input }), status);
  }
  const covering = preview.covering;
  return c.html(
    adminPage(c, {
      active: "domain_blocks",
      title: `Block ${preview.domain}?`,
      error: preview.refused && covering ? `${covering.domain} is already blocked (${covering.severity}), as strictly or more: this block would add nothing.` : null,
      body: html`<section id="preview" aria-labelledby="preview-heading">
<h2 id="preview-heading">What ${SEVERITY_LABELS[preview.severity].toLowerCase()} of ${preview.domain} does</h2>
<ul class="figures">
<li><strong id="preview-accounts">${preview.accounts}</strong> known account${preview.accounts === 1 ? "" : "s"} there ${preview.severity === "suspend" ? "suspended" : preview.severity === "silence" ? "limited" : "kept as they are"}</li>
<li><strong id="preview-following">${preview.following}</strong> follow${preview.following === 1 ? "" : "s"} of them by local accounts</li>
<li><strong id="preview-followers">${preview.followers}</strong> follower${preview.followers === 1 ? "" : "s"} of local accounts there</li>
<li><strong id="preview-severed">${preview.severed}</strong> follow${preview.severed === 1 ? "" : "s"} cut</li>
<li><strong id="preview-local-accounts">${preview.localAccounts}</strong> ${preview.localAccounts === 1 ? "person" : "people"} here ${preview.severity === "suspend" && preview.severed > 0 ? "would lose" : "with"} a follower or a followee there</li>
</ul>
<p class="hint" id="preview-local-hint">People here: local accounts that follow someone there or are followed from there, each counted once however many follows it has.${preview.severity === "suspend" && preview.severed > 0 ? " A suspension cuts those follows; each of these people is told what they lost." : ""}</p>
<p class="hint">${preview.severity === "suspend"
  ? "A suspension cuts every follow both ways (the local users are told what they lost), stops all federation with the domain and removes what is stored from it."
  : preview.severity === "silence"
    ? "A limit keeps follows: its posts reach only those who follow its accounts, and their mentions notify only those who follow them."
    : "No limit: follows and posts stay; only the media or reports options apply."}
${covering && !preview.refused ? html` It replaces nothing: ${covering.domain} is already blocked (${covering.severity}), less strictly.` : ""}</p>
</section>
${preview.refused
  ? html`<p><a href="/admin/domain_blocks">Back to the domain blocks</a></p>`
  : html`<form method="post" action="/admin/domain_blocks">
${csrfField(c)}
<input type="hidden" name="domain" value="${preview.domain}">
<input type="hidden" name="severity" value="${preview.severity}">
<input type="hidden" name="reject_media" value="${input.reject_media ? "true" : "false"}">
<input type="hidden" name="reject_reports" value="${input.reject_reports ? "true" : "false"}">
<input type="hidden" name="obfuscate" value="${input.obfuscate ? "true" : "false"}">
<input type="hidden" name="public_comment" value="${input.public_comment ?? ""}">
<input type="hidden" name="private_comment" value="${input.private_comment ?? ""}">
<button type="submit" class="danger" id="confirm-block">Block ${preview.domain}</button>
<a href="/admin/domain_blocks">Cancel</a>
</form>`}`,
    }),
  );
});

// Step two: the block itself, through the service POST /api/v1/admin/domain_blocks uses.
domainBlockRoutes.post("/domain_blocks", manage, async (c) => {
  const input = inputOf(await readForm(c));
  try {
    await c.get("services").moderation.domainBlocks.create(actorOf(c), input);
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(await listPage(c, { error: message, input }), status);
  }
  return doneRedirect(c, "/admin/domain_blocks", BLOCKED);
});

domainBlockRoutes.post("/domain_blocks/:id/remove", manage, async (c) => {
  await readForm(c);
  const id = parseId(c.req.param("id") ?? "");
  try {
    if (!id) throw new Error("not an id");
    await c.get("services").moderation.domainBlocks.remove(actorOf(c), id);
  } catch (error) {
    const message = id ? refusal(error).message : "There is no such block.";
    return c.html(await listPage(c, { error: message }), 404);
  }
  return doneRedirect(c, "/admin/domain_blocks", REMOVED);
});

domainBlockRoutes.post("/domain_blocks/import", manage, async (c) => {
  const params = await readForm(c);
  const text = str(params, "text", BLOCKLIST_LIMITS.maxBytes) ?? "";
  const format = str(params, "format", 100);
  const dryRun = bool(params, "dry_run") ?? true;
  let report: ImportReport;
  try {
    report = await c.get("services").moderation.blocklists.importList(actorOf(c), { text, format, dryRun });
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(await listPage(c, { error: message, importText: text, importFormat: format }), status);
  }
  if (!dryRun) return c.html(await listPage(c, { notice: IMPORTED, imported: report }));
  return c.html(await listPage(c, { imported: report, importText: text, importFormat: format }));
});

domainBlockRoutes.get("/domain_blocks/export", manage, async (c) => {
  const format = c.req.query("format") ?? "csv";
  let list;
  try {
    list = await c.get("services").moderation.blocklists.exportList(format);
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(await listPage(c, { error: message }), status);
  }
  const extension = format === "csv" ? "csv" : format === "text" ? "txt" : "json";
  c.header("Content-Disposition", `attachment; filename="domain_blocks.${extension}"`);
  c.header("Cache-Control", "private, no-store");
  return c.body(list.text, 200, { "content-type": list.contentType });
});
