// Keyboard shortcuts as Mastodon's web app has them: j/k move between posts, Enter/o opens one,
// n composes, r/f/b reply, favourite and boost the post in focus, s or / search, g h / g n go
// home or to the notifications, ? shows the help. Keys typed into a text field are the field's.
import { focusCompose } from "../state/compose.ts";
import { navigate, paths } from "../state/router.ts";

function posts(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>("main article[data-status-id]")];
}

function current(): HTMLElement | null {
  return (document.activeElement as HTMLElement | null)?.closest?.("article[data-status-id]") ?? null;
}

function move(step: number): void {
  const list = posts();
  if (list.length === 0) return;
  const at = current();
  const index = at ? list.indexOf(at) : -1;
  const next = list[Math.max(0, Math.min(list.length - 1, index === -1 ? 0 : index + step))];
  next.focus();
  next.scrollIntoView({ block: "nearest" });
}

function press(action: string): void {
  current()?.querySelector<HTMLButtonElement>(`.actions button[data-action="${action}"]`)?.click();
}

export function installShortcuts(showHelp: () => void): () => void {
  let pendingG = false;
  const onKey = (event: KeyboardEvent) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement;
    if (target.closest("input, textarea, select, [contenteditable]")) {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (document.querySelector("dialog[open]")) return;
    if (pendingG) {
      pendingG = false;
      if (event.key === "h") return navigate(paths.home);
      if (event.key === "n") return navigate(paths.notifications);
    }
    const handled: Record<string, () => void> = {
      j: () => move(1),
      k: () => move(-1),
      n: () => focusCompose(),
      r: () => press("reply"),
      f: () => press("favourite"),
      b: () => press("boost"),
      o: () => {
        const id = current()?.dataset.statusId;
        if (id) navigate(paths.thread(id));
      },
      "?": showHelp,
      // As Mastodon's web app: s or / to search (the box in the side column, or the search screen's).
      s: () => document.getElementById("search-input")?.focus(),
      "/": () => document.getElementById("search-input")?.focus(),
      g: () => (pendingG = true),
    };
    // Enter on a post itself opens it; on a link or button inside, it is theirs.
    const at = current();
    if (event.key === "Enter" && at && document.activeElement === at) handled.Enter = () => navigate(paths.thread(at.dataset.statusId!));
    const handler = handled[event.key];
    if (!handler) return;
    event.preventDefault();
    handler();
  };
  document.addEventListener("keydown", onKey);
  return () => document.removeEventListener("keydown", onKey);
}
