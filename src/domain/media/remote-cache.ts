// The remote-media cache: other servers' attachments, avatars, headers and emojis, shown through
// Skein's own URLs (proxy-urls.ts) and kept in the media storage under cache/original/… and
// cache/small/… within a HARD byte budget (REMOTE_MEDIA_CACHE_MAX).
//
// The budget is held in the database, so it holds across processes: before a file is stored, its
// bytes are reserved on the one accounting row with a conditional UPDATE (`used + n <= budget`,
// atomic on both engines). When they do not fit, whole copies are evicted — the least recently
// viewed originals first, previews only when no original is left (previews are what timelines
// show, a few dozen KB each, while an original is opened by the few who click it and weighs ten
// to a hundred times more: one evicted original makes room for many previews). An eviction takes
// the row first (one process wins it), deletes the file, and only then gives the bytes back, so
// the count is never below what is on disk; a copy is counted before its file is written. A file
// larger than the whole budget, or one that cannot be admitted, is served from a temporary file
// and not kept. Evicted files are fetched again on their next view.
//
// Concurrent views of one uncached file cause one fetch in a process (an in-process map of
// fetches in flight); two processes may both fetch it, but the row is claimed by one of them
// (ready = 0 until the file is whole) and the other gives its reservation back, so bytes are never
// counted twice. Views touch last_viewed_at at most once a minute per file, in batches.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import type { Readable } from "node:stream";
import { getLogger } from "@logtape/logtape";
import type { Config } from "../../config/config.ts";
import type { Stores } from "../../store/stores.ts";
import type { CacheVariant, RemoteSource } from "../../store/media/cache.ts";
import type { MediaStorage } from "../../storage/media-storage.ts";
import { CONTENT_TYPES } from "../../storage/keys.ts";
import { sniffFile } from "../../media/sniff.ts";
import { Semaphore } from "../../media/gate.ts";
import { MediaError, type OutputFile } from "../../media/types.ts";
import type { DomainPolicy } from "../moderation/domain-policy.ts";
import { mediaMayBeFetched, mediaUrlMayBeFetched } from "../moderation/media-policy.ts";
import { notFound } from "../errors.ts";
import { RemoteFetchError, RemoteMediaFetcher } from "./remote-fetch.ts";
import { ProxySigner } from "./proxy-urls.ts";
import type { ProxiedKind } from "./media-urls.ts";
import type { MediaUsage } from "./usage.ts";

const logger = getLogger(["skein", "media", "cache"]);

/** A view touches last_viewed_at at most this often per file. */
const TOUCH_EVERY_MS = 60_000;
/** Touches are written in one UPDATE this long after the first one waiting. */
const TOUCH_FLUSH_MS = 5_000;
/** A failed fetch is not tried again for this long (a dead origin costs one fetch a minute, not one per view). */
const FAILURE_MEMORY_MS = 60_000;
const EVICTION_BATCH = 32;
/** A copy still "being stored" after this long was left by a process that died. */
const ABANDONED_CLAIM_MS = 10 * 60_000;
/** Remote files fetched at once by one process (more views wait their turn). */
const CONCURRENT_FETCHES = 8;

/** Makes a preview of a remote image (media/ pipeline); the file it writes in `workDir`. */
export type RemotePreviewMaker = (inputPath: string, workDir: string) => Promise<OutputFile>;

/** What the proxy answers: a redirect to the stored object (S3), or a file to stream. */
export type ProxyAnswer =
  | { redirect: string; contentType: string; bytes: number; cached: true; variant: CacheVariant }
  | {
      contentType: string;
      /** The whole file's size. */
      size: number;
      etag: string;
      lastModified: Date;
      cached: boolean;
      variant: CacheVariant;
      /** The bytes (a range of them: start and end inclusive, within size). */
      open(range?: { start: number; end: number }): Promise<Readable>;
      /** Call once the response is over, opened or not (removes a temporary file). */
      done(): void;
    };

export interface RemoteCacheOptions {
  stores: Stores;
  config: Pick<Config, "environment" | "testHosts" | "origin" | "media">;
  /** Moderation's domain policy (a function: it is made with the other services). */
  policy: () => DomainPolicy;
  /** The media storage (a function: it is set up after the services). */
  storage: () => MediaStorage;
  previews: RemotePreviewMaker;
  usage?: MediaUsage;
  /** Overrides config.media.remoteCacheMaxBytes (the benchmark). */
  budgetBytes?: number;
  /** Where fetched files wait (default: the system's temporary folder). */
  workDir?: string;
  /** Called after each admission (the benchmark measures bytes on disk there). */
  onAdmitted?: (key: string, bytes: number) => Promise<void> | void;
}

interface Filled {
  /** Stored in the cache under this key (null: not kept). */
  key: string | null;
  /** The fetched (or preview) file, kept until the last view waiting for it is answered. */
  file: string;
  contentType: string;
  bytes: number;
  users: number;
}

export class RemoteMediaCache {
  readonly signer: ProxySigner;
  readonly fetcher: RemoteMediaFetcher;
  /** Counters since the process started (the benchmark and logs read them). */
  readonly counters = { hits: 0, fetches: 0, bytesFetched: 0, admitted: 0, evicted: 0, bytesEvicted: 0, notCached: 0, reserveMs: 0, reserves: 0 };
  private readonly options: RemoteCacheOptions;
  private readonly inFlight = new Map<string, Promise<Filled>>();
  private readonly failures = new Map<string, { until: number; error: Error }>();
  private readonly touchedAt = new Map<string, number>();
  private pendingTouches = new Set<string>();
  private touchTimer: NodeJS.Timeout | null = null;
  private workDirReady: Promise<string> | null = null;
  private shrinking: Promise<void> = Promise.resolve();
  private readonly fetchGate = new Semaphore(CONCURRENT_FETCHES);

  constructor(options: RemoteCacheOptions) {
    this.options = options;
    this.signer = new ProxySigner(options.config.origin);
    this.fetcher = new RemoteMediaFetcher(options.config, { mayFetch: (url) => mediaUrlMayBeFetched(options.policy(), url) });
  }

  get budget(): number {
    return this.options.budgetBytes ?? this.options.config.media.remoteCacheMaxBytes;
  }

  private get stores(): Stores {
    return this.options.stores;
  }

  /** What the cache holds now against its budget: one row read (the accounting row), cheap enough for a dashboard. */
  async usage(): Promise<{ usedBytes: number; budgetBytes: number }> {
    return { usedBytes: await this.stores.mediaCache.usedBytes(), budgetBytes: this.budget };
  }

  /** Loads the proxy's secret; brings the cache within its budget if the budget was lowered. */
  async start(): Promise<void> {
    await this.signer.load(this.stores);
    // A lowered REMOTE_MEDIA_CACHE_MAX: evict down to it in the background (close() waits for it).
    if ((await this.stores.mediaCache.usedBytes()) > this.budget) {
      this.shrinking = this.admit(0).then(
        () => {},
        (error) => logger.warn("Could not bring the media cache within its budget: {error}", { error }),
      );
    }
  }

  /** Writes pending touches; frees the fetcher's connections. */
  async close(): Promise<void> {
    await this.shrinking;
    await this.flushTouches().catch(() => {});
    await this.fetcher.close();
    // This process's temporary files (its own folder) go with it.
    if (this.workDirReady && !this.options.workDir) await fs.promises.rm(await this.workDirReady, { recursive: true, force: true }).catch(() => {});
  }

  /**
   * The file a proxied URL names, from the cache or fetched now. `digest` is the URL's `u`: it must
   * name the row's current remote file. Not found (or not to be shown): DomainError not_found; the
   * origin failed or sent something that is not media: RemoteFetchError.
   */
  async serve(kind: ProxiedKind, id: string, variant: CacheVariant, digest: string | null): Promise<ProxyAnswer> {
    const fetchUrl = await this.sourceFor(kind, id, variant, digest);
    const row = await this.stores.mediaCache.findReady(fetchUrl, variant);
    if (row) {
      const answer = await this.storedAnswer(row.key, row.content_type, variant, row.bytes, fetchUrl);
      if (answer) {
        this.counters.hits++;
        this.touch(row.key);
        return answer;
      }
      // The row outlived its file (deleted by hand, a lost disk): forget it and fetch again.
      await this.forget(row.key);
    }
    const filled = await this.fill(fetchUrl, variant);
    if (filled.key) {
      const answer = await this.storedAnswer(filled.key, filled.contentType, variant, filled.bytes, fetchUrl);
      if (answer) {
        this.releaseFilled(filled);
        return answer;
      }
      // Evicted between its admission and this view (a tight budget, many views at once): the
      // fetched file is still here, so it is served from there.
    }
    // Served from the temporary file, which the last response using it removes.
    const file = filled.file;
    let released = false;
    const done = () => {
      if (released) return;
      released = true;
      this.releaseFilled(filled);
    };
    const etag = `"t${crypto.createHash("sha256").update(`${variant} ${fetchUrl}`).digest("hex").slice(0, 24)}"`;
    return {
      contentType: filled.contentType,
      size: filled.bytes,
      etag,
      lastModified: new Date(),
      cached: false,
      variant,
      open: async (range) => fs.createReadStream(file, range ? { start: range.start, end: range.end } : {}),
      done,
    };
  }

  private async storedAnswer(key: string, contentType: string, variant: CacheVariant, bytes: number, fetchUrl: string): Promise<ProxyAnswer | null> {
    const storage = this.options.storage();
    // The bucket (or its CDN) serves the bytes; no request to it here (a HEAD is billed too).
    if (storage.driver === "s3") return { redirect: storage.publicUrl(key), contentType, bytes, cached: true, variant };
    const info = await storage.head(key);
    if (!info) return null;
    let refilled: Filled | null = null;
    return {
      contentType,
      size: info.size,
      etag: info.etag,
      lastModified: info.lastModified,
      cached: true,
      variant,
      open: async (range) => {
        const opened = await storage.open(key, range);
        if (opened) return opened.stream;
        // Evicted between the check and the read (a tight budget under many views): fetched
        // again, and these bytes served from the fetched file, which is the same file.
        refilled = await this.fill(fetchUrl, variant);
        if (refilled.bytes !== info.size) throw new RemoteFetchError("the file changed at its origin while it was being served");
        return fs.createReadStream(refilled.file, range ? { start: range.start, end: range.end } : {});
      },
      done: () => {
        if (refilled) this.releaseFilled(refilled);
        refilled = null;
      },
    };
  }

  /** The remote URL whose bytes make this file, after every rule that may refuse it. */
  private async sourceFor(kind: ProxiedKind, id: string, variant: CacheVariant, digest: string | null): Promise<string> {
    if (!/^\d{1,20}$/.test(id)) throw notFound();
    const mediaCache = this.stores.mediaCache;
    let source: RemoteSource | null;
    let fetchUrl: string | null;
    const named: (string | null)[] = [];
    if (kind === "attachment") {
      const found = await mediaCache.attachmentSource(id);
      source = found;
      if (!found) throw notFound();
      named.push(found.url, found.previewUrl);
      // The preview of an image is made from the image; of a video, gifv or audio, from the poster the origin sent.
      fetchUrl = variant === "original" ? found.url : found.type === "image" ? found.url : found.previewUrl;
      if (found.type === "unknown") throw notFound();
    } else if (kind === "avatar" || kind === "header") {
      source = await mediaCache.accountSource(id, kind);
      fetchUrl = source?.url ?? null;
      named.push(fetchUrl);
    } else if (kind === "emoji") {
      source = await mediaCache.emojiSource(id);
      fetchUrl = source?.url ?? null;
      named.push(fetchUrl);
    } else if (kind === "card") {
      // A preview card's image (domain/cards): its host is its "domain" for the media policy.
      const card = await this.stores.cards.byId(id);
      fetchUrl = card?.image_url ?? null;
      source = fetchUrl ? { url: fetchUrl, domain: hostOf(fetchUrl), suspended: false, type: "image" } : null;
      named.push(fetchUrl);
    } else {
      throw notFound();
    }
    if (!source || !fetchUrl || source.suspended || source.domain === null) throw notFound();
    if (digest !== null && !named.some((u) => u !== null && ProxySigner.urlDigest(u) === digest)) throw notFound("This file has changed since the link was made");
    const policy = this.options.policy();
    if (!(await mediaMayBeFetched(policy, source.domain)) || !(await mediaUrlMayBeFetched(policy, fetchUrl))) throw notFound();
    return fetchUrl;
  }

  /** One fetch per (url, variant) at a time in this process; later views share its result. */
  private fill(fetchUrl: string, variant: CacheVariant): Promise<Filled> {
    const flightKey = `${variant} ${fetchUrl}`;
    const failed = this.failures.get(flightKey);
    if (failed && failed.until > Date.now()) return Promise.reject(failed.error);
    let flight = this.inFlight.get(flightKey);
    if (!flight) {
      flight = this.fetchAndStore(fetchUrl, variant)
        .catch((error: Error) => {
          // What the origin did is remembered; our own trouble (storage, database) is not.
          if (error instanceof RemoteFetchError) {
            if (this.failures.size > 10_000) this.failures.clear();
            this.failures.set(flightKey, { until: Date.now() + FAILURE_MEMORY_MS, error });
          }
          throw error;
        })
        .finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, flight);
    }
    // Each waiter holds the temporary file (if the result is one) until its response is over.
    return flight.then((filled) => {
      filled.users++;
      return filled;
    });
  }

  private releaseFilled(filled: Filled): void {
    if (--filled.users === 0) fs.promises.rm(filled.file, { force: true }).catch(() => {});
  }

  private async fetchAndStore(fetchUrl: string, variant: CacheVariant): Promise<Filled> {
    const dir = await this.workDir();
    const made: string[] = [];
    try {
      let output: { path: string; contentType: string; ext: string; size: number };
      const source = await this.sourceFile(fetchUrl, variant, dir);
      made.push(source.path);
      const sniffed = await sniffFile(source.path).catch(() => null);
      // Only images, video and audio are served from our origin: never HTML, SVG or scripts.
      if (!sniffed) throw new RemoteFetchError("the origin did not send an image, video or audio file", { refused: true });
      if (variant === "small") {
        if (sniffed.kind !== "image") throw new RemoteFetchError("a preview is made only from an image", { refused: true });
        let preview: OutputFile;
        try {
          preview = await this.options.previews(source.path, dir);
        } catch (error) {
          // A damaged or hostile image (a bomb, a truncated file) is the origin's fault, not ours.
          if (error instanceof MediaError) throw new RemoteFetchError(`no preview could be made: ${error.message}`, { refused: true });
          throw error;
        }
        made.push(preview.path);
        output = { path: preview.path, contentType: preview.contentType, ext: preview.ext, size: preview.size };
      } else {
        output = { path: source.path, contentType: CONTENT_TYPES[sniffed.ext] ?? sniffed.mime, ext: sniffed.ext, size: source.size };
      }
      const key = `cache/${variant}/${crypto.createHash("sha256").update(fetchUrl).digest("hex")}.${output.ext}`;
      const stored = await this.store(key, fetchUrl, variant, output);
      if (!stored) this.counters.notCached++;
      // The file stays until the last view waiting for it is answered (releaseFilled removes it).
      made.splice(made.indexOf(output.path), 1);
      return { key: stored ? key : null, file: output.path, contentType: output.contentType, bytes: output.size, users: 0 };
    } finally {
      for (const file of made) await fs.promises.rm(file, { force: true });
    }
  }

  /** The bytes to store or preview: the original from the cache when it is there, else fetched. */
  private async sourceFile(fetchUrl: string, variant: CacheVariant, dir: string): Promise<{ path: string; size: number }> {
    if (variant === "small") {
      const original = await this.stores.mediaCache.findReady(fetchUrl, "original");
      const opened = original ? await this.options.storage().open(original.key) : null;
      if (opened) {
        const file = path.join(dir, `orig-${crypto.randomBytes(8).toString("hex")}`);
        await fs.promises.writeFile(file, opened.stream);
        return { path: file, size: opened.size };
      }
    }
    // A few fetches at once per process: each may take up to 40 MiB of temporary disk and a minute.
    const fetched = await this.fetchGate.run(() => this.fetcher.fetchToFile(fetchUrl, dir));
    this.counters.fetches++;
    this.counters.bytesFetched += fetched.size;
    return fetched;
  }

  /** Admits and stores a copy; false when it is not kept (too large, no room, or another process stores it). */
  private async store(key: string, sourceUrl: string, variant: CacheVariant, output: { path: string; contentType: string; size: number }): Promise<boolean> {
    const mediaCache = this.stores.mediaCache;
    if (output.size > this.budget || !(await this.admit(output.size))) return false;
    const at = new Date().toISOString();
    const claim = () => mediaCache.insertPending({ key, sourceUrl, variant, contentType: output.contentType, bytes: output.size, at });
    let claimed = await claim();
    if (!claimed) {
      // A claim left "being stored" long ago belongs to a process that died mid-store: take it over.
      const existing = await mediaCache.byKey(key);
      if (existing && Number(existing.ready) === 0 && Date.parse(existing.created_at) < Date.now() - ABANDONED_CLAIM_MS) {
        await this.forget(key);
        claimed = await claim();
      }
    }
    if (!claimed) {
      // Another process claimed this copy first: its bytes are counted once, by its reservation.
      await mediaCache.release(output.size);
      return false;
    }
    try {
      const { size } = await this.options.storage().put(key, { file: output.path }, { contentType: output.contentType });
      if (size !== output.size) throw new Error(`stored ${size} bytes of a ${output.size}-byte file`);
      await mediaCache.markReady(key);
    } catch (error) {
      await this.options.storage().delete([key]).catch(() => {});
      const bytes = await mediaCache.deleteRow(key);
      if (bytes !== null) await mediaCache.release(bytes);
      throw error;
    }
    this.touchedAt.set(key, Date.now());
    this.counters.admitted++;
    await this.options.onAdmitted?.(key, output.size);
    return true;
  }

  /**
   * Reserves `bytes` of the budget, evicting least recently viewed copies until they fit. False
   * when the rest of the budget is held by copies other views are storing right now.
   */
  async admit(bytes: number): Promise<boolean> {
    const mediaCache = this.stores.mediaCache;
    const budget = this.budget;
    let waits = 0;
    for (let round = 0; round < 10_000; round++) {
      const started = performance.now();
      const reserved = bytes > 0 ? await mediaCache.reserve(bytes, budget) : (await mediaCache.usedBytes()) <= budget;
      this.counters.reserveMs += performance.now() - started;
      this.counters.reserves++;
      if (reserved) return true;
      await this.flushTouches();
      const need = (await mediaCache.usedBytes()) + bytes - budget;
      if (need <= 0) continue;
      let victims = await mediaCache.leastRecentlyViewed("original", EVICTION_BATCH);
      if (victims.length === 0) victims = await mediaCache.leastRecentlyViewed("small", EVICTION_BATCH);
      if (victims.length === 0) {
        // Everything counted is being stored right now by other views: wait a little, then give up.
        if (++waits > 5) return false;
        await new Promise((resolve) => setTimeout(resolve, 20 * waits));
        continue;
      }
      await this.evict(victims, need);
    }
    return false;
  }

  private async evict(victims: { key: string; bytes: number }[], need: number): Promise<void> {
    const mediaCache = this.stores.mediaCache;
    const claimed: string[] = [];
    let freed = 0;
    for (const victim of victims) {
      if (freed >= need) break;
      const bytes = await mediaCache.claimForEviction(victim.key);
      if (bytes === null) continue; // another process took it
      claimed.push(victim.key);
      freed += bytes;
    }
    if (claimed.length === 0) return;
    // The files go before their bytes are given back: the count never drops below the disk.
    await this.options.storage().delete(claimed);
    await mediaCache.release(freed);
    for (const key of claimed) this.touchedAt.delete(key);
    this.counters.evicted += claimed.length;
    this.counters.bytesEvicted += freed;
  }

  /** Drops a row (and its file) whatever it holds, giving its bytes back. */
  async forget(key: string): Promise<void> {
    const bytes = await this.stores.mediaCache.deleteRow(key);
    await this.options.storage().delete([key]);
    if (bytes !== null) await this.stores.mediaCache.release(bytes);
  }

  private touch(key: string): void {
    const now = Date.now();
    if (now - (this.touchedAt.get(key) ?? 0) < TOUCH_EVERY_MS) return;
    if (this.touchedAt.size > 100_000) this.touchedAt.clear();
    this.touchedAt.set(key, now);
    this.pendingTouches.add(key);
    if (!this.touchTimer) {
      this.touchTimer = setTimeout(() => {
        this.touchTimer = null;
        this.flushTouches().catch((error) => logger.warn("Could not record media views: {error}", { error }));
      }, TOUCH_FLUSH_MS);
      this.touchTimer.unref();
    }
  }

  async flushTouches(): Promise<void> {
    if (this.pendingTouches.size === 0) return;
    const keys = [...this.pendingTouches];
    this.pendingTouches = new Set();
    const at = new Date().toISOString();
    for (let i = 0; i < keys.length; i += 500) await this.stores.mediaCache.touch(keys.slice(i, i + 500), at);
  }

  private workDir(): Promise<string> {
    this.workDirReady ??= (async () => {
      const dir = this.options.workDir ?? path.join(os.tmpdir(), `skein-media-cache-${process.pid}`);
      await fs.promises.mkdir(dir, { recursive: true });
      return dir;
    })();
    return this.workDirReady;
  }
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}
