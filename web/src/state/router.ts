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
  | { name: "callback" }
  | { name: "missing" };

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/" || path === "/web" || path === "/web/home") return { name: "home" };
  if (path === "/web/timelines/local") return { name: "local" };
  if (path === "/web/timelines/federated") return { name: "federated" };
  if (path === "/web/notifications") return { name: "notifications" };
  if (path === "/web/oauth/callback") return { name: "callback" };
  let match = /^\/web\/statuses\/([^/]+)$/.exec(path);
  if (match) return { name: "thread", id: decodeURIComponent(match[1]) };
  match = /^\/web\/accounts\/([^/]+)$/.exec(path);
  if (match) return { name: "profile", id: decodeURIComponent(match[1]) };
  return { name: "missing" };
}

export const paths = {
  home: "/",
  local: "/web/timelines/local",
  federated: "/web/timelines/federated",
  notifications: "/web/notifications",
  thread: (id: string) => `/web/statuses/${encodeURIComponent(id)}`,
  profile: (id: string) => `/web/accounts/${encodeURIComponent(id)}`,
};

export const route = new Store<Route>(parseRoute(location.pathname));

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, "", path);
  else if (path !== location.pathname + location.search) history.pushState(null, "", path);
  route.set(parseRoute(location.pathname));
  if (!options.replace) window.scrollTo(0, 0);
}

addEventListener("popstate", () => route.set(parseRoute(location.pathname)));

/** Lets ordinary links inside the client navigate without reloading the page. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element).closest?.("a[href]") as HTMLAnchorElement | null;
    if (!anchor || anchor.target || anchor.origin !== location.origin) return;
    if (parseRoute(anchor.pathname).name === "missing" || anchor.pathname === "/web/oauth/callback") return;
    event.preventDefault();
    navigate(anchor.pathname + anchor.search);
  });
}
