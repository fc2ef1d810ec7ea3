// The frame every admin console page shares: the permission guard (the role's permissions,
// checked exactly as the admin API's guard checks them: http/api/admin/guard.ts), the navigation
// (only the pages the role may open), the page itself, and its Content-Security-Policy.
//
// The session guard, the CSRF field and the form reader are the settings pages' own
// (../settings/layout.ts): the same session cookie (HttpOnly; Secure on https; SameSite=Lax) and
// the same double-submit token. routes.ts puts the session guard in front of every /admin path;
// each page file puts `can(permission)` in front of each of its routes (per route, not per
// router: several routers answer under /admin, and a router-wide guard would run for all of them).
import crypto from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { DOCUMENT_START, sectionFrame } from "../layout.ts";
import { mediaOrigin } from "../public/layout.ts";
import { csrfField, signOutForm, type SettingsEnv } from "../settings/layout.ts";
import type { Permission } from "../../../domain/moderation/roles.ts";
import type { Moderator } from "../../../domain/moderation/account-moderation.ts";
import type { PolicyActor } from "../../../domain/moderation/domain-block-service.ts";

export type AdminEnv = SettingsEnv;
export type AdminContext = Context<AdminEnv>;
export { csrfField };

/** The console's pages, in the order of the navigation, with the permission each needs (as the API's). */
export const ADMIN_NAV = [
  { key: "dashboard", path: "/admin", label: "Dashboard", permission: "view_dashboard" },
  { key: "trends", path: "/admin/trends", label: "Trends", permission: "view_dashboard" },
  { key: "cost", path: "/admin/cost", label: "Cost", permission: "view_dashboard" },
  { key: "reports", path: "/admin/reports", label: "Reports", permission: "manage_reports" },
  { key: "accounts", path: "/admin/accounts", label: "Accounts", permission: "manage_users" },
  { key: "invites", path: "/admin/invites", label: "Invites", permission: "manage_invites" },
  { key: "roles", path: "/admin/roles", label: "Roles", permission: "manage_roles" },
  { key: "domain_blocks", path: "/admin/domain_blocks", label: "Domain blocks", permission: "manage_federation" },
  { key: "domain_allows", path: "/admin/domain_allows", label: "Domain allows", permission: "manage_federation" },
  { key: "blocklists", path: "/admin/blocklists", label: "Blocklist subscriptions", permission: "manage_federation" },
  { key: "sign_up_blocks", path: "/admin/sign_up_blocks", label: "Sign-up blocks", permission: "manage_blocks" },
  { key: "instance", path: "/admin/instance", label: "Server settings", permission: "manage_settings" },
] as const satisfies readonly { key: string; path: string; label: string; permission: Permission }[];
export type AdminKey = (typeof ADMIN_NAV)[number]["key"];

/** Small, fixed CSS: allowed by its hash, so the CSP needs no 'unsafe-inline'. */
const CSS = `
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 72rem; margin: 1.5rem auto; padding: 0 1rem; color: #1f2937; }
  .frame { display: flex; gap: 2rem; align-items: flex-start; }
  nav.admin { flex: 0 0 10rem; }
  nav.admin ul { list-style: none; margin: 0; padding: 0; }
  nav.admin a { display: block; padding: .3rem .6rem; border-radius: .3rem; color: #1f2937; text-decoration: none; }
  nav.admin a[aria-current=page] { background: #e5e7eb; font-weight: 600; }
  main { flex: 1; min-width: 0; }
  header.top { display: flex; justify-content: space-between; align-items: baseline; margin-bottom: 1rem; }
  h1 { font-size: 1.4rem; margin-top: 0; }
  h2 { font-size: 1.1rem; margin-top: 1.5rem; }
  label { display: block; margin-top: .75rem; font-weight: 600; }
  label.check { font-weight: normal; }
  input[type=text], input[type=search], textarea, select { box-sizing: border-box; padding: .4rem; font: inherit; max-width: 100%; }
  fieldset input[type=text] { width: 28rem; }
  fieldset > button { display: block; }
  textarea { width: 100%; min-height: 4rem; }
  button { margin-top: .75rem; padding: .45rem 1rem; font: inherit; cursor: pointer; }
  button.danger { background: #b91c1c; color: #fff; border: 1px solid #7f1d1d; border-radius: .25rem; }
  table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
  td form button { margin-top: 0; padding: .2rem .6rem; }
  .error { color: #b91c1c; }
  .notice { color: #166534; }
  .hint, .meta { color: #4b5563; font-size: .9rem; }
  .figures { display: flex; flex-wrap: wrap; gap: 1rem; margin: 0; padding: 0; list-style: none; }
  .figures li { border: 1px solid #d1d5db; border-radius: .4rem; padding: .6rem 1rem; min-width: 9rem; }
  .figures strong { display: block; font-size: 1.5rem; }
  figure.chart { margin: 1rem 0 1.5rem; }
  figure.chart svg { display: block; max-width: 40rem; height: auto; }
  figcaption { font-size: .9rem; }
  .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1.25rem; }
  .panel { border: 1px solid #d1d5db; border-radius: .4rem; padding: .75rem 1rem; min-width: 0; }
  .panel h2 { margin-top: 0; }
  article.status { border-top: 1px solid #e5e7eb; padding: .5rem 0; }
  article.status .author { display: flex; gap: .5rem; align-items: center; }
  img.avatar { width: 2rem; height: 2rem; border-radius: .3rem; }
  .media img { max-width: 100%; max-height: 12rem; }
  blockquote.comment { margin: .25rem 0; padding: .5rem .75rem; background: #f3f4f6; border-left: 3px solid #9ca3af; white-space: pre-wrap; }
  .badge { display: inline-block; padding: 0 .4rem; border-radius: .25rem; background: #e5e7eb; font-size: .85rem; }
  .badge.open { background: #fef3c7; }
  .badge.bad { background: #fee2e2; }
  form.inline { display: inline; }
  form.inline button { margin-top: 0; }
  .row { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-end; }
  .row label { margin-top: 0; }
  main a { overflow-wrap: anywhere; }
  @media (max-width: 48rem) { .frame, .columns { display: block; } }
`;
const STYLE_HASH = `'sha256-${crypto.createHash("sha256").update(CSS).digest("base64")}'`;

/** No script, no frames, forms only to this server; pictures from here or the media host. */
function contentSecurityPolicy(c: AdminContext): string {
  const media = mediaOrigin(c.get("services"));
  const sources = ["'self'", "data:", ...(media ? [media] : [])].join(" ");
  return ["default-src 'none'", `img-src ${sources}`, `media-src ${sources}`, `style-src ${STYLE_HASH}`, "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"].join("; ");
}

/** The signed-in user's role holds `permission` (as the admin API's guard asks); otherwise a 403 page. */
export function can(permission: Permission): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (allowed(c, permission)) return next();
    return c.html(adminPage(c, { active: null, title: "Not allowed", error: "Your role does not allow this page or action.", body: html`` }), 403);
  };
}

/** Whether the signed-in user may `permission` (to show or hide a part of a page). */
export function allowed(c: AdminContext, permission: Permission): boolean {
  return c.get("services").moderation.roles.book.has(c.get("user").role, permission);
}

/** The moderator acting, as the account moderation service takes it (the API's moderatorOf). */
export function moderatorOf(c: AdminContext): Moderator {
  const user = c.get("user");
  return { accountId: user.account_id, role: user.role };
}

/** Who changes the domain policy, as the domain block service takes it (the API's actorOf). */
export function actorOf(c: AdminContext): PolicyActor {
  return { accountId: c.get("user").account_id };
}

/** "2026-12-01 14:03 UTC". */
export function when(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "—";
}

export interface AdminPageOptions {
  active: AdminKey | null;
  title: string;
  body: HtmlEscapedString | Promise<HtmlEscapedString>;
  notice?: string | null;
  error?: string | null;
  /** Reload the page after this many seconds (while something it shows is under way). */
  refreshSeconds?: number;
}

export function adminPage(c: AdminContext, { refreshSeconds, ...options }: AdminPageOptions) {
  const services = c.get("services");
  const instanceTitle = services.config.instance.title;
  const user = c.get("user");
  c.header("Content-Security-Policy", contentSecurityPolicy(c));
  c.header("Cache-Control", "private, no-store");
  const nav = ADMIN_NAV.filter((item) => allowed(c, item.permission));
  return html`${DOCUMENT_START}
<meta name="robots" content="noindex">
${refreshSeconds ? html`<meta http-equiv="refresh" content="${refreshSeconds}">` : ""}
<title>${options.title} · Administration · ${instanceTitle}</title>
<style>${raw(CSS)}</style>
</head>
${sectionFrame({
  section: "Administration",
  instanceTitle,
  navClass: "admin",
  nav,
  who: html`<a href="/settings/profile">${user.email}</a>`,
  signOut: signOutForm(c),
  ...options,
})}`;
}
