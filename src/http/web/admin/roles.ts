// /admin/roles: the roles this server gives and what each may do — Mastodon's built-in
// Moderator, Admin and Owner over plain users, with Mastodon's permission flags, checked by the
// admin API and this console alike (domain/moderation/roles.ts). A role is given on an account's
// page (AccountModeration.setRole, as `./skein accounts role`): nobody gives a role at or above
// their own. Permission manage_roles, as Mastodon's role editor.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AdminEnv } from "./layout.ts";
import { adminPage, can } from "./layout.ts";
import { PERMISSIONS, hasPermission, roleInfo, type Permission } from "../../../domain/moderation/roles.ts";
import type { UserRole } from "../../../db/schema.ts";

export const roleRoutes = new Hono<AdminEnv>();

export const ROLES: readonly UserRole[] = ["user", "moderator", "admin", "owner"];
export const roleLabel = (role: UserRole) => roleInfo(role).name || "User (no role)";

/** What each permission lets a role do, in the words of Mastodon's role editor. */
const PERMISSION_LABELS: Record<Permission, string> = {
  administrator: "Administrator: every permission",
  view_devops: "DevOps dashboards",
  view_audit_log: "Read the audit log",
  view_dashboard: "The dashboard and trends",
  manage_reports: "Reports",
  manage_federation: "Domain blocks, allows and blocklists",
  manage_settings: "Server settings",
  manage_blocks: "Sign-up blocks (e-mail, IP)",
  manage_taxonomies: "Hashtags and trends",
  manage_appeals: "Appeals",
  manage_users: "Accounts: approve, warn, limit, suspend",
  manage_invites: "Every invite",
  manage_rules: "Server rules",
  manage_announcements: "Announcements",
  manage_custom_emojis: "Custom emojis",
  manage_webhooks: "Webhooks",
  invite_users: "Invite people",
  manage_roles: "Give roles",
  manage_user_access: "Users' sign-in and two-factor",
  delete_user_data: "Delete users' data",
  view_feeds: "Read any feed",
};

roleRoutes.get("/roles", can("manage_roles"), (c) => {
  const permissions = Object.keys(PERMISSIONS) as Permission[];
  return c.html(
    adminPage(c, {
      active: "roles",
      title: "Roles",
      body: html`<p>Skein gives Mastodon's built-in roles; the admin API shows each with the same id and permission bits. A role is given on an account's page (or with <code>./skein accounts role</code>), by someone whose own role ranks above it.</p>
<table id="roles">
<thead><tr><th scope="col">Role</th><th scope="col">Rank</th><th scope="col">May</th><th scope="col"><span class="hint">Who</span></th></tr></thead>
<tbody>${ROLES.map((role) => {
  const info = roleInfo(role);
  const may = permissions.filter((p) => hasPermission(role, p));
  return html`<tr id="role-${role}">
  <td><strong>${roleLabel(role)}</strong><br><span class="meta">id ${info.id}, permissions ${info.permissions}</span></td>
  <td>${info.position}</td>
  <td>${may.length === permissions.length ? "Everything" : html`<ul>${may.map((p) => html`<li>${PERMISSION_LABELS[p]}</li>`)}</ul>`}</td>
  <td>${role === "user" ? "" : html`<a href="/admin/accounts?role=${role}">Accounts with this role</a>`}</td>
</tr>`;
})}</tbody>
</table>
<p class="hint">Roles of one's own making (Mastodon's role editor) are not in Skein yet: the four above are fixed.</p>`,
    }),
  );
});
