// Statuses (as loaded by domain/statuses/status-views.ts) → Mastodon's Status, StatusSource and
// StatusEdit entities.
import type { StatusView } from "../../domain/statuses/status-views.ts";
import type { StatusRow, StatusEditRow } from "../../store/statuses.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { MediaRow } from "../../store/media/attachments.ts";
import { toMediaAttachment } from "./media.ts";
import { toAccount, type ConvertContext } from "./account.ts";
import { toPoll } from "./poll.ts";
import { toFilterResult } from "./filter.ts";
import { emojisIn } from "./custom-emoji.ts";
import { quoteFields } from "./quote.ts";
import { toPreviewCard } from "./card.ts";

export function toStatus(view: StatusView, ctx: ConvertContext): Record<string, unknown> {
  const { status, account } = view;
  const flags = view.viewer;
  return {
    id: status.id,
    uri: status.uri,
    url: status.url,
    created_at: status.created_at,
    edited_at: status.edited_at,
    account: toAccount(account, ctx),
    content: status.content,
    text: null,
    visibility: status.visibility,
    // A moderator marked the author sensitive: their media are shown behind a warning.
    sensitive: status.sensitive === 1 || (Boolean(account.sensitized_at) && view.media.length > 0),
    spoiler_text: status.spoiler_text,
    language: status.language,
    in_reply_to_id: status.in_reply_to_id,
    in_reply_to_account_id: status.in_reply_to_account_id,
    reblog: view.reblog ? toStatus(view.reblog, ctx) : null,
    application: view.application ? { name: view.application.name, website: view.application.website } : undefined,
    media_attachments: view.media.map((m) => toMediaAttachment(m, ctx.mediaRejected?.(account.domain) ?? false, ctx)),
    mentions: view.mentions.map((m) => ({ id: m.id, username: m.username, acct: acct(m), url: m.url ?? m.uri })),
    tags: view.tags.map((t) => ({ name: t.name, url: `${ctx.origin}/tags/${encodeURIComponent(t.name)}` })),
    emojis: emojisIn(ctx, account.domain, [status.content, status.spoiler_text, ...(view.poll?.options.map((o) => o.title) ?? [])]),
    card: view.card ? toPreviewCard(view.card, view.cardAuthor ?? null, ctx) : null,
    poll: view.poll ? toPoll(view.poll, new Date(), ctx, account.domain) : null,
    replies_count: status.replies_count,
    reblogs_count: status.reblogs_count,
    favourites_count: status.favourites_count,
    ...quoteFields(view, ctx, toStatus),
    ...(flags
      ? {
          favourited: flags.favourited,
          reblogged: flags.reblogged,
          bookmarked: flags.bookmarked,
          muted: flags.muted,
          // Only one's own statuses can be pinned; Mastodon omits the flag on others'.
          ...(status.account_id === account.id && !status.reblog_of_id ? { pinned: flags.pinned } : {}),
        }
      : {}),
    filtered: view.filtered.map(toFilterResult),
  };
}

export function acct(account: AccountRow): string {
  return account.domain ? `${account.username}@${account.domain}` : account.username;
}

/** What delete returns: the status with the text it was written from, for delete-and-redraft. */
export function toDeletedStatus(view: StatusView, ctx: ConvertContext): Record<string, unknown> {
  return { ...toStatus(view, ctx), text: view.status.text };
}

export function toStatusSource(status: StatusRow) {
  return { id: status.id, text: status.text, spoiler_text: status.spoiler_text };
}

/**
 * Edit history, oldest first; a never-edited status has one version: itself. `media`: every
 * attachment the status has had (each version names its own, in order).
 */
export function toStatusEdits(status: StatusRow, edits: StatusEditRow[], author: AccountRow, ctx: ConvertContext, media: readonly MediaRow[] = []) {
  const current = media.filter((m) => m.position >= 0).map((m) => m.id);
  const versions = edits.length ? edits : [{ content: status.content, spoiler_text: status.spoiler_text, sensitive: status.sensitive, created_at: status.created_at, poll_options: null, media_ids: JSON.stringify(current) }];
  const byId = new Map(media.map((m) => [m.id, m]));
  const rejected = ctx.mediaRejected?.(author.domain) ?? false;
  // A version recorded without its media (remote edits, versions older than the column) shows the current ones.
  const mediaOf = (json: string | null) => (json ? (JSON.parse(json) as string[]) : current).map((id) => byId.get(id)).filter((m): m is MediaRow => m !== undefined);
  return versions.map((e) => ({
    content: e.content,
    spoiler_text: e.spoiler_text,
    sensitive: e.sensitive === 1,
    created_at: e.created_at,
    account: toAccount(author, ctx),
    media_attachments: mediaOf(e.media_ids).map((m) => toMediaAttachment(m, rejected, ctx)),
    emojis: emojisIn(ctx, author.domain, [e.content, e.spoiler_text]),
    ...(e.poll_options ? { poll: { options: (JSON.parse(e.poll_options) as string[]).map((title) => ({ title })) } } : {}),
  }));
}
