// /admin/sign_up_blocks: who may not sign up — e-mail domains (with their subdomains; or only
// with a moderator's approval), particular e-mail addresses (any spelling of one: stored as the
// hash of its canonical form), and IP ranges (approval required, sign-up refused, or no access).
// The service /api/v1/admin/email_domain_blocks, canonical_email_blocks and ip_blocks use
// (SignUpBlockService), with their permission, manage_blocks; sign-up asks the same service.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AdminContext, AdminEnv } from "./layout.ts";
import { adminPage, can, csrfField, when } from "./layout.ts";
import { doneRedirect, noticeOf, readForm, refusal } from "../settings/layout.ts";
import { bool, str, type Params } from "../../params.ts";
import { parseId } from "../../../util/ids.ts";
import { IP_SEVERITIES } from "../../../domain/moderation/sign-up-blocks.ts";
import type { IpBlockSeverity } from "../../../db/schema.ts";

export const signUpBlockRoutes = new Hono<AdminEnv>();

const PATH = "/admin/sign_up_blocks";
const ADDED = "The block was added.";
const REMOVED = "The block was removed.";
const NOTICES = [ADDED, REMOVED];
const IP_LABELS: Record<IpBlockSeverity, string> = {
  sign_up_requires_approval: "Sign-up needs approval",
  sign_up_block: "Sign-up refused",
  no_access: "No access at all",
};
/** The expiry choices, in seconds ("" keeps it forever). */
const EXPIRIES = [["", "Never"], ["86400", "1 day"], ["604800", "1 week"], ["2592000", "30 days"], ["31536000", "1 year"]] as const;
const PAGE = { maxId: null, minId: null, sinceId: null, limit: 200 };
const manage = can("manage_blocks");
const actorId = (c: AdminContext) => c.get("user").account_id;
const blocks = (c: AdminContext) => c.get("services").moderation.signUpBlocks;

async function blocksPage(c: AdminContext, options: { notice?: string | null; error?: string | null } = {}) {
  const [domains, emails, ips] = await Promise.all([blocks(c).emailDomains(PAGE), blocks(c).canonicalEmails(PAGE), blocks(c).ipBlocks(PAGE)]);
  const remove = (kind: string, id: string, what: string) =>
    html`<form class="inline" method="post" action="${PATH}/${kind}/${id}/remove">${csrfField(c)}<button type="submit" aria-label="Remove the block of ${what}">Remove</button></form>`;
  return adminPage(c, {
    active: "sign_up_blocks",
    title: "Sign-up blocks",
    ...options,
    body: html`<h2>E-mail domains</h2>
${domains.length === 0
  ? html`<p class="hint" id="no-email-domains">No e-mail domain is blocked.</p>`
  : html`<table id="email-domain-blocks">
<thead><tr><th scope="col">Domain (and its subdomains)</th><th scope="col">Sign-up</th><th scope="col">Since</th><th scope="col"><span class="hint">Remove</span></th></tr></thead>
<tbody>${domains.map((d) => html`<tr><td>${d.domain}</td><td>${d.allow_with_approval ? "with approval" : "refused"}</td><td>${when(d.created_at)}</td><td>${remove("email_domains", d.id, d.domain)}</td></tr>`)}</tbody>
</table>`}
<form method="post" action="${PATH}/email_domains" id="add-email-domain" class="row">
${csrfField(c)}
<div><label for="email-domain">E-mail domain</label><input type="text" id="email-domain" name="domain" required maxlength="253" autocomplete="off"></div>
<div><label class="check"><input type="checkbox" name="allow_with_approval" value="true"> Allow with a moderator's approval</label></div>
<div><button type="submit">Block the domain</button></div>
</form>
<h2>E-mail addresses</h2>
<p class="hint">Any spelling of the address (dots, a +tag, capitals) is blocked; only a hash of it is kept, so the list shows hashes.</p>
${emails.length === 0
  ? html`<p class="hint" id="no-email-addresses">No address is blocked.</p>`
  : html`<table id="email-address-blocks">
<thead><tr><th scope="col">Hash of the address</th><th scope="col">Since</th><th scope="col"><span class="hint">Remove</span></th></tr></thead>
<tbody>${emails.map((e) => html`<tr><td><code>${e.canonical_email_hash.slice(0, 16)}…</code></td><td>${when(e.created_at)}</td><td>${remove("emails", e.id, `the address hashed ${e.canonical_email_hash.slice(0, 8)}`)}</td></tr>`)}</tbody>
</table>`}
<form method="post" action="${PATH}/emails" id="add-email" class="row">
${csrfField(c)}
<div><label for="email-address">E-mail address</label><input type="text" id="email-address" name="email" required maxlength="320" autocomplete="off"></div>
<div><button type="submit">Block the address</button></div>
</form>
<h2>IP ranges</h2>
${ips.length === 0
  ? html`<p class="hint" id="no-ip-blocks">No IP range is blocked.</p>`
  : html`<table id="ip-blocks">
<thead><tr><th scope="col">Range</th><th scope="col">Severity</th><th scope="col">Comment</th><th scope="col">Expires</th><th scope="col"><span class="hint">Remove</span></th></tr></thead>
<tbody>${ips.map((b) => html`<tr><td>${b.ip}</td><td>${IP_LABELS[b.severity]}</td><td>${b.comment}</td><td>${b.expires_at ? when(b.expires_at) : "never"}</td><td>${remove("ips", b.id, b.ip)}</td></tr>`)}</tbody>
</table>`}
<form method="post" action="${PATH}/ips" id="add-ip-block">
${csrfField(c)}
<div class="row">
<div><label for="ip">IP address or range (CIDR)</label><input type="text" id="ip" name="ip" required maxlength="64" autocomplete="off"></div>
<div><label for="ip-severity">Severity</label><select id="ip-severity" name="severity">${IP_SEVERITIES.map((s) => html`<option value="${s}"${s === "sign_up_block" ? " selected" : ""}>${IP_LABELS[s]}</option>`)}</select></div>
<div><label for="ip-expires">Expires after</label><select id="ip-expires" name="expires_in">${EXPIRIES.map(([value, label]) => html`<option value="${value}">${label}</option>`)}</select></div>
</div>
<label for="ip-comment">Comment (moderators only)</label>
<input type="text" id="ip-comment" name="comment" maxlength="1000">
<button type="submit">Block the range</button>
</form>`,
  });
}

signUpBlockRoutes.get("/sign_up_blocks", manage, async (c) => c.html(await blocksPage(c, { notice: noticeOf(c, NOTICES) })));

/** Runs a change, then back to the page with a notice, or the rule's refusal shown on it. */
async function change(c: AdminContext, notice: string, run: (params: Params) => Promise<unknown>) {
  const params = await readForm(c);
  try {
    await run(params);
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(await blocksPage(c, { error: message }), status);
  }
  return doneRedirect(c, PATH, notice);
}

const idOf = (c: AdminContext) => parseId(c.req.param("id") ?? "") ?? "0";

signUpBlockRoutes.post("/sign_up_blocks/email_domains", manage, (c) =>
  change(c, ADDED, (params) => blocks(c).blockEmailDomain(actorId(c), { domain: str(params, "domain", 1000), allowWithApproval: bool(params, "allow_with_approval") ?? false })),
);
signUpBlockRoutes.post("/sign_up_blocks/email_domains/:id/remove", manage, (c) => change(c, REMOVED, () => blocks(c).unblockEmailDomain(actorId(c), idOf(c))));
signUpBlockRoutes.post("/sign_up_blocks/emails", manage, (c) => change(c, ADDED, (params) => blocks(c).blockCanonicalEmail(actorId(c), { email: str(params, "email", 1000) ?? "" })));
signUpBlockRoutes.post("/sign_up_blocks/emails/:id/remove", manage, (c) => change(c, REMOVED, () => blocks(c).unblockCanonicalEmail(actorId(c), idOf(c))));
signUpBlockRoutes.post("/sign_up_blocks/ips", manage, (c) =>
  change(c, ADDED, (params) => {
    const expires = str(params, "expires_in", 20) ?? "";
    return blocks(c).createIpBlock(actorId(c), {
      ip: str(params, "ip", 1000),
      severity: str(params, "severity", 100),
      comment: str(params, "comment", 10_000) ?? "",
      expiresIn: expires === "" ? null : Number(expires),
    });
  }),
);
signUpBlockRoutes.post("/sign_up_blocks/ips/:id/remove", manage, (c) => change(c, REMOVED, () => blocks(c).removeIpBlock(actorId(c), idOf(c))));
