// /admin/roles: the roles this server gives and what each may do — Mastodon's built-in
// Moderator, Admin and Owner over plain users, and custom roles made here (Mastodon's role
// editor): a name, a colour, permission flags, a position and whether it shows as a badge. The
// same service as `./skein accounts role` (RoleService, domain/moderation/role-service.ts), whose
// rules hold here too: manage_roles, nobody makes, edits or gives a role at or above their own,
// nor grants a permission they lack. A role is given on an account's page.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AdminContext, AdminEnv } from "./layout.ts";
import { adminPage, can, csrfField } from "./layout.ts";
import { doneRedirect, noticeOf, readForm, refusal } from "../settings/layout.ts";
import { bool, str, strOrList, type Params } from "../../params.ts";
import { parseId } from "../../../util/ids.ts";
import { PERMISSIONS, grantable, isBuiltIn, permits, ranksAbove, type Permission, type RoleInfo } from "../../../domain/moderation/roles.ts";
import type { RoleInput } from "../../../domain/moderation/role-service.ts";
import type { UserRole } from "../../../db/schema.ts";
import { moderatorOf } from "./layout.ts";

export const roleRoutes = new Hono<AdminEnv>();

const PATH = "/admin/roles";
const CREATED = "The role was created.";
const UPDATED = "The role was saved.";
const DELETED = "The role was deleted; its accounts are plain users again.";
const NOTICES = [CREATED, UPDATED, DELETED];
const manage = can("manage_roles");

/** A role's name as the console shows it (the plain user's has none in Mastodon). */
export const roleLabel = (info: RoleInfo) => info.name || "User (no role)";

/** What each permission lets a role do, in the words of Mastodon's role editor; the flag's name is shown beside it. */
const PERMISSION_LABELS: Record<Permission, string> = {
  administrator: "Administrator: every permission, whatever else is ticked",
  view_devops: "DevOps: the queues and job dashboards",
  view_audit_log: "Read the audit log of moderators' actions",
  view_dashboard: "The dashboard and trends figures",
  manage_reports: "Reports: read, assign and resolve them",
  manage_federation: "Federation: domain blocks, allows and blocklists",
  manage_settings: "Server settings: title, description, registrations",
  manage_blocks: "Sign-up blocks: e-mail domains, addresses, IP ranges",
  manage_taxonomies: "Hashtags and trends: review and approve",
  manage_appeals: "Appeals against moderators' decisions",
  manage_users: "Accounts: approve, warn, freeze, limit, suspend",
  manage_invites: "Every invite: list and revoke anyone's",
  manage_rules: "Server rules",
  manage_announcements: "Announcements",
  manage_custom_emojis: "Custom emojis",
  manage_webhooks: "Webhooks",
  invite_users: "Invite people",
  manage_roles: "Roles: make, edit and give roles below one's own",
  manage_user_access: "Users' sign-in: e-mail, two-factor resets",
  delete_user_data: "Delete users' data",
  view_feeds: "Read any public feed, even when the server hides them",
};
const FLAGS = Object.keys(PERMISSIONS) as Permission[];

const roles = (c: AdminContext) => c.get("services").moderation.roles;
const mine = (c: AdminContext) => roles(c).book.info(c.get("user").role);
/** Whether the signed-in user may edit or delete `role` (a custom one ranked below their own). */
const mayEdit = (c: AdminContext, role: RoleInfo) => !isBuiltIn(role.key) && ranksAbove(mine(c), role);

function mayList(role: RoleInfo) {
  const may = FLAGS.filter((p) => permits(role, p));
  if (may.length === FLAGS.length) return "Everything";
  return may.length === 0 ? html`<span class="hint">Nothing beyond a user</span>` : html`<ul>${may.map((p) => html`<li>${PERMISSION_LABELS[p]} <code>${p}</code></li>`)}</ul>`;
}

function swatch(color: string) {
  // The colour is checked (#rrggbb) before it is stored; a text mark, as the CSP allows no inline style.
  return color ? html` <span class="meta">${color}</span>` : "";
}

async function rolesPage(c: AdminContext, options: { notice?: string | null; error?: string | null; form?: RoleInput } = {}) {
  const all = await roles(c).list();
  const me = mine(c);
  return adminPage(c, {
    active: "roles",
    title: "Roles",
    notice: options.notice,
    error: options.error,
    body: html`<p>Skein gives Mastodon's built-in roles and the roles made here; the admin API shows each with its id and permission bits. A role is given on an account's page (or with <code>./skein accounts role</code>) by someone whose own role ranks above it. Nobody makes, edits or gives a role at or above their own.</p>
<table id="roles">
<thead><tr><th scope="col">Role</th><th scope="col">Position</th><th scope="col">May</th><th scope="col"><span class="hint">Who, edit</span></th></tr></thead>
<tbody>${all.map(
  (role) => html`<tr id="role-${isBuiltIn(role.key) ? role.key : `custom-${role.id}`}">
  <td><strong>${roleLabel(role)}</strong>${swatch(role.color)}${role.highlighted && !isBuiltIn(role.key) ? html` <span class="badge">badge</span>` : ""}<br><span class="meta">id ${role.id}, permissions ${role.permissions}${isBuiltIn(role.key) ? ", built in" : ""}</span></td>
  <td>${role.position}</td>
  <td>${mayList(role)}</td>
  <td>${role.key === "user" ? "" : html`<a href="/admin/accounts?role=${role.key}">Accounts with this role</a>`}${mayEdit(c, role) ? html`<br><a href="${PATH}/${role.id}">Edit or delete</a>` : ""}</td>
</tr>`,
)}</tbody>
</table>
<h2>Make a role</h2>
${roleForm(c, me, `${PATH}`, "create-role", options.form, "Make the role")}`,
  });
}

/** The fields of a role: permissions the signed-in user lacks cannot be ticked (they may not grant them). */
function roleForm(c: AdminContext, me: RoleInfo, action: string, id: string, values: RoleInput | undefined, submit: string) {
  const may = grantable(me);
  const ticked = new Set(values?.permissions ?? []);
  const top = me.position - 1;
  return html`<form method="post" action="${action}" id="${id}">
${csrfField(c)}
<div class="row">
<div><label for="${id}-name">Name</label><input type="text" id="${id}-name" name="name" required maxlength="64" value="${values?.name ?? ""}"></div>
<div><label for="${id}-color">Colour (#rrggbb, optional)</label><input type="text" id="${id}-color" name="color" maxlength="7" pattern="#[0-9a-fA-F]{6}" value="${values?.color ?? ""}"></div>
<div><label for="${id}-position">Position (0 to ${top}: higher outranks lower)</label><input type="number" id="${id}-position" name="position" min="0" max="${Math.max(0, top)}" required value="${values?.position ?? 0}"></div>
</div>
<label class="check"><input type="checkbox" name="highlighted" value="true"${values?.highlighted ? " checked" : ""}> Highlighted: shown as a badge on profiles</label>
<fieldset>
<legend>Permissions</legend>
${FLAGS.map((p) => {
  const allowed = (may & PERMISSIONS[p]) !== 0;
  return html`<label class="check"><input type="checkbox" name="permissions[]" value="${p}"${ticked.has(p) ? " checked" : ""}${allowed ? "" : " disabled"}> ${PERMISSION_LABELS[p]} <code>${p}</code>${allowed ? "" : html` <span class="hint">(not yours to grant)</span>`}</label>`;
})}
</fieldset>
<button type="submit">${submit}</button>
</form>`;
}

function inputOf(params: Params): RoleInput {
  const listed = strOrList(params, "permissions");
  const permissions = (Array.isArray(listed) ? listed : listed ? [listed] : []).filter((p): p is Permission => p in PERMISSIONS);
  const position = Number(str(params, "position", 20) ?? "");
  return { name: str(params, "name", 200) ?? "", color: str(params, "color", 20) ?? "", permissions, position: Number.isFinite(position) ? position : NaN, highlighted: bool(params, "highlighted") ?? false };
}

const idOf = (c: AdminContext) => parseId(c.req.param("id") ?? "") ?? "0";

async function editPage(c: AdminContext, id: string, options: { error?: string | null; form?: RoleInput } = {}) {
  const role = await roles(c).get(id);
  const values = options.form ?? { name: role.name, color: role.color, position: role.position, highlighted: role.highlighted, permissions: FLAGS.filter((p) => (role.permissions & PERMISSIONS[p]) !== 0) };
  return adminPage(c, {
    active: "roles",
    title: `Role ${role.name}`,
    error: options.error,
    body: html`${mayEdit(c, role) ? roleForm(c, mine(c), `${PATH}/${role.id}`, "edit-role", values, "Save the role") : html`<p>This role ranks at or above your own: only a higher role changes it.</p>`}
<h2>Delete</h2>
<p class="hint">Its accounts become plain users.</p>
<form method="post" action="${PATH}/${role.id}/delete" id="delete-role">${csrfField(c)}<button type="submit" class="danger">Delete the role ${role.name}</button></form>
<p><a href="${PATH}">Back to the roles</a></p>`,
  });
}

roleRoutes.get("/roles", manage, async (c) => c.html(await rolesPage(c, { notice: noticeOf(c, NOTICES) })));

roleRoutes.post("/roles", manage, async (c) => {
  const form = inputOf(await readForm(c));
  try {
    await roles(c).create(moderatorOf(c), form);
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(await rolesPage(c, { error: message, form }), status);
  }
  return doneRedirect(c, PATH, CREATED);
});

roleRoutes.get("/roles/:id", manage, async (c) => {
  try {
    return c.html(await editPage(c, idOf(c)));
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(await rolesPage(c, { error: message }), status);
  }
});

roleRoutes.post("/roles/:id", manage, async (c) => {
  const form = inputOf(await readForm(c));
  try {
    await roles(c).update(moderatorOf(c), idOf(c), form);
  } catch (error) {
    const { message, status } = refusal(error);
    if (status === 404) return c.html(await rolesPage(c, { error: message }), status);
    return c.html(await editPage(c, idOf(c), { error: message, form }), status);
  }
  return doneRedirect(c, PATH, UPDATED);
});

roleRoutes.post("/roles/:id/delete", manage, async (c) => {
  await readForm(c);
  try {
    await roles(c).delete(moderatorOf(c), idOf(c));
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(await rolesPage(c, { error: message }), status);
  }
  return doneRedirect(c, PATH, DELETED);
});

/** Every role the signed-in user may give (ranked below their own), for the account page's form. */
export function givableRoles(c: AdminContext): RoleInfo[] {
  const me = mine(c);
  return roles(c).book.all().filter((r) => ranksAbove(me, r)).reverse();
}

/** A role key from a form or link, if it names a role this server has. */
export function knownRole(c: AdminContext, key: string): UserRole | undefined {
  const info = roles(c).book.info(key as UserRole);
  return info.key === key ? info.key : undefined;
}
