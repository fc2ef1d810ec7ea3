// Remote HTML is reduced to what Mastodon itself allows in statuses and profiles: text
// formatting, links (made safe), and the microformat classes clients rely on. Everything else —
// scripts, styles, images, iframes, event handlers, unknown classes — is removed.
import sanitizeHtml from "sanitize-html";

const ALLOWED_CLASSES = ["h-card", "u-url", "mention", "hashtag", "ellipsis", "invisible", "quote-inline"];

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ["p", "br", "span", "a", "del", "s", "pre", "blockquote", "code", "b", "strong", "u", "i", "em", "ul", "ol", "li", "ruby", "rt", "rp"],
  allowedAttributes: {
    a: ["href", "rel", "class", "translate"],
    span: ["class", "translate"],
    ol: ["start", "reversed"],
    li: ["value"],
  },
  allowedClasses: { a: ALLOWED_CLASSES, span: ALLOWED_CLASSES },
  allowedSchemes: ["http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "xmpp", "magnet", "gemini"],
  allowProtocolRelative: false,
  transformTags: {
    // Links open safely and do not pass referrers or rank.
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: "nofollow noopener", target: "_blank" } }),
    // Headings and other block elements degrade to paragraphs, as on Mastodon.
    h1: "p", h2: "p", h3: "p", h4: "p", h5: "p", h6: "p",
  },
  allowedSchemesAppliedToAttributes: ["href"],
  disallowedTagsMode: "discard",
};

export function sanitizeRemoteHtml(html: string): string {
  return sanitizeHtml(html.slice(0, 100_000), { ...OPTIONS, allowedAttributes: { ...OPTIONS.allowedAttributes, a: ["href", "rel", "class", "translate", "target"] } });
}

/** Plain text of remote HTML (display names, field names). */
export function stripHtml(html: string): string {
  return sanitizeHtml(html.slice(0, 10_000), { allowedTags: [], allowedAttributes: {} }).trim();
}
