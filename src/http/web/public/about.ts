// /about (and the front page, for visitors): what this server is — its description and the
// admins' longer text, its rules, how to reach its staff, whether and how one can sign up, the
// servers its moderators limit or suspend (published as GET /api/v1/instance/domain_blocks
// publishes them: for everyone, except to strangers in allowlist mode), and the software.
import type { Context } from "hono";
import { html, raw } from "hono/html";
import type { AppEnv } from "../../env.ts";
import { publicPage } from "./layout.ts";
import { toPublicDomainBlock } from "../../../convert/mastodon/admin/domain-policy.ts";
import { MASTODON_COMPAT_VERSION } from "../../../version.ts";

const REGISTRATION_STATES: Record<string, string> = {
  open: "Anyone can sign up.",
  approval: "Anyone can ask to sign up; the staff approve each account.",
  invite: "Sign-up is by invitation.",
  closed: "Sign-up is closed.",
};

export async function aboutPage(c: Context<AppEnv>) {
  const services = c.get("services");
  const { config } = services;
  const [facts, extended, rules, registrations, blocks] = await Promise.all([
    services.instance.facts(),
    services.instanceTexts.extendedDescription(),
    services.rules.list(),
    services.registration.settings.current(),
    config.federationMode === "allowlist" ? Promise.resolve(null) : services.moderation.domainBlocks.all(),
  ]);
  const moderated = (blocks ?? []).filter((b) => b.severity !== "noop").map(toPublicDomainBlock);
  moderated.sort((a, b) => (a.severity === b.severity ? a.domain.localeCompare(b.domain) : a.severity === "suspend" ? -1 : 1));
  const contact = facts.contactAccount;
  return c.html(
    publicPage(
      c,
      { title: "About", description: config.instance.description, url: `${config.origin}/about`, image: `${config.origin}/instance/thumbnail.png` },
      html`<h1>${config.instance.title}</h1>
<p>${config.instance.description}</p>
${extended.content ? html`<section class="extended">${raw(extended.content)}</section>` : ""}
<h2>Rules</h2>
${rules.length ? html`<ol class="rules">${rules.map((r) => html`<li>${r.text}${r.hint ? html`<br><span class="meta">${r.hint}</span>` : ""}</li>`)}</ol>` : html`<p>This server has set no rules.</p>`}
<h2>Contact</h2>
<p>${contact ? html`Administered by <a href="${config.origin}/@${contact.username}">@${contact.username}</a>. ` : ""}${config.instance.contactEmail ? html`Email: <a href="mailto:${config.instance.contactEmail}">${config.instance.contactEmail}</a>` : ""}</p>
<h2>Signing up</h2>
<p class="registrations" data-mode="${registrations.mode}">${REGISTRATION_STATES[registrations.mode] ?? registrations.mode}${registrations.mode !== "closed" ? html` <a href="${config.origin}/auth/sign_up">Sign up</a>` : ""}</p>
${registrations.message ? html`<p>${registrations.message}</p>` : ""}
${blocks === null ? "" : html`<h2>Moderated servers</h2>
${moderated.length ? html`<table class="moderated"><thead><tr><th>Server</th><th>Measure</th><th>Reason</th></tr></thead><tbody>${moderated.map((b) => html`<tr><td>${b.domain}</td><td>${b.severity === "suspend" ? "Suspended" : "Limited"}</td><td>${b.comment}</td></tr>`)}</tbody></table>` : html`<p>This server limits no other server.</p>`}`}
<h2>Software</h2>
<p class="version">Skein ${facts.version} (compatible with Mastodon ${MASTODON_COMPAT_VERSION}). <a href="${config.instance.sourceUrl}">Source code</a> · <a href="${config.origin}/privacy-policy">Privacy policy</a> · <a href="${config.origin}/public/local">Local timeline</a></p>
<p>Use any Mastodon app and sign in with this server's address.</p>`,
    ),
  );
}
