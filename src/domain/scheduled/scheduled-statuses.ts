// Scheduled statuses (Mastodon's `scheduled_at`): a post checked now, kept with its parameters,
// and published at its time through the same StatusService.create as any post, so media, polls,
// mentions, notifications and federation all apply.
//
// Durability: the row is the schedule. The scheduler's sweep (server/scheduler.ts) looks for
// due rows in the database, so a restart loses none; each is claimed with a conditional UPDATE
// (a lease of LEASE_MS), so of several processes exactly one publishes it; and publication uses
// an idempotency key of the row's own, so a process that dies between creating the status and
// deleting the row is followed by a retry that finds the status already made — never a second
// one. Rules as Mastodon's: at least 5 minutes ahead, at most 300 scheduled per account and 25
// on one (UTC) day; the uploads of a scheduled post are reserved for it until then.
import { getLogger } from "@logtape/logtape";
import type { Config } from "../../config/config.ts";
import type { Stores } from "../../store/stores.ts";
import type { ScheduledStatusRow } from "../../store/scheduled-statuses.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { ApplicationRow } from "../../store/oauth.ts";
import type { MediaRow } from "../../store/media/attachments.ts";
import type { PageRequest } from "../../store/pagination.ts";
import type { Visibility } from "../../db/schema.ts";
import { DomainError, notFound, validationFailed } from "../errors.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { checkLanguage, VISIBILITIES, type NewStatus, type StatusService } from "../statuses/status-service.ts";
import { checkPoll } from "../polls/poll-drafts.ts";
import { LIMITS } from "../instance/instance-service.ts";
import type { MediaService } from "../media/media-service.ts";
import type { QuoteInput } from "../quotes/quote-service.ts";

const logger = getLogger(["skein", "scheduled-statuses"]);

/** Mastodon's rules (ScheduledStatus::MINIMUM_OFFSET, TOTAL_LIMIT, DAILY_LIMIT). */
export const SCHEDULED_MIN_OFFSET_MS = 5 * 60_000;
export const SCHEDULED_TOTAL_LIMIT = 300;
export const SCHEDULED_DAILY_LIMIT = 25;
/** Nobody needs a post scheduled further than this; it bounds the input. */
const MAX_AHEAD_MS = 5 * 366 * 24 * 3600_000;
/** How long a sweep holds a due row while publishing it; a crash frees it after this. */
const LEASE_MS = 2 * 60_000;
/** Statuses published by one sweep at most (the next sweep takes the rest). */
const MAX_PER_SWEEP = 500;

/** What a scheduled status will be made of (stored as JSON; defaults already applied). */
export interface ScheduledParams {
  text: string;
  spoiler_text: string;
  sensitive: boolean;
  visibility: Visibility;
  language: string | null;
  in_reply_to_id: string | null;
  media_ids: string[];
  poll: { options: string[]; expires_in: number; multiple: boolean; hide_totals: boolean } | null;
  idempotency: string | null;
  allowed_mentions: string[] | null;
  /** quoted_status_id and the interaction policies (domain/quotes), checked when it is published. */
  quote?: QuoteInput | null;
}

export interface ScheduledStatusView {
  row: ScheduledStatusRow;
  params: ScheduledParams;
  media: MediaRow[];
}

export class ScheduledStatusService {
  private readonly stores: Stores;
  private readonly config: Config;
  private readonly statuses: StatusService;
  private readonly media: Pick<MediaService, "forStatus">;

  constructor(stores: Stores, config: Config, statuses: StatusService, media: Pick<MediaService, "forStatus">) {
    this.stores = stores;
    this.config = config;
    this.statuses = statuses;
    this.media = media;
  }

  /**
   * Checks the post as POST /api/v1/statuses would and keeps it for `scheduledAt` (ISO 8601).
   * The same idempotency key gives back the row it made the first time.
   */
  async schedule(author: AccountRow, input: NewStatus, app: ApplicationRow | null, defaults: { visibility: Visibility; sensitive: boolean; language: string | null }, scheduledAtText: string): Promise<ScheduledStatusView> {
    if (input.idempotencyKey) {
      const earlier = await this.stores.scheduledStatuses.byIdempotencyKey(author.id, input.idempotencyKey);
      if (earlier) return (await this.views([earlier]))[0];
    }
    const scheduledAt = checkScheduledAt(scheduledAtText, new Date());
    await this.checkLimits(author.id, scheduledAt, null);

    const text = input.text ?? "";
    const spoilerText = input.spoilerText ?? "";
    const mediaIds = input.media?.ids ?? [];
    const media = mediaIds.length ? await this.media.forStatus(author, { ids: mediaIds }) : [];
    if (text.trim() === "" && media.length === 0) throw validationFailed("Validation failed: Text can't be blank");
    if ([...text].length + [...spoilerText].length > LIMITS.statusCharacters) {
      throw validationFailed(`Validation failed: Text character limit of ${LIMITS.statusCharacters} exceeded`);
    }
    const visibility = input.visibility ?? defaults.visibility;
    if (!VISIBILITIES.includes(visibility)) throw validationFailed("Validation failed: Visibility is not included in the list");
    const language = checkLanguage(input.language === undefined ? defaults.language : input.language);
    // The poll's duration counts from publication; its options and bounds are checked now.
    if (input.poll) checkPoll(input.poll, this.config.polls.minExpirationSeconds);
    if (input.inReplyToId) {
      const parent = await this.stores.statuses.readableById(input.inReplyToId, author.id);
      if (!parent || parent.reblog_of_id) throw notFound("The status you are replying to does not exist or is not visible to you");
    }

    const params: ScheduledParams = {
      text,
      spoiler_text: spoilerText,
      sensitive: input.sensitive ?? (spoilerText !== "" || defaults.sensitive),
      visibility,
      language,
      in_reply_to_id: input.inReplyToId ?? null,
      media_ids: media.map((m) => m.id),
      poll: input.poll ? { options: input.poll.options, expires_in: input.poll.expiresIn ?? 0, multiple: input.poll.multiple === true, hide_totals: input.poll.hideTotals === true } : null,
      idempotency: input.idempotencyKey ?? null,
      allowed_mentions: input.allowedMentions ?? null,
      quote: input.quote ?? null,
    };
    const row: ScheduledStatusRow = {
      id: newId(),
      account_id: author.id,
      application_id: app?.id ?? null,
      scheduled_at: scheduledAt,
      params: JSON.stringify(params),
      idempotency_key: input.idempotencyKey ?? null,
      claimed_until: null,
      created_at: nowIso(),
    };
    await this.stores.transaction(async (tx) => {
      await tx.scheduledStatuses.insert(row);
      // Reserved in the same transaction: another post taking one meanwhile refuses this one.
      if ((await tx.scheduledStatuses.reserveMedia(row.id, author.id, params.media_ids)) !== params.media_ids.length) {
        throw validationFailed("Validation failed: Media not found or already attached to another post");
      }
    });
    return (await this.views([row]))[0];
  }

  async list(account: AccountRow, page: PageRequest): Promise<ScheduledStatusView[]> {
    return this.views(await this.stores.scheduledStatuses.page(account.id, page));
  }

  async get(account: AccountRow, id: string): Promise<ScheduledStatusView> {
    const row = await this.stores.scheduledStatuses.byId(account.id, id);
    if (!row) throw notFound();
    return (await this.views([row]))[0];
  }

  /** PUT: only the time changes, under the same rules as when it was scheduled. */
  async reschedule(account: AccountRow, id: string, scheduledAtText: string): Promise<ScheduledStatusView> {
    await this.get(account, id);
    const scheduledAt = checkScheduledAt(scheduledAtText, new Date());
    await this.checkLimits(account.id, scheduledAt, id);
    if (!(await this.stores.scheduledStatuses.reschedule(account.id, id, scheduledAt))) throw notFound();
    return this.get(account, id);
  }

  /** DELETE: the post will not be published; its uploads are unattached again. */
  async cancel(account: AccountRow, id: string): Promise<void> {
    const row = await this.stores.scheduledStatuses.byId(account.id, id);
    if (!row) throw notFound();
    await this.drop(row.id);
  }

  /** The sweep: publishes every due scheduled status this process can claim; returns how many it handled. */
  async publishDue(now = new Date()): Promise<number> {
    let handled = 0;
    while (handled < MAX_PER_SWEEP) {
      const nowText = now.toISOString();
      const due = await this.stores.scheduledStatuses.dueIds(nowText, 50);
      if (due.length === 0) break;
      let claimedAny = false;
      for (const id of due) {
        const row = await this.stores.scheduledStatuses.claim(id, nowText, new Date(now.getTime() + LEASE_MS).toISOString());
        if (!row) continue; // another process has it
        claimedAny = true;
        handled++;
        await this.publish(row);
      }
      if (!claimedAny) break;
    }
    return handled;
  }

  private async publish(row: ScheduledStatusRow): Promise<void> {
    const params = JSON.parse(row.params) as ScheduledParams;
    const author = await this.stores.accounts.byId(row.account_id);
    if (!author || author.suspended_at) {
      await this.drop(row.id);
      return;
    }
    const app = row.application_id ? ((await this.stores.oauth.applicationById(row.application_id)) ?? null) : null;
    try {
      await this.statuses.create(
        author,
        {
          text: params.text,
          spoilerText: params.spoiler_text,
          sensitive: params.sensitive,
          visibility: params.visibility,
          language: params.language,
          inReplyToId: params.in_reply_to_id,
          // The row's own key: a retry after a crash finds the status made the first time.
          idempotencyKey: `scheduled-status:${row.id}`,
          poll: params.poll ? { options: params.poll.options, expiresIn: params.poll.expires_in, multiple: params.poll.multiple, hideTotals: params.poll.hide_totals } : null,
          media: params.media_ids.length ? { ids: params.media_ids, reservedFor: row.id } : null,
          allowedMentions: params.allowed_mentions,
          quote: params.quote ?? undefined,
        },
        app,
        { visibility: params.visibility, sensitive: params.sensitive, language: params.language },
      );
    } catch (error) {
      // What can no longer be posted (the replied-to post is gone, a mention is not allowed…)
      // is dropped, as Mastodon does; anything else is retried once the lease runs out.
      if (!(error instanceof DomainError)) throw error;
      logger.warn("Scheduled status {id} of account {account} could not be published: {error}", { id: row.id, account: row.account_id, error: error.message });
    }
    await this.drop(row.id);
  }

  private async drop(id: string): Promise<void> {
    await this.stores.transaction(async (tx) => {
      await tx.scheduledStatuses.releaseMedia(id);
      await tx.scheduledStatuses.delete(id);
    });
  }

  private async checkLimits(accountId: string, scheduledAt: string, exceptId: string | null): Promise<void> {
    const day = scheduledAt.slice(0, 10);
    const next = new Date(Date.parse(`${day}T00:00:00.000Z`) + 24 * 3600_000).toISOString();
    const { total, onDay } = await this.stores.scheduledStatuses.counts(accountId, `${day}T00:00:00.000Z`, next, exceptId);
    if (total >= SCHEDULED_TOTAL_LIMIT) throw validationFailed(`Validation failed: You have exceeded the limit of ${SCHEDULED_TOTAL_LIMIT} scheduled posts`);
    if (onDay >= SCHEDULED_DAILY_LIMIT) throw validationFailed(`Validation failed: You have exceeded the limit of ${SCHEDULED_DAILY_LIMIT} scheduled posts for that day`);
  }

  private async views(rows: readonly ScheduledStatusRow[]): Promise<ScheduledStatusView[]> {
    const media = await this.stores.scheduledStatuses.mediaOf(rows.map((r) => r.id));
    return rows.map((row) => {
      const params = JSON.parse(row.params) as ScheduledParams;
      // In the order the post will have them.
      const byId = new Map((media.get(row.id) ?? []).map((m) => [m.id, m]));
      return { row, params, media: params.media_ids.map((id) => byId.get(id)).filter((m): m is MediaRow => m !== undefined) };
    });
  }
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** `scheduled_at` as an ISO time at least 5 minutes after `now` (and not absurdly far). */
export function checkScheduledAt(text: string, now: Date): string {
  const time = ISO_8601.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (!Number.isFinite(time)) throw validationFailed("Validation failed: Scheduled at is not a valid ISO 8601 date and time");
  if (time < now.getTime() + SCHEDULED_MIN_OFFSET_MS) throw validationFailed("Scheduled time must be at least 5 minutes into the future");
  if (time > now.getTime() + MAX_AHEAD_MS) throw validationFailed("Validation failed: Scheduled at is too far into the future");
  return new Date(time).toISOString();
}
