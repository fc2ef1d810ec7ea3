// Bookmarks and favourites as saved lists: toggling one on a post also makes the matching list
// load afresh the next time it is shown, so the post is in it (or gone from it) there.
import type { Status } from "../api/types.ts";
import { forgetFeed } from "./feeds.ts";
import { toggleBookmark, toggleFavourite } from "./statuses.ts";

export async function bookmark(s: Status): Promise<void> {
  await toggleBookmark(s);
  forgetFeed("bookmarks");
}

export async function favourite(s: Status): Promise<void> {
  await toggleFavourite(s);
  forgetFeed("favourites");
}
