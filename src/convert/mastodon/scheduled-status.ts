// Scheduled statuses → Mastodon's ScheduledStatus entity: the time, the parameters the post will
// be made with, and the uploads reserved for it.
import type { ScheduledStatusView } from "../../domain/scheduled/scheduled-statuses.ts";
import type { ConvertContext } from "./account.ts";
import { toMediaAttachment } from "./media.ts";

/**
 * Mastodon gives `application_id` and `in_reply_to_id` as JSON integers (its database ids). Ours
 * are 64-bit and would lose digits as JavaScript numbers, so they are written as raw JSON numbers.
 */
const integer = (id: string): unknown => (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(/^\d{1,20}$/.test(id) ? id : "0");

const QUOTE_POLICIES = ["public", "followers", "nobody"];

export function toScheduledStatus(view: ScheduledStatusView, ctx: ConvertContext) {
  const { row, params } = view;
  return {
    id: row.id,
    scheduled_at: row.scheduled_at,
    params: {
      text: params.text,
      poll: params.poll,
      media_ids: params.media_ids.length ? params.media_ids : null,
      sensitive: params.sensitive,
      spoiler_text: params.spoiler_text === "" ? null : params.spoiler_text,
      visibility: params.visibility,
      language: params.language,
      in_reply_to_id: params.in_reply_to_id ? integer(params.in_reply_to_id) : null,
      application_id: integer(row.application_id ?? "0"),
      idempotency: params.idempotency,
      with_rate_limit: false,
      scheduled_at: null,
      quoted_status_id: params.quote?.quotedStatusId ?? null,
      ...(QUOTE_POLICIES.includes(params.quote?.quotePolicy ?? "") ? { quote_approval_policy: params.quote!.quotePolicy } : {}),
      ...(params.allowed_mentions ? { allowed_mentions: params.allowed_mentions } : {}),
    },
    media_attachments: view.media.map((m) => toMediaAttachment(m, false, ctx)),
  };
}
