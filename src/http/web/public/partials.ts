// Pieces the public pages share: statuses loaded for a signed-out visitor and converted as the API
// converts them (so remote HTML is the same sanitized HTML the API serves), a post, a profile's
// header, the older/newer links, and plain text for meta descriptions.
import type { Context } from "hono";
import { html, raw } from "hono/html";
import type { AppEnv } from "../../env.ts";
import type { StatusRow } from "../../../domain/statuses/status-service.ts";
import type { AccountRow } from "../../../domain/accounts/account-service.ts";
import type { PageRequest } from "../../pagination.ts";
import { toStatus } from "../../../convert/mastodon/status.ts";
import { toAccount } from "../../../convert/mastodon/account.ts";
import { convertContextOf } from "../../../convert/mastodon/context.ts";
import { parseId } from "../../../util/ids.ts";

/** The parts of a Mastodon Status entity the pages show. */
export interface PublicStatus {
  id: string;
  uri: string;
  url: string | null;
  created_at: string;
  in_reply_to_id: string | null;
  visibility: string;
  sensitive: boolean;
  spoiler_text: string;
  content: string;
  language: string | null;
  replies_count: number;
  reblogs_count: number;
  favourites_count: number;
  account: PublicAccount;
  reblog: PublicStatus | null;
  media_attachments: { type: string; url: string; preview_url: string | null; description: string | null }[];
  tags: { name: string; url: string }[];
}

/** The parts of a Mastodon Account entity the pages show. */
export interface PublicAccount {
  id: string;
  username: string;
  acct: string;
  url: string;
  display_name: string;
  note: string;
  avatar: string;
  avatar_static: string;
  header_static: string;
  fields: { name: string; value: string; verified_at: string | null }[];
  followers_count: number;
  following_count: number;
  statuses_count: number;
  noindex: boolean;
  bot: boolean;
}

/** Statuses as a signed-out visitor gets them from the API (no viewer, no filters). */
export async function publicStatuses(c: Context<AppEnv>, rows: readonly StatusRow[]): Promise<PublicStatus[]> {
  const services = c.get("services");
  const views = await services.statusViews(rows, null);
  const ctx = convertContextOf(services);
  return views.map((v) => toStatus(v, ctx) as unknown as PublicStatus);
}

export function publicAccount(c: Context<AppEnv>, row: AccountRow): PublicAccount {
  return toAccount(row, convertContextOf(c.get("services"))) as unknown as PublicAccount;
}

/** The page a visitor asked for: ?max_id (older) or ?min_id (newer), one more row than shown to know whether more exist. */
export function pageRequestOf(c: Context<AppEnv>, limit: number): PageRequest {
  const id = (name: string) => {
    const raw = c.req.query(name);
    return raw ? (parseId(raw) ?? null) : null;
  };
  return { maxId: id("max_id"), minId: id("min_id"), sinceId: null, limit: limit + 1 };
}

export interface Paged<T> {
  items: T[];
  /** The cursor of the next older page, if there is one. */
  older: string | null;
  newer: string | null;
}

/** Trims the extra row pageRequestOf asked for and says which neighbours exist (rows newest first). */
export function paged<T extends { id: string }>(rows: T[], request: PageRequest): Paged<T> {
  const limit = request.limit - 1;
  const more = rows.length > limit;
  if (request.minId) {
    const items = more ? rows.slice(rows.length - limit) : rows;
    return { items, older: items.at(-1)?.id ?? null, newer: more ? (items[0]?.id ?? null) : null };
  }
  const items = rows.slice(0, limit);
  return { items, older: more ? (items.at(-1)?.id ?? null) : null, newer: request.maxId ? (items[0]?.id ?? null) : null };
}

export function pager(base: string, page: Paged<unknown>) {
  if (!page.older && !page.newer) return "";
  return html`<nav class="pager" aria-label="Pages">
${page.newer ? html`<a rel="prev" href="${base}?min_id=${page.newer}">← Newer posts</a>` : html`<span></span>`}
${page.older ? html`<a rel="next" href="${base}?max_id=${page.older}">Older posts →</a>` : html`<span></span>`}
</nav>`;
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function displayName(account: PublicAccount): string {
  return account.display_name.trim() || account.username;
}

/** One post; a boost shows the boosted post with who boosted it. */
export function statusArticle(status: PublicStatus, options: { focus?: boolean; reply?: boolean; pinned?: boolean } = {}) {
  const shown = status.reblog ?? status;
  const author = shown.account;
  const permalink = shown.url ?? shown.uri;
  const classes = ["status", options.focus ? "focus" : "", options.reply ? "reply" : ""].filter(Boolean).join(" ");
  // The post's HTML is the API's: local posts rendered from plain text, remote ones sanitized when stored.
  const body = html`${raw(shown.content)}${mediaList(shown)}`;
  return html`<article class="${classes}" id="status-${shown.id}"${shown.language ? html` lang="${shown.language}"` : ""}>
${status.reblog ? html`<p class="meta">${displayName(status.account)} boosted</p>` : ""}${options.pinned ? html`<p class="meta">Pinned</p>` : ""}
<div class="author"><img class="avatar small" src="${author.avatar_static}" alt=""><div><a href="${author.url}"><strong>${displayName(author)}</strong></a><br><span class="meta">@${author.acct}</span></div></div>
${shown.spoiler_text ? html`<details><summary>${shown.spoiler_text}</summary>${body}</details>` : body}
<p class="meta"><a href="${permalink}"><time datetime="${shown.created_at}">${shown.created_at.slice(0, 16).replace("T", " ")}</time></a>${shown.visibility === "unlisted" ? " · unlisted" : ""} · ${count(shown.replies_count, "reply", "replies")} · ${count(shown.reblogs_count, "boost", "boosts")} · ${count(shown.favourites_count, "favourite", "favourites")}</p>
</article>`;
}

function mediaList(status: PublicStatus) {
  if (status.media_attachments.length === 0) return "";
  return html`<div class="media">${status.media_attachments.map((m) => {
    const alt = m.description ?? "";
    if (m.type === "image" || m.type === "gifv") return html`<a href="${m.url}"><img src="${m.preview_url ?? m.url}" alt="${alt}" loading="lazy"></a>`;
    if (m.type === "video" || m.type === "audio") return html`<a href="${m.url}">${m.type === "video" ? "Video" : "Audio"}${alt ? html`: ${alt}` : ""}</a>`;
    return html`<a href="${m.url}">Attachment${alt ? html`: ${alt}` : ""}</a>`;
  })}</div>`;
}

/** A profile field's value with rel="me" on its links, so that the linked site can verify the account back. */
export function relMe(valueHtml: string): string {
  return valueHtml.replace(/<a\b([^>]*)>/gi, (_tag, attrs: string) => {
    if (/\brel="/i.test(attrs)) return `<a${attrs.replace(/\brel="([^"]*)"/i, (_m, rel: string) => `rel="${/\bme\b/.test(rel) ? rel : `me ${rel}`.trim()}"`)}>`;
    return `<a${attrs} rel="me">`;
  });
}

export function profileHeader(account: PublicAccount, domain: string) {
  return html`<section class="profile">
${account.header_static.endsWith("/headers/original/missing.png") ? "" : html`<img class="banner" src="${account.header_static}" alt="">`}
<div class="author"><img class="avatar" src="${account.avatar_static}" alt="${displayName(account)}"><div><h1>${displayName(account)}</h1><span class="meta">@${account.username}@${domain}${account.bot ? " · automated" : ""}</span></div></div>
<div class="note">${raw(account.note)}</div>
${account.fields.length ? html`<dl class="fields">${account.fields.map((f) => html`<dt>${f.name}</dt><dd${f.verified_at ? html` class="verified" title="Verified ${f.verified_at.slice(0, 10)}"` : ""}>${raw(relMe(f.value))}${f.verified_at ? " ✓" : ""}</dd>`)}</dl>` : ""}
<p class="counts">${count(account.statuses_count, "post", "posts")} · ${account.following_count} following · ${count(account.followers_count, "follower", "followers")}</p>
</section>`;
}

/** Plain text of post or bio HTML, for meta descriptions and feed titles (escaped again where used). */
export function textOf(htmlText: string): string {
  const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };
  return htmlText
    .replace(/<br\s*\/?>|<\/p>\s*<p[^>]*>/gi, " ")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === "#") {
        const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
      }
      return entities[e.toLowerCase()] ?? m;
    })
    .replace(/\s+/g, " ")
    .trim();
}

/** What a post's link preview says: its warning, else its text. */
export function statusDescription(status: PublicStatus): string {
  if (status.spoiler_text) return `Content warning: ${status.spoiler_text}`;
  const text = textOf(status.content);
  const media = status.media_attachments.length ? `${text ? " " : ""}[${status.media_attachments.length} attachment${status.media_attachments.length === 1 ? "" : "s"}]` : "";
  return text + media;
}

/** The image a shared post unfurls with: its first picture (not behind a warning), else the author's avatar. */
export function statusImage(status: PublicStatus): { image: string; largeImage: boolean } {
  const picture = status.sensitive ? undefined : status.media_attachments.find((m) => m.type === "image");
  return picture ? { image: picture.preview_url ?? picture.url, largeImage: true } : { image: status.account.avatar_static, largeImage: false };
}

