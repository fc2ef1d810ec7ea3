// Pieces the admin pages share: an account's handle and link, paging by id cursors (?max_id
// older, ?min_id newer) with links that keep the page's filters, and the page's own view of the
// admin account entity.
import { html } from "hono/html";
import type { AdminContext } from "./layout.ts";
import type { toAdminAccount } from "../../../convert/mastodon/admin/account.ts";
import type { PageRequest } from "../../pagination.ts";
import { parseId } from "../../../util/ids.ts";
import { ACCOUNT_ACTIONS, type AccountActionType } from "../../../domain/moderation/account-moderation.ts";

/** The Admin::Account entity, as the API renders it (convert/mastodon/admin/account.ts). */
export type AdminAccountView = ReturnType<typeof toAdminAccount>;

/** "alice" for a local account, "bob@example.com" for a remote one. */
export function handleOf(a: Pick<AdminAccountView, "username" | "domain">): string {
  return a.domain ? `${a.username}@${a.domain}` : a.username;
}

export interface CursorPage {
  /** What to ask the service for: one row more than shown, to know whether there are more. */
  page: PageRequest;
  /** The rows to show. */
  trim<T>(rows: T[]): T[];
  /** The cursors of the older and newer pages, for the rows shown (newest first). */
  links(items: readonly { id: string }[]): { older: string | null; newer: string | null };
}

export function cursorPage(c: AdminContext, limit: number): CursorPage {
  const cursor = (name: string) => {
    const raw = c.req.query(name);
    return raw ? (parseId(raw) ?? null) : null;
  };
  const maxId = cursor("max_id");
  const minId = cursor("min_id");
  let more = false;
  return {
    page: { maxId, minId, sinceId: null, limit: limit + 1 },
    trim<T>(rows: T[]): T[] {
      more = rows.length > limit;
      if (!more) return rows;
      // The service answers newest first either way; asked for newer rows (min_id), the extra
      // row is the newest one, so it is the first that goes.
      return minId ? rows.slice(rows.length - limit) : rows.slice(0, limit);
    },
    links(items) {
      const first = items[0]?.id ?? null;
      const last = items.at(-1)?.id ?? null;
      if (minId) return { older: last, newer: more ? first : null };
      return { older: more ? last : null, newer: maxId ? first : null };
    },
  };
}

/** Older/newer links that keep the page's own query (`base` may carry one). */
export function pagerLinks(base: string, links: { older: string | null; newer: string | null }) {
  if (!links.older && !links.newer) return "";
  const join = base.includes("?") ? "&" : "?";
  return html`<nav class="pager" aria-label="Pages">
${links.newer ? html`<a rel="prev" href="${base}${join}min_id=${links.newer}">← Newer</a>` : ""}
${links.older ? html`<a rel="next" href="${base}${join}max_id=${links.older}">Older →</a>` : ""}
</nav>`;
}

/** The actions a moderator can take on an account, as Mastodon's admin names them. */
const ACTION_LABELS: Record<AccountActionType, string> = {
  none: "Warn",
  sensitive: "Mark media as sensitive",
  disable: "Freeze sign-in",
  silence: "Limit (silence)",
  suspend: "Suspend",
};

/** The radio buttons choosing one (a warning by default), for the account and report pages' action forms. */
export function actionChoices() {
  return ACCOUNT_ACTIONS.map((type) => html`<label class="check"><input type="radio" name="type" value="${type}"${type === "none" ? " checked" : ""}> ${ACTION_LABELS[type]}</label>`);
}
