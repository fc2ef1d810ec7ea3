// Preview cards (domain/cards) → Mastodon's PreviewCard and TrendsLink. The image is shown
// through Skein's media proxy (kind "card", the small variant), never at its origin. The
// contract types author_url, provider_url and embed_url as URIs, so where Mastodon sends "" these
// fall back: provider_url to the site's root, author_url to the creator's account or the site's
// root, embed_url to the linked page (a photo card's is the photo).
import type { PreviewCardRow } from "../../store/cards.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { TagHistoryDay } from "../../domain/discovery/discovery-service.ts";
import { toAccount, type ConvertContext } from "./account.ts";

export function toPreviewCard(card: PreviewCardRow, author: AccountRow | null, ctx: ConvertContext): Record<string, unknown> {
  const site = `${new URL(card.url).origin}/`;
  let image: string | null = null;
  if (card.image_url) {
    let host = "";
    try {
      host = new URL(card.image_url).hostname;
    } catch {
      // Not shown.
    }
    if (host && !(ctx.mediaRejected?.(host) ?? false)) image = ctx.media ? ctx.media.proxied("card", card.id, "small", card.image_url) : card.image_url;
  }
  const authorUrl = card.author_url || author?.url || author?.uri || site;
  const authors =
    card.author_name || card.author_url || author
      ? [{ name: card.author_name || author?.display_name || author?.username || "", url: authorUrl, account: author ? toAccount(author, ctx) : null }]
      : [];
  return {
    url: card.url,
    title: card.title,
    description: card.description,
    language: card.language,
    type: card.type,
    author_name: card.author_name,
    author_url: authorUrl,
    authors,
    provider_name: card.provider_name,
    provider_url: card.provider_url || site,
    html: card.html,
    width: card.width,
    height: card.height,
    image,
    image_description: card.image_description,
    embed_url: card.embed_url || card.url,
    blurhash: image ? card.blurhash : null,
    published_at: card.published_at,
  };
}

/** A trending link: its card and its use per day, newest first, as strings (Mastodon's). */
export function toTrendsLink(card: PreviewCardRow, author: AccountRow | null, history: readonly TagHistoryDay[], ctx: ConvertContext): Record<string, unknown> {
  return {
    ...toPreviewCard(card, author, ctx),
    history: history.map((h) => ({ day: String(h.day), uses: String(h.uses), accounts: String(h.accounts) })),
  };
}
