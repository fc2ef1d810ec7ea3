// /admin/instance: the server's settings an admin changes at runtime — how sign-up works (mode,
// whether a reason is required, the message on the sign-up page), the about page's description,
// the privacy policy, the terms of service (versions by effective date, as Mastodon 4.4 serves
// them) and the rules. The services `./skein registrations` and `./skein instance` call
// (RegistrationSettingsService, InstanceTextService, RuleService). Permission manage_settings
// (admins), and manage_rules for the rules, as Mastodon's roles give them. The server's title
// comes from INSTANCE_TITLE in the configuration and is shown, not edited.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AdminContext, AdminEnv } from "./layout.ts";
import { adminPage, can, csrfField } from "./layout.ts";
import { doneRedirect, noticeOf, readForm, refusal } from "../settings/layout.ts";
import { bool, str } from "../../params.ts";
import { REGISTRATION_MODES } from "../../../domain/registration/registration-settings.ts";
import type { RegistrationMode } from "../../../config/config.ts";

export const instanceRoutes = new Hono<AdminEnv>();

const SAVED = "The settings were saved.";
const RULE_ADDED = "The rule was added.";
const RULE_REMOVED = "The rule was removed.";
const TERMS_ADDED = "The terms of service were saved.";
const TERMS_REMOVED = "That version of the terms of service was removed.";
const NOTICES = [SAVED, RULE_ADDED, RULE_REMOVED, TERMS_ADDED, TERMS_REMOVED];
/** The start of a version's text, as a reminder in the list. */
const excerpt = (content: string) => content.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 120);
const MODE_LABELS: Record<RegistrationMode, string> = {
  open: "Open: anyone can sign up",
  approval: "Approval: a moderator approves each sign-up",
  invite: "Invite only",
  closed: "Closed",
};

async function instancePage(c: AdminContext, notice: string | null, error: string | null) {
  const services = c.get("services");
  const [registrations, description, privacy, terms, rules] = await Promise.all([
    services.registration.settings.current(),
    services.instanceTexts.extendedDescription(),
    services.instanceTexts.privacyPolicy(),
    services.instanceTexts.termsVersions(),
    services.rules.list(),
  ]);
  const today = new Date().toISOString().slice(0, 10);
  return adminPage(c, {
    active: "instance",
    title: "Server settings",
    notice,
    error,
    body: html`<p>Title: <strong>${services.config.instance.title}</strong> <span class="hint">(INSTANCE_TITLE in the configuration)</span></p>
<form method="post" action="/admin/instance/registrations" id="registrations">
${csrfField(c)}
<fieldset>
<legend>Sign-up</legend>
${REGISTRATION_MODES.map((mode) => html`<label class="check"><input type="radio" name="mode" value="${mode}"${registrations.mode === mode ? " checked" : ""}> ${MODE_LABELS[mode]}</label>`)}
<label class="check"><input type="checkbox" name="reason_required" value="true"${registrations.reasonRequired ? " checked" : ""}> Ask for a reason (approval mode)</label>
<label for="registration-message">Message on the sign-up page</label>
<textarea id="registration-message" name="message" maxlength="2000">${registrations.message ?? ""}</textarea>
<button type="submit">Save sign-up settings</button>
</fieldset>
</form>
<form method="post" action="/admin/instance/description" id="description">
${csrfField(c)}
<label for="extended-description">The about page's description (plain text, or HTML)</label>
<textarea id="extended-description" name="text" rows="6">${description.content}</textarea>
<button type="submit">Save the description</button>
</form>
<form method="post" action="/admin/instance/privacy_policy" id="privacy-policy">
${csrfField(c)}
<label for="privacy-policy-text">The privacy policy (plain text, or HTML)</label>
<textarea id="privacy-policy-text" name="text" rows="6">${privacy.content}</textarea>
<button type="submit">Save the privacy policy</button>
</form>
<h2>Terms of service</h2>
${terms.length === 0
  ? html`<p class="hint" id="no-terms">No terms of service: /terms and the API answer 404.</p>`
  : html`<table id="terms">
<thead><tr><th scope="col">Takes effect</th><th scope="col">Begins</th><th scope="col"><span class="hint">Remove</span></th></tr></thead>
<tbody>${terms.map((v) => html`<tr><td>${v.effective_date}${v.effective_date > today ? " (not yet)" : ""}</td><td>${excerpt(v.content)}…</td><td><form class="inline" method="post" action="/admin/instance/terms/${v.effective_date}/remove">${csrfField(c)}<button type="submit" aria-label="Remove the terms of ${v.effective_date}">Remove</button></form></td></tr>`)}</tbody>
</table>`}
<form method="post" action="/admin/instance/terms" id="add-terms">
${csrfField(c)}
<label for="terms-text">A new version (plain text, or HTML)</label>
<textarea id="terms-text" name="text" rows="6" required>${terms.at(-1)?.content ?? ""}</textarea>
<label for="terms-date">Takes effect on (YYYY-MM-DD; a version of the same date is replaced)</label>
<input type="text" id="terms-date" name="effective_date" value="${today}" maxlength="10" pattern="\\d{4}-\\d{2}-\\d{2}">
<button type="submit">Save the terms</button>
</form>
<h2>Rules</h2>
${rules.length === 0 ? html`<p class="hint">No rules.</p>` : html`<ol id="rules">${rules.map((rule) => html`<li>${rule.text}${rule.hint ? html` <span class="hint">${rule.hint}</span>` : ""}
<form class="inline" method="post" action="/admin/instance/rules/${rule.id}/remove">${csrfField(c)}<button type="submit" aria-label="Remove the rule ${rule.text}">Remove</button></form></li>`)}</ol>`}
<form method="post" action="/admin/instance/rules" id="add-rule">
${csrfField(c)}
<label for="rule-text">A new rule</label>
<input type="text" id="rule-text" name="text" required maxlength="300">
<label for="rule-hint">Its explanation (optional)</label>
<input type="text" id="rule-hint" name="hint" maxlength="1000">
<button type="submit">Add the rule</button>
</form>`,
  });
}

instanceRoutes.get("/instance", can("manage_settings"), async (c) => c.html(await instancePage(c, noticeOf(c, NOTICES), null)));

/** Runs a change; back to the page with a notice, or the rule's refusal shown on it. */
async function save(c: AdminContext, notice: string, run: (params: Awaited<ReturnType<typeof readForm>>) => Promise<unknown>) {
  const params = await readForm(c);
  try {
    await run(params);
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(await instancePage(c, null, message), status);
  }
  return doneRedirect(c, "/admin/instance", notice);
}

instanceRoutes.post("/instance/registrations", can("manage_settings"), (c) =>
  save(c, SAVED, (params) =>
    c.get("services").registration.settings.update({
      mode: (str(params, "mode", 20) ?? "") as RegistrationMode,
      reasonRequired: bool(params, "reason_required") ?? false,
      message: str(params, "message", 5000)?.trim() || null,
    }),
  ),
);
instanceRoutes.post("/instance/description", can("manage_settings"), (c) => save(c, SAVED, (params) => c.get("services").instanceTexts.set("extended-description", str(params, "text", 600_000) ?? "")));
instanceRoutes.post("/instance/privacy_policy", can("manage_settings"), (c) => save(c, SAVED, (params) => c.get("services").instanceTexts.set("privacy-policy", str(params, "text", 600_000) ?? "")));
instanceRoutes.post("/instance/terms", can("manage_settings"), (c) =>
  save(c, TERMS_ADDED, (params) => c.get("services").instanceTexts.addTerms(str(params, "text", 600_000) ?? "", str(params, "effective_date", 20)?.trim() || undefined)),
);
instanceRoutes.post("/instance/terms/:date/remove", can("manage_settings"), (c) => save(c, TERMS_REMOVED, () => c.get("services").instanceTexts.removeTerms(c.req.param("date") ?? "")));
instanceRoutes.post("/instance/rules", can("manage_rules"), (c) => save(c, RULE_ADDED, (params) => c.get("services").rules.add(str(params, "text", 1000) ?? "", str(params, "hint", 2000) ?? "")));
instanceRoutes.post("/instance/rules/:id/remove", can("manage_rules"), (c) => save(c, RULE_REMOVED, () => c.get("services").rules.remove(c.req.param("id") ?? "")));
