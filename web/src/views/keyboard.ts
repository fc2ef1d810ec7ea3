// Keyboard shortcuts as Mastodon's web app has them: j/k move between posts, Enter/o opens one,
// n composes, r/f/b/d reply, favourite, boost and bookmark the post in focus, m mentions its
// author, p opens the author's profile, x shows or hides its content warning, h its sensitive
// media, s or / search, Backspace goes back, g h / g n / g l / g t / g d / g f / g u / g r go home,
// to the notifications, the local and federated timelines, direct messages, favourites, your
// profile and follow requests, ? shows the help. Keys typed into a text field are the field's.
import { focusCompose, startMention } from "../state/compose.ts";
import { navigate, paths } from "../state/router.ts";
import { actionable, statuses } from "../state/statuses.ts";
import { session } from "../state/session.ts";

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

/** Opens or folds a <details> of the post in focus (its content warning, its sensitive media). */
function toggle(selector: string): void {
  const details = current()?.querySelector<HTMLDetailsElement>(selector);
  if (details) details.open = !details.open;
}

function focusedStatus() {
  const id = current()?.dataset.statusId;
  const s = id ? statuses.get()[id] : undefined;
  return s ? actionable(s) : undefined;
}

const GO: Record<string, () => string | null> = {
  h: () => paths.home,
  n: () => paths.notifications,
  l: () => paths.local,
  t: () => paths.federated,
  d: () => paths.conversations,
  f: () => paths.favourites,
  r: () => paths.followRequests,
  u: () => {
    const me = session.get();
    return me.state === "signed-in" ? paths.profile(me.me.id) : null;
  },
};

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
      const where = GO[event.key]?.();
      if (where) return navigate(where);
    }
    const handled: Record<string, () => void> = {
      j: () => move(1),
      k: () => move(-1),
      n: () => focusCompose(),
      r: () => press("reply"),
      f: () => press("favourite"),
      b: () => press("boost"),
      d: () => press("bookmark"),
      m: () => {
        const s = focusedStatus();
        if (s) startMention(s.account.acct);
      },
      p: () => {
        const s = focusedStatus();
        if (s) navigate(paths.profile(s.account.id));
      },
      x: () => toggle("details.spoiler"),
      h: () => toggle("details.sensitive"),
      Backspace: () => history.back(),
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
