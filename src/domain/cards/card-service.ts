// Link previews: a status's first link (links.ts) gets the card of its page, fetched once for
// the whole server. The pipeline:
//
//   status created or edited (a domain event, in the process that stored it)
//     → a job on the durable `cards` queue (remote posts: after a random delay, so that a link
//       many servers deliver at once is not fetched by all of them in the same second)
//     → the worker links the status to the card row of its URL (one row per URL, server-wide)
//     → if the card is due (new, or past its TTL) ONE fetch happens: in this process, concurrent
//       jobs for the URL share one promise; across processes, the card row's lease (a conditional
//       UPDATE only one caller wins) decides who fetches, and the others find the card ready
//       (their status is already linked, so the fetcher tells them) or check again once the
//       lease would have run out
//     → the outcome is stored (ready for CARD_TTL_MS, failed for FAILURE_TTL_MS: a dead page is
//       asked again hours later, not on every post) and every status showing the card is
//       announced with `status.updated`, which streaming sends as `status.update`.
//
// Fetching never happens inside a request: a page that does not answer holds up one job slot
// for at most the fetcher's deadlines (page-fetch.ts), never a post.
import { getLogger } from "@logtape/logtape";
import type { Stores } from "../../store/stores.ts";
import type { PreviewCardRow, CardContent } from "../../store/cards.ts";
import type { EventBus } from "../events.ts";
import type { CardsConfig } from "../../config/cards-config.ts";
import { newId } from "../../util/ids.ts";
import { firstPreviewableLink } from "./links.ts";
import { cardContent } from "./oembed.ts";
import { CardFetchError, type CardPageFetcher } from "./page-fetch.ts";

const logger = getLogger(["skein", "cards"]);

export const CARDS_QUEUE = "cards";
/** A fetched card is fetched again after two weeks (Mastodon keeps them about as long). */
export const CARD_TTL_MS = 14 * 86_400_000;
/** A page that gave no card is asked again after this long. */
export const FAILURE_TTL_MS = 6 * 3600_000;
/** How long a claim to fetch a card holds (longer than a page and its oEmbed may take). */
const LEASE_MS = 90_000;
/** A job that found the card being fetched elsewhere looks again this many times at most. */
const MAX_RECHECKS = 3;
/** A card no status shows is kept this long (a post linking it again soon finds it ready). */
const UNUSED_KEEP_MS = 86_400_000;
/** Statuses told about a new card at once (the newest; older ones show it on their next load). */
const ANNOUNCE_LIMIT = 1000;

export interface CardJob {
  statusId: string;
  /** How many times this job found another process fetching the card. */
  recheck?: number;
}

export interface CardJobSink {
  enqueue(queue: string, payloads: readonly unknown[], options?: { delayMs?: number }): Promise<void>;
}

export interface CardServiceOptions {
  stores: Stores;
  events: EventBus;
  /** This server's host: its own pages are not previewed. */
  localHost: string;
  config: CardsConfig;
}

export class CardService {
  /** Where jobs go (set by server/context.ts); null: no cards are made (unit worlds). */
  jobs: CardJobSink | null = null;
  /** Set while this process runs the `cards` queue (server/card-queue.ts). */
  fetcher: CardPageFetcher | null = null;
  /** The blurhash of a ready card's image (card-image.ts, through the media cache); null: none. */
  imageBlurhash: ((cardId: string) => Promise<string | null>) | null = null;
  /** Who holds a lease (this process). */
  readonly owner = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  private readonly options: CardServiceOptions;
  private readonly inFlight = new Map<string, Promise<"fetched" | "busy" | "fresh">>();

  constructor(options: CardServiceOptions) {
    this.options = options;
    // Statuses are created and edited by many services (local posts, federation, scheduled
    // posts…); their events are the one place all of them pass.
    options.events.subscribe((event) => {
      if (event.type === "status.created" || event.type === "status.updated") return this.statusChanged(event.statusId, event.type === "status.created");
    });
  }

  private get stores(): Stores {
    return this.options.stores;
  }

  /** Queues a job when the status's first link is not the one its card is for. */
  async statusChanged(statusId: string, created = false): Promise<void> {
    if (!this.jobs || !this.options.config.enabled) return;
    const status = await this.stores.statuses.byId(statusId);
    if (!status || status.reblog_of_id) return;
    const url = firstPreviewableLink(status.content, this.options.localHost);
    // A new status without a link (most of them) has no card to take away: no second query.
    if (url === null && created) return;
    const cardId = await this.stores.cards.cardIdOfStatus(statusId);
    if (url === null && cardId === null) return;
    if (url !== null && cardId !== null && (await this.stores.cards.byId(cardId))?.url === url) return;
    const delayMs = status.local === 1 ? 0 : Math.round(Math.random() * this.options.config.remoteDelayMaxMs);
    await this.jobs.enqueue(CARDS_QUEUE, [{ statusId } satisfies CardJob], { delayMs });
  }

  /** One job of the `cards` queue. Throws only for our own trouble (the database): the queue retries. */
  async handleJob(payload: unknown): Promise<void> {
    const job = payload as CardJob;
    if (typeof job?.statusId !== "string") return;
    const status = await this.stores.statuses.byId(job.statusId);
    if (!status || status.reblog_of_id) return;
    const url = firstPreviewableLink(status.content, this.options.localHost);
    const previous = await this.stores.cards.cardIdOfStatus(status.id);
    if (url === null) {
      // The edit took the link out: the card goes.
      if (previous !== null && (await this.stores.cards.unlink(status.id))) this.announce([status.id]);
      return;
    }
    const now = new Date().toISOString();
    let card = await this.stores.cards.ensure(newId(), url, now);
    const changed = previous !== card.id;
    if (changed && !(await this.stores.cards.link(status.id, card.id, now))) return;
    const outcome = await this.refresh(card);
    if (outcome === "fetched") return;
    card = (await this.stores.cards.byId(card.id)) ?? card;
    if (card.state === "ready") {
      if (changed || job.recheck) this.announce([status.id]);
      return;
    }
    if (changed && previous !== null) this.announce([status.id]);
    if (outcome === "busy" && (job.recheck ?? 0) < MAX_RECHECKS && this.jobs) {
      // Another process holds the lease: it announces our status when it is done; should it die,
      // this look after its lease ends fetches the card instead.
      const leaseLeft = card.lease_until ? Date.parse(card.lease_until) - Date.now() : 0;
      await this.jobs.enqueue(CARDS_QUEUE, [{ statusId: status.id, recheck: (job.recheck ?? 0) + 1 } satisfies CardJob], { delayMs: Math.max(1000, leaseLeft + 1000) });
    }
  }

  /** Fetches the card if it is due and nobody else is fetching it; one fetch per URL per process at a time. */
  private refresh(card: PreviewCardRow): Promise<"fetched" | "busy" | "fresh"> {
    const now = Date.now();
    const due = card.state === "pending" || card.expires_at === null || Date.parse(card.expires_at) <= now;
    if (!due) return Promise.resolve("fresh");
    const running = this.inFlight.get(card.url);
    if (running) return running.then((outcome) => (outcome === "fetched" ? "busy" : outcome));
    const flight = (async () => {
      const claimed = await this.stores.cards.claim(card.id, this.owner, new Date(now).toISOString(), new Date(now + LEASE_MS).toISOString());
      if (!claimed) return "busy" as const;
      await this.fetchAndStore(card);
      return "fetched" as const;
    })().finally(() => this.inFlight.delete(card.url));
    this.inFlight.set(card.url, flight);
    return flight;
  }

  private async fetchAndStore(card: PreviewCardRow): Promise<void> {
    const fetcher = this.fetcher;
    if (!fetcher) {
      await this.stores.cards.release(card.id, this.owner);
      throw new Error("this process does not fetch link previews (the cards queue is not running here)");
    }
    let content: CardContent | null = null;
    let error: string | null = null;
    try {
      const page = await fetcher.fetchPage(card.url);
      const oembed = page.metadata.oembedUrl ? await fetcher.fetchOembed(page.metadata.oembedUrl).catch((e: Error) => (logger.debug("No oEmbed for {url}: {error}", { url: card.url, error: e.message }), null)) : null;
      const made = cardContent(page.url, page.metadata, oembed);
      // Mastodon's rule: a page with neither a title nor an embed makes no card.
      if (made.title === "" && made.html === "") error = "the page has no title";
      else {
        content = made;
        if (page.metadata.creator) content.author_account_id = await this.creatorAccount(page.metadata.creator);
      }
    } catch (e) {
      if (!(e instanceof CardFetchError)) {
        await this.stores.cards.release(card.id, this.owner).catch(() => {});
        throw e;
      }
      error = e.message;
    }
    const now = new Date();
    const ready = content !== null;
    await this.stores.cards.finish(card.id, this.owner, {
      // A refresh that fails keeps the card it had (asked again after FAILURE_TTL_MS).
      state: ready || card.state === "ready" ? "ready" : "failed",
      content: content ?? { ...emptyContent(card) },
      lastError: error?.slice(0, 500) ?? null,
      now: now.toISOString(),
      expiresAt: new Date(now.getTime() + (ready ? CARD_TTL_MS : FAILURE_TTL_MS)).toISOString(),
    });
    if (!ready) {
      logger.debug("No card for {url}: {error}", { url: card.url, error });
      return;
    }
    if (content?.image_url && this.imageBlurhash) {
      const hash = await this.imageBlurhash(card.id);
      if (hash) await this.stores.cards.setBlurhash(card.id, hash);
    }
    this.announce(await this.stores.cards.statusIdsOf(card.id, ANNOUNCE_LIMIT));
  }

  /**
   * Removes cards no status shows any more (deleted, pruned or edited statuses leave them) once
   * they have been unused for a day, a batch at a time; the scheduler calls it hourly.
   */
  async sweep(now: Date = new Date()): Promise<number> {
    let removed = 0;
    for (let batch = 0; batch < 20; batch++) {
      const n = await this.stores.cards.deleteUnused(new Date(now.getTime() - UNUSED_KEEP_MS).toISOString(), now.toISOString(), 500);
      removed += n;
      if (n < 500) break;
    }
    return removed;
  }

  /** The stored account a `fediverse:creator` handle names (this server's or a known remote one), or null. */
  private async creatorAccount(handle: string): Promise<string | null> {
    const [username, domain] = handle.split("@");
    const local = domain.toLowerCase() === this.options.localHost.toLowerCase();
    const account = await this.stores.accounts.byUsername(username, local ? null : domain.toLowerCase());
    return account && !account.suspended_at ? account.id : null;
  }

  private announce(statusIds: readonly string[]): void {
    for (const statusId of statusIds) this.options.events.publish({ type: "status.updated", statusId });
  }
}

/** A failed card keeps what it showed before (a refresh that fails does not blank a good card). */
function emptyContent(card: PreviewCardRow): CardContent {
  const { id: _i, url: _u, state: _s, lease_owner: _o, lease_until: _l, fetched_at: _f, expires_at: _e, last_error: _r, created_at: _c, updated_at: _d, ...content } = card;
  return content;
}
