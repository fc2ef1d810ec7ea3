// Turns text a local user typed into the HTML Mastodon clients display: escaped, paragraphs on
// blank lines, <br> on single line breaks, links, @mentions and #hashtags made into links with
// Mastodon's microformat classes (clients style and intercept them).

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export interface MentionTarget {
  username: string;
  /** The profile page the mention links to. */
  url: string;
}

export interface RenderOptions {
  /** Resolves `@user` / `@user@domain`; null leaves the text as typed. */
  mention?: (username: string, domain: string | null) => MentionTarget | null;
  /** The URL of a hashtag's page; without it hashtags stay plain text. */
  tagUrl?: (name: string) => string;
}

export interface Rendered {
  html: string;
  /** Each resolved mention once, in order of appearance. */
  mentions: MentionTarget[];
  /** Hashtags as written (without #), each once regardless of case. */
  tags: string[];
}

// One pass over the text finds links, mentions and hashtags, so none is found inside another.
const TOKEN = new RegExp(
  [
    String.raw`(?<url>\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]])`,
    String.raw`(?<=^|[^\p{L}\p{N}_\/@])@(?<user>[a-z0-9_]+(?:[a-z0-9_.-]*[a-z0-9_])?)(?:@(?<domain>[a-z0-9-]+(?:\.[a-z0-9-]+)+))?`,
    String.raw`(?<=^|[^\p{L}\p{N}_\/&#])#(?<tag>[\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*)`,
  ].join("|"),
  "giu",
);

const MAX_TAG_LENGTH = 100;

export function renderPlainText(text: string, options: RenderOptions = {}): Rendered {
  const mentions = new Map<string, MentionTarget>();
  const tags = new Map<string, string>();

  const renderInline = (line: string): string => {
    let out = "";
    let last = 0;
    for (const match of line.matchAll(TOKEN)) {
      const g = match.groups!;
      let replacement: string | null = null;
      if (g.url) {
        const display = g.url.replace(/^https?:\/\//, "");
        replacement = `<a href="${escapeHtml(g.url)}" target="_blank" rel="nofollow noopener" translate="no">${escapeHtml(display)}</a>`;
      } else if (g.user && options.mention) {
        const target = options.mention(g.user, g.domain?.toLowerCase() ?? null);
        if (target) {
          mentions.set(target.url, target);
          replacement = `<span class="h-card" translate="no"><a href="${escapeHtml(target.url)}" class="u-url mention">@<span>${escapeHtml(target.username)}</span></a></span>`;
        }
      } else if (g.tag && options.tagUrl && g.tag.length <= MAX_TAG_LENGTH) {
        if (!tags.has(g.tag.toLowerCase())) tags.set(g.tag.toLowerCase(), g.tag);
        replacement = `<a href="${escapeHtml(options.tagUrl(g.tag.toLowerCase()))}" class="mention hashtag" rel="tag">#<span>${escapeHtml(g.tag)}</span></a>`;
      }
      if (replacement === null) continue;
      out += escapeHtml(line.slice(last, match.index)) + replacement;
      last = match.index! + match[0].length;
    }
    return out + escapeHtml(line.slice(last));
  };

  const paragraphs = text.replace(/\r\n?/g, "\n").trim().split(/\n{2,}/).filter(Boolean);
  const html = paragraphs.map((p) => `<p>${p.split("\n").map(renderInline).join("<br>")}</p>`).join("");
  return { html, mentions: [...mentions.values()], tags: [...tags.values()] };
}

/** Profile texts and other plain text without mentions or hashtags resolved. */
export function plainTextToHtml(text: string): string {
  return renderPlainText(text).html;
}

/** The @username@domain handles in a text, for resolving before rendering. */
export function mentionHandles(text: string): { username: string; domain: string | null }[] {
  const found: { username: string; domain: string | null }[] = [];
  for (const match of text.matchAll(TOKEN)) {
    if (match.groups!.user) found.push({ username: match.groups!.user, domain: match.groups!.domain?.toLowerCase() ?? null });
  }
  return found;
}
