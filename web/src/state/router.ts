// A router of a few lines: the address is the state. Client screens live under /web/ (and home
// at /), so every address the client shows can be opened again, shared or reloaded; the server
// answers all of them with the client's page. Links are ordinary <a href>s that navigate() takes
// over for a plain left click.
import { Store } from "./store.ts";

export type Route =
  | { name: "home" }
  | { name: "local" }
  | { name: "federated" }
  | { name: "notifications" }
  | { name: "thread"; id: string }
  | { name: "profile"; id: string }
  | { name: "search"; query: string }
  | { name: "bookmarks" }
  | { name: "favourites" }
  | { name: "lists" }
  | { name: "list"; id: string }
  | { name: "tags" }
  | { name: "tag"; tag: string }
  | { name: "filters" }
  | { name: "follow-requests" }
  | { name: "preferences" }
  | { name: "scheduled" }
  | { name: "conversations" }
  | { name: "notification-requests" }
  | { name: "edit-profile" }
  | { name: "account-list"; kind: "followers" | "following" | "mutes" | "blocks"; id?: string }
  | { name: "callback" }
  | { name: "missing" };

const SIMPLE: Record<string, Route> = {
  "/web/bookmarks": { name: "bookmarks" },
  "/web/favourites": { name: "favourites" },
  "/web/lists": { name: "lists" },
  "/web/followed_tags": { name: "tags" },
  "/web/filters": { name: "filters" },
  "/web/follow_requests": { name: "follow-requests" },
  "/web/preferences": { name: "preferences" },
  "/web/scheduled_statuses": { name: "scheduled" },
  "/web/conversations": { name: "conversations" },
  "/web/notifications/requests": { name: "notification-requests" },
  "/web/profile/edit": { name: "edit-profile" },
  "/web/mutes": { name: "account-list", kind: "mutes" },
  "/web/blocks": { name: "account-list", kind: "blocks" },
};

export function parseRoute(pathname: string, search = ""): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/" || path === "/web" || path === "/web/home") return { name: "home" };
  if (path === "/web/timelines/local") return { name: "local" };
  if (path === "/web/timelines/federated") return { name: "federated" };
  if (path === "/web/notifications") return { name: "notifications" };
  if (path === "/web/oauth/callback") return { name: "callback" };
  if (path === "/web/search") return { name: "search", query: new URLSearchParams(search).get("q") ?? "" };
  if (SIMPLE[path]) return SIMPLE[path];
  let match = /^\/web\/statuses\/([^/]+)$/.exec(path);
  if (match) return { name: "thread", id: decodeURIComponent(match[1]) };
  match = /^\/web\/accounts\/([^/]+)$/.exec(path);
  if (match) return { name: "profile", id: decodeURIComponent(match[1]) };
  match = /^\/web\/accounts\/([^/]+)\/(followers|following)$/.exec(path);
  if (match) return { name: "account-list", kind: match[2] as "followers" | "following", id: decodeURIComponent(match[1]) };
  match = /^\/web\/lists\/([^/]+)$/.exec(path);
  if (match) return { name: "list", id: decodeURIComponent(match[1]) };
  match = /^\/web\/tags\/([^/]+)$/.exec(path);
  if (match) return { name: "tag", tag: decodeURIComponent(match[1]) };
  return { name: "missing" };
}

export const paths = {
  home: "/",
  local: "/web/timelines/local",
  federated: "/web/timelines/federated",
  notifications: "/web/notifications",
  thread: (id: string) => `/web/statuses/${encodeURIComponent(id)}`,
  profile: (id: string) => `/web/accounts/${encodeURIComponent(id)}`,
  search: (q: string) => `/web/search?q=${encodeURIComponent(q)}`,
  bookmarks: "/web/bookmarks",
  favourites: "/web/favourites",
  lists: "/web/lists",
  list: (id: string) => `/web/lists/${encodeURIComponent(id)}`,
  tags: "/web/followed_tags",
  tag: (name: string) => `/web/tags/${encodeURIComponent(name)}`,
  filters: "/web/filters",
  followRequests: "/web/follow_requests",
  preferences: "/web/preferences",
  scheduled: "/web/scheduled_statuses",
  conversations: "/web/conversations",
  notificationRequests: "/web/notifications/requests",
  editProfile: "/web/profile/edit",
  followers: (id: string) => `/web/accounts/${encodeURIComponent(id)}/followers`,
  following: (id: string) => `/web/accounts/${encodeURIComponent(id)}/following`,
  mutes: "/web/mutes",
  blocks: "/web/blocks",
};

export const route = new Store<Route>(parseRoute(location.pathname, location.search));

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, "", path);
  else if (path !== location.pathname + location.search) history.pushState(null, "", path);
  route.set(parseRoute(location.pathname, location.search));
  if (!options.replace) window.scrollTo(0, 0);
}

addEventListener("popstate", () => route.set(parseRoute(location.pathname, location.search)));

/** Lets ordinary links inside the client navigate without reloading the page. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element).closest?.("a[href]") as HTMLAnchorElement | null;
    if (!anchor || anchor.target || anchor.origin !== location.origin) return;
    // A hashtag in a post links to this server's public tag page: the client shows its own.
    const tag = /^\/tags\/([^/]+)$/.exec(anchor.pathname);
    if (tag) {
      event.preventDefault();
      return navigate(paths.tag(decodeURIComponent(tag[1])));
    }
    if (parseRoute(anchor.pathname).name === "missing" || anchor.pathname === "/web/oauth/callback") return;
    event.preventDefault();
    navigate(anchor.pathname + anchor.search);
  });
}
