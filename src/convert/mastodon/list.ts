// Lists → Mastodon's List entity.
import type { ListRow } from "../../store/lists.ts";

export function toList(list: ListRow) {
  return { id: list.id, title: list.title, replies_policy: list.replies_policy, exclusive: list.exclusive === 1 };
}
