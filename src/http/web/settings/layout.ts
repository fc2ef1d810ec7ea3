// The frame every settings page shares: the signed-in-session guard, the navigation, the CSRF
// field and form reader, and the page itself (the sign-in page's look, wider, with a nav).
//
// A settings page file makes its routes with `settingsApp()` (the guard is already on it, and
// `c.get("user")` is the signed-in user), renders with `settingsPage(c, {...})`, puts
// `${csrfField(c)}` in every form and reads posts with `readForm(c)` (which refuses a post
// without the form's CSRF token). The files are mounted under /settings in routes.ts.
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { html } from "hono/html";
import { DOCUMENT_START, sectionFrame } from "../layout.ts";
import type { HtmlEscapedString } from "hono/utils/html";
import type { AppEnv } from "../../env.ts";
import type { UserRow } from "../../../store/users.ts";
import { checkCsrf, clearSessionCookie, csrfToken, sessionToken } from "../cookies.ts";
import { readParams, type Params } from "../../params.ts";
import { DomainError } from "../../../domain/errors.ts";

export interface SettingsEnv {
  Variables: AppEnv["Variables"] & {
    /** The signed-in user (set by the guard). */
    user: UserRow;
    /** The id of the web session the request came with, to mark "this session". */
    sessionId: string;
  };
}
export type SettingsContext = Context<SettingsEnv>;

/** The settings pages, in the order of the navigation. Export/import/delete are X1's files. */
export const SETTINGS_NAV = [
  { key: "profile", path: "/settings/profile", label: "Profile" },
  { key: "password", path: "/settings/password", label: "Password" },
  { key: "email", path: "/settings/email", label: "E-mail" },
  { key: "two_factor", path: "/settings/two_factor", label: "Two-factor" },
  { key: "apps", path: "/settings/apps", label: "Apps" },
  { key: "sessions", path: "/settings/sessions", label: "Sessions" },
  { key: "invites", path: "/settings/invites", label: "Invites" },
  { key: "export", path: "/settings/export", label: "Export" },
  { key: "import", path: "/settings/import", label: "Import" },
  { key: "delete", path: "/settings/delete", label: "Delete account" },
  { key: "migration", path: "/settings/migration", label: "Migration" },
] as const;
export type SettingsKey = (typeof SETTINGS_NAV)[number]["key"];

/** Where a user whose role requires two-factor sign-in is sent until they enable it. */
export const TWO_FACTOR_SETUP_PATH = "/settings/two_factor";

/**
 * The guard: a request without a live web session is sent to sign in and brought back. A user
 * whose role requires two-factor sign-in and who has not enabled it may only reach the
 * two-factor page until they do.
 */
export const requireSignedIn: MiddlewareHandler<SettingsEnv> = async (c, next) => {
  // Every settings router carries this guard, and all of them answer under /settings, so one
  // request may pass several: the first one to run decides.
  if (c.var.user) return next();
  const services = c.get("services");
  const token = sessionToken(asApp(c));
  const found = token ? await services.sessions.sessionOf(token) : null;
  if (!found) {
    if (token) clearSessionCookie(asApp(c));
    if (c.req.method !== "GET") return c.redirect("/auth/sign_in", 303);
    const url = new URL(c.req.url);
    return c.redirect(`/auth/sign_in?return_to=${encodeURIComponent(url.pathname + url.search)}`, 303);
  }
  c.set("user", found.user);
  c.set("sessionId", found.session.id);
  c.header("Cache-Control", "private, no-store");
  if (!c.req.path.startsWith(TWO_FACTOR_SETUP_PATH) && (await services.twoFactor.setupRequired(found.user))) {
    return c.redirect(TWO_FACTOR_SETUP_PATH, 303);
  }
  await next();
};

/** The cookie helpers are typed for the plain web context; a settings context is one with more variables. */
export function asApp(c: Context<SettingsEnv>): Context<AppEnv> {
  return c as unknown as Context<AppEnv>;
}

/** A router for settings pages with the guard already in front of every route. */
export function settingsApp(): Hono<SettingsEnv> {
  const app = new Hono<SettingsEnv>();
  app.use("*", requireSignedIn);
  return app;
}

/** The hidden field every settings form carries. */
export function csrfField(c: Context<SettingsEnv> | Context<AppEnv>) {
  return html`<input type="hidden" name="authenticity_token" value="${csrfToken(c as Context<AppEnv>)}">`;
}

/** A posted form's fields, after checking its CSRF token (403 if it does not match). */
export async function readForm(c: Context<SettingsEnv>): Promise<Params> {
  const params = await readParams(c);
  checkCsrf(c as unknown as Context<AppEnv>, params.authenticity_token);
  return params;
}

/**
 * A rule's refusal, to show on the page (with the status that goes with it), instead of the
 * API's JSON error; anything else is not the user's doing and is thrown on.
 */
export function refusal(error: unknown): { message: string; status: 401 | 403 | 404 | 422 | 429 } {
  if (error instanceof DomainError) {
    const status = ({ validation: 422, conflict: 422, not_found: 404, forbidden: 403, unauthorized: 401, rate_limited: 429 } as const)[error.kind];
    return { message: error.message, status };
  }
  throw error;
}

/** After a successful post, back to the page (so a reload does not post again), with a notice. */
export function doneRedirect(c: Context<SettingsEnv>, path: string, notice: string) {
  return c.redirect(`${path}?notice=${encodeURIComponent(notice)}`, 303);
}

/** The notice a redirect carries, if it is one of the page's own (never arbitrary text from a link). */
export function noticeOf(c: Context<SettingsEnv>, known: readonly string[]): string | null {
  const notice = c.req.query("notice");
  return notice !== undefined && known.includes(notice) ? notice : null;
}

export interface SettingsPageOptions {
  active: SettingsKey;
  title: string;
  body: HtmlEscapedString | Promise<HtmlEscapedString>;
  /** A success message shown above the body. */
  notice?: string | null;
  /** An error message shown above the body (with role=alert). */
  error?: string | null;
}

/** The header's sign-out button (settings and administration pages). */
export function signOutForm(c: Context<SettingsEnv>) {
  return html`<form class="inline" method="post" action="/auth/sign_out">${csrfField(c)}<button type="submit">Sign out</button></form>`;
}

export function settingsPage(c: Context<SettingsEnv>, options: SettingsPageOptions) {
  const services = c.get("services");
  const instanceTitle = services.config.instance.title;
  const user = c.get("user");
  return html`${DOCUMENT_START}
<title>${options.title} · Settings · ${instanceTitle}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 56rem; margin: 2rem auto; padding: 0 1rem; color: #1f2937; }
  .frame { display: flex; gap: 2rem; align-items: flex-start; }
  nav.settings { flex: 0 0 11rem; }
  nav.settings ul { list-style: none; margin: 0; padding: 0; }
  nav.settings a { display: block; padding: .3rem .6rem; border-radius: .3rem; color: #1f2937; text-decoration: none; }
  nav.settings a[aria-current=page] { background: #e5e7eb; font-weight: 600; }
  main { flex: 1; min-width: 0; }
  header.top { display: flex; justify-content: space-between; align-items: baseline; margin-bottom: 1rem; }
  h1 { font-size: 1.4rem; margin-top: 0; }
  h2 { font-size: 1.1rem; margin-top: 1.75rem; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  label.check { font-weight: normal; }
  input[type=text], input[type=password], input[type=email], input[type=number], textarea, select { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; }
  textarea { min-height: 6rem; }
  button { margin-top: 1.25rem; padding: .55rem 1.2rem; font: inherit; cursor: pointer; }
  table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
  td form button { margin-top: 0; padding: .25rem .7rem; }
  .error { color: #b91c1c; }
  .notice { color: #166534; }
  .hint { color: #6b7280; font-size: .9rem; }
  code.token { display: block; padding: .75rem; background: #f3f4f6; word-break: break-all; }
  ul.codes { columns: 2; font-family: monospace; font-size: 1.05rem; }
  main a { overflow-wrap: anywhere; }
  form.inline { display: inline; }
  form.inline button { margin-top: 0; }
  @media (max-width: 40rem) { .frame { display: block; } }
</style>
</head>
${sectionFrame({
  section: "Settings",
  instanceTitle,
  navClass: "settings",
  nav: SETTINGS_NAV,
  who: html`<span class="who">${user.email}</span>`,
  signOut: signOutForm(c),
  ...options,
})}`;
}
