// Hashtags (with a week of usage and whether the viewer follows them) → Mastodon's Tag entity,
// as /api/v1/tags/:name and /api/v1/followed_tags return it. Numbers in history are strings.
import type { TagView } from "../../domain/tags/tag-service.ts";
import type { ConvertContext } from "./account.ts";

export function toTagEntity(view: TagView, ctx: ConvertContext) {
  return {
    // Mastodon renders a hashtag nobody has used yet with an empty id.
    id: view.tag.id ?? "",
    name: view.tag.display_name,
    url: `${ctx.origin}/tags/${encodeURIComponent(view.tag.name)}`,
    history: view.history.map((h) => ({ day: String(h.day), uses: String(h.uses), accounts: String(h.accounts) })),
    ...(view.following === null ? {} : { following: view.following, featuring: view.featuring ?? false }),
  };
}
