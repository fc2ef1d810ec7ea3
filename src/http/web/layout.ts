// The few server-rendered pages (sign-in, consent, the out-of-band code) share this frame.
// Hono's html`` escapes every interpolated value.
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** The opening every server-rendered page shares, up to its title (public, settings, sign-in). */
export const DOCUMENT_START = raw(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">`);

export function page(title: string, instanceTitle: string, body: HtmlEscapedString | Promise<HtmlEscapedString>) {
  return html`${DOCUMENT_START}
<title>${title} · ${instanceTitle}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 26rem; margin: 3rem auto; padding: 0 1rem; color: #1f2937; }
  h1 { font-size: 1.4rem; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; }
  button { margin-top: 1.25rem; padding: .55rem 1.2rem; font: inherit; cursor: pointer; }
  .error { color: #b91c1c; }
  .scopes li { font-family: monospace; }
  code.token { display: block; padding: .75rem; background: #f3f4f6; word-break: break-all; }
  .actions { display: flex; gap: .75rem; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

/** What a signed-in section's frame shows (settings, administration). */
export interface SectionFrame {
  /** "Settings", "Administration": the header and the navigation's label. */
  section: string;
  instanceTitle: string;
  /** The nav element's class (its CSS) and entries; `active` is marked as the current page. */
  navClass: string;
  nav: readonly { key: string; path: string; label: string }[];
  active: string | null;
  /** Who is signed in, and the sign-out form (with its CSRF field). */
  who: HtmlEscapedString | Promise<HtmlEscapedString>;
  signOut: HtmlEscapedString | Promise<HtmlEscapedString>;
  title: string;
  notice?: string | null;
  error?: string | null;
  body: HtmlEscapedString | Promise<HtmlEscapedString>;
}

/** The body of a signed-in section's page: header, navigation, and the page under its title. */
export function sectionFrame(frame: SectionFrame) {
  return html`<body>
<header class="top">
  <strong>${frame.instanceTitle} · ${frame.section}</strong>
  <span>${frame.who} ${frame.signOut}</span>
</header>
<div class="frame">
<nav class="${frame.navClass}" aria-label="${frame.section}">
<ul>
${frame.nav.map((item) => html`<li><a href="${item.path}"${item.key === frame.active ? html` aria-current="page"` : ""}>${item.label}</a></li>`)}
</ul>
</nav>
<main>
<h1>${frame.title}</h1>
${frame.notice ? html`<p class="notice" role="status">${frame.notice}</p>` : ""}
${frame.error ? html`<p class="error" role="alert">${frame.error}</p>` : ""}
${frame.body}
</main>
</div>
</body>
</html>`;
}
