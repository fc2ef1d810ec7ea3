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
