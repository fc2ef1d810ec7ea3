// The keyboard shortcuts, in a modal <dialog> that "?" opens and Escape closes.
import { useLayoutEffect, useRef } from "preact/hooks";

export const SHORTCUTS: [string, string][] = [
  ["j / k", "Next / previous post"],
  ["Enter or o", "Open the post's thread"],
  ["n", "Write a new post"],
  ["r", "Reply to the post"],
  ["f", "Favourite the post"],
  ["b", "Boost the post"],
  ["d", "Bookmark the post"],
  ["m", "Mention the post's author"],
  ["p", "Open the author's profile"],
  ["x", "Show or hide the content warning"],
  ["h", "Show or hide sensitive media"],
  ["s or /", "Search"],
  ["Backspace", "Go back"],
  ["g h", "Go home"],
  ["g n", "Go to notifications"],
  ["g l / g t", "Go to the local / federated timeline"],
  ["g d", "Go to direct messages"],
  ["g f", "Go to favourites"],
  ["g u", "Go to your profile"],
  ["g r", "Go to follow requests"],
  ["?", "Show this help"],
  ["Escape", "Leave the text box or close this help"],
];

export function Help({ open, onClose }: { open: boolean; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useLayoutEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={dialog} class="help" aria-labelledby="help-heading" onClose={onClose}>
      <h2 id="help-heading">Keyboard shortcuts</h2>
      <dl>
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys}>
            <dt><kbd>{keys}</kbd></dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </dialog>
  );
}
