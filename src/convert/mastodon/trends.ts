// Trends → Mastodon entities: hashtags with their usage history (Tag).
import type { TrendingTag } from "../../domain/discovery/discovery-service.ts";
import type { ConvertContext } from "./account.ts";

export function toTrendingTag(t: TrendingTag, ctx: ConvertContext) {
  return {
    id: t.tag.id,
    name: t.tag.name,
    url: `${ctx.origin}/tags/${encodeURIComponent(t.tag.name)}`,
    history: t.history.map((h) => ({ day: String(h.day), uses: String(h.uses), accounts: String(h.accounts) })),
  };
}
