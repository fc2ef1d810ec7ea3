// Turns text a local user typed into the HTML Mastodon clients display: escaped, paragraphs on
// blank lines, <br> on single line breaks, and bare http(s) links made clickable.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const LINK = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

function linkify(escaped: string): string {
  return escaped.replace(LINK, (url) => {
    const display = url.replace(/^https?:\/\//, "");
    return `<a href="${url}" rel="nofollow noopener" target="_blank">${display}</a>`;
  });
}

export function plainTextToHtml(text: string): string {
  const paragraphs = text.replace(/\r\n?/g, "\n").trim().split(/\n{2,}/).filter(Boolean);
  return paragraphs.map((p) => `<p>${linkify(escapeHtml(p)).replace(/\n/g, "<br>")}</p>`).join("");
}
