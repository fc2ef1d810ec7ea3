// The frame every public page (profiles, threads, hashtags, /about, the local timeline) shares:
// the head with its meta tags (OpenGraph, Twitter, canonical, feeds, oEmbed, robots), one
// stylesheet, and the Content-Security-Policy that goes with it. Pages are plain HTML that works
// without JavaScript; the policy allows no script at all and nothing from another origin except
// the media storage's (an S3 bucket or CDN serves local uploads there).
// Hono's html`` escapes every interpolated value; only sanitized post HTML is passed as raw().
import crypto from "node:crypto";
import type { Context } from "hono";
import { html } from "hono/html";
import { DOCUMENT_START } from "../layout.ts";
import type { HtmlEscapedString } from "hono/utils/html";
import type { AppEnv } from "../../env.ts";
import type { Services } from "../../../domain/services.ts";

type Body = HtmlEscapedString | Promise<HtmlEscapedString>;

const CSS = `
body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 0 auto; padding: 1rem; color: #1f2937; background: #fff; }
header.site { display: flex; justify-content: space-between; gap: 1rem; border-bottom: 1px solid #e5e7eb; padding-bottom: .5rem; margin-bottom: 1rem; }
header.site a { color: inherit; }
h1 { font-size: 1.4rem; margin: .5rem 0; }
h2 { font-size: 1.1rem; margin-top: 1.5rem; }
a { color: #4338ca; }
img { max-width: 100%; height: auto; }
.banner { width: 100%; max-height: 12rem; object-fit: cover; border-radius: 8px; }
.avatar { width: 5rem; height: 5rem; border-radius: 8px; }
.avatar.small { width: 2.5rem; height: 2.5rem; }
.counts, .meta, .pager { color: #4b5563; font-size: .9rem; }
.fields { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
.fields dt { font-weight: 600; }
.fields dd { margin: 0; overflow-wrap: anywhere; }
.verified { color: #047857; }
article.status { border-top: 1px solid #e5e7eb; padding: .75rem 0; overflow-wrap: anywhere; }
article.status.focus { font-size: 1.1rem; }
article.status.reply { margin-left: 1.5rem; }
.author { display: flex; gap: .5rem; align-items: center; }
.media { display: grid; gap: .5rem; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); }
.pager { display: flex; justify-content: space-between; margin-top: 1rem; }
.gone { padding: 2rem 0; }
`;
const STYLE_HASH = `'sha256-${crypto.createHash("sha256").update(CSS).digest("base64")}'`;

/** The Content-Security-Policy of the public pages: no script, no frame, nothing third-party. */
export function contentSecurityPolicy(services: Services): string {
  const media = mediaOrigin(services);
  const sources = ["'self'", "data:", ...(media ? [media] : [])].join(" ");
  return [
    "default-src 'none'",
    `img-src ${sources}`,
    `media-src ${sources}`,
    `style-src ${STYLE_HASH}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Where local uploads are served from when it is not this server (S3, a CDN). */
export function mediaOrigin(services: Services): string | null {
  try {
    const origin = new URL(services.mediaUrls.stored("media_attachments/probe.png")).origin;
    return origin === services.config.origin ? null : origin;
  } catch {
    return null;
  }
}

export interface PageMeta {
  /** The page's own title (before " · instance title"). */
  title: string;
  /** Plain text: OpenGraph, Twitter and the description meta tag. */
  description: string;
  /** The page's one address (og:url and the canonical link). */
  url: string;
  image?: string | null;
  /** The image is a picture worth showing large (a post's photo), not an avatar or logo. */
  largeImage?: boolean;
  /** og:type: profile, article, website. */
  type?: string;
  noindex?: boolean;
  /** The feeds of what the page lists, without their extensions (.rss and .atom are added). */
  feeds?: string;
  /** The oEmbed endpoint's URL for this page (posts). */
  oembed?: string;
  /** The ActivityPub document this page shows (for fetchers that read the HTML). */
  activity?: string;
}

export function publicPage(c: Context<AppEnv>, meta: PageMeta, body: Body) {
  const { instance, origin } = c.get("services").config;
  const description = meta.description.length > 300 ? `${meta.description.slice(0, 299)}…` : meta.description;
  return html`${DOCUMENT_START}
<title>${meta.title} · ${instance.title}</title>
<meta name="description" content="${description}">
${meta.noindex ? html`<meta name="robots" content="noindex, noarchive">` : ""}
<link rel="canonical" href="${meta.url}">
${meta.feeds ? html`<link rel="alternate" type="application/rss+xml" href="${meta.feeds}.rss">
<link rel="alternate" type="application/atom+xml" href="${meta.feeds}.atom">` : ""}
${meta.oembed ? html`<link rel="alternate" type="application/json+oembed" href="${meta.oembed}">` : ""}
${meta.activity ? html`<link rel="alternate" type="application/activity+json" href="${meta.activity}">` : ""}
<meta property="og:site_name" content="${instance.title}">
<meta property="og:type" content="${meta.type ?? "website"}">
<meta property="og:title" content="${meta.title}">
<meta property="og:description" content="${description}">
<meta property="og:url" content="${meta.url}">
${meta.image ? html`<meta property="og:image" content="${meta.image}">` : ""}
<meta name="twitter:card" content="${meta.image && meta.largeImage ? "summary_large_image" : "summary"}">
<meta name="twitter:title" content="${meta.title}">
<meta name="twitter:description" content="${description}">
${meta.image ? html`<meta name="twitter:image" content="${meta.image}">` : ""}
<style>${CSS}</style>
</head>
<body>
<header class="site"><a href="${origin}/about"><strong>${instance.title}</strong></a><nav><a href="${origin}/auth/sign_in">Sign in</a> · <a href="${origin}/auth/sign_up">Sign up</a></nav></header>
<main>
${body}
</main>
</body>
</html>`;
}

/** The answer for a page that does not exist (404) or no longer does (410), as HTML for browsers. */
export function missingPage(c: Context<AppEnv>, status: 404 | 410, message: string) {
  if (!wantsHtml(c)) return c.json({ error: status === 410 ? "Gone" : "Record not found" }, status);
  const url = new URL(c.req.path, c.get("services").config.origin).toString();
  c.header("Content-Security-Policy", contentSecurityPolicy(c.get("services")));
  return c.html(publicPage(c, { title: status === 410 ? "Gone" : "Not found", description: message, url, noindex: true }, html`<div class="gone"><h1>${status === 410 ? "Gone" : "Not found"}</h1><p>${message}</p></div>`), status);
}

/** Whether the client asked for a page (a browser), rather than JSON. */
export function wantsHtml(c: Context<AppEnv>): boolean {
  return /text\/html|application\/xhtml\+xml/.test(c.req.header("Accept") ?? "");
}

/** Whether the client asked for ActivityPub JSON (another server, a fediverse client). */
export function wantsActivityJson(c: Context<AppEnv>): boolean {
  return /application\/(activity\+json|ld\+json)/.test(c.req.header("Accept") ?? "");
}
