// Media settings (read by config.ts, which alone reads the environment):
//   S3_BUCKET                 set: media go to this S3-compatible bucket; unset: DATA_DIR/media
//   S3_ENDPOINT               https://s3.example (default: AWS for S3_REGION)
//   S3_REGION                 default us-east-1
//   S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY
//   S3_ALIAS_HOST             files.social.example: the host (a CDN) clients fetch objects from
//   S3_FORCE_PATH_STYLE       true: https://endpoint/bucket/key (MinIO, s3rver, Garage …)
//   REMOTE_MEDIA_CACHE_MAX    the remote-media cache's hard budget, like "20GB" (default 10GB)
//   COST_STORAGE_GB_MONTH, COST_EGRESS_GB, COST_REQUESTS_10K   prices for `./skein cost` (USD)
//   FFMPEG_PATH               the ffmpeg binary (ffprobe beside it); default: ffmpeg on PATH
//   MEDIA_IMAGE_CONCURRENCY, MEDIA_FFMPEG_CONCURRENCY   images decoded / transcodes at once per process (1-4, default 1)
//   MEDIA_PRUNE_INTERVAL      test-only: seconds between sweeps of unattached uploads (default hourly)

export interface S3Config {
  bucket: string;
  endpoint: string | null;
  region: string;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  aliasHost: string | null;
  forcePathStyle: boolean;
}

export interface MediaConfig {
  /** Local media live in DATA_DIR/media; null s3: local. */
  s3: S3Config | null;
  /** Bytes the remote-media cache may hold, never more. */
  remoteCacheMaxBytes: number;
  /** Prices the cost report projects with (USD). */
  prices: { storageGbMonth: number; egressGb: number; requestsPer10k: number };
  /** The media pipeline's tools and bounds (src/media/, configureMediaPipeline()). */
  pipeline: { ffmpegPath: string | null; imageConcurrency: number; ffmpegConcurrency: number };
  /**
   * How often the scheduler removes uploads left unattached for a day: hourly, as Mastodon does.
   * Test-only: MEDIA_PRUNE_INTERVAL (seconds, fractions allowed; needs SKEIN_ENV=test).
   */
  pruneIntervalMs: number;
}

const UNITS: Record<string, number> = { "": 1, B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3, TIB: 1024 ** 4 };

/** "20GB", "512 MiB", "1000000" → bytes; a string with the reason when it is not a size. */
export function parseByteSize(text: string): number | string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$/i.exec(text);
  if (!m) return `a size is written like "20GB" or "512MiB" (got "${text.slice(0, 40)}")`;
  const bytes = Math.floor(Number(m[1]) * UNITS[(m[2] ?? "").toUpperCase()]);
  return Number.isSafeInteger(bytes) ? bytes : `the size "${text.slice(0, 40)}" is too large`;
}

export function loadMediaConfig(env: Record<string, string | undefined>, problems: string[]): MediaConfig {
  const get = (name: string) => env[name]?.trim() || "";
  let s3: S3Config | null = null;
  const bucket = get("S3_BUCKET");
  if (bucket) {
    const endpoint = get("S3_ENDPOINT") || null;
    if (endpoint !== null && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) problems.push(`S3_ENDPOINT must be a URL like https://s3.example (got "${endpoint.slice(0, 80)}")`);
    const aliasHost = get("S3_ALIAS_HOST") || null;
    if (aliasHost !== null && !/^[a-z0-9.-]+(:\d+)?$/i.test(aliasHost)) problems.push(`S3_ALIAS_HOST must be a host name like files.social.example (got "${aliasHost.slice(0, 80)}")`);
    const pathStyle = get("S3_FORCE_PATH_STYLE").toLowerCase();
    if (pathStyle && !["true", "false", "1", "0"].includes(pathStyle)) problems.push(`S3_FORCE_PATH_STYLE must be true or false (got "${pathStyle}")`);
    s3 = {
      bucket,
      endpoint: endpoint?.replace(/\/$/, "") ?? null,
      region: get("S3_REGION") || "us-east-1",
      accessKeyId: get("S3_ACCESS_KEY_ID") || null,
      secretAccessKey: get("S3_SECRET_ACCESS_KEY") || null,
      aliasHost,
      forcePathStyle: pathStyle === "true" || pathStyle === "1",
    };
  }
  const cacheText = get("REMOTE_MEDIA_CACHE_MAX") || "10GB";
  const cacheMax = parseByteSize(cacheText);
  if (typeof cacheMax === "string") problems.push(`REMOTE_MEDIA_CACHE_MAX: ${cacheMax}`);
  const price = (name: string, fallback: number) => {
    const text = get(name);
    if (!text) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) {
      problems.push(`${name} must be a price in USD like 0.023 (got "${text.slice(0, 40)}")`);
      return fallback;
    }
    return value;
  };
  const concurrency = (name: string) => {
    const text = get(name);
    if (!text) return 1;
    if (!/^[1-4]$/.test(text)) problems.push(`${name} must be 1, 2, 3 or 4 (got "${text.slice(0, 40)}")`);
    return /^[1-4]$/.test(text) ? Number(text) : 1;
  };
  const ffmpegPath = get("FFMPEG_PATH") || null;
  if (ffmpegPath !== null && !ffmpegPath.startsWith("/")) problems.push(`FFMPEG_PATH must be an absolute path to the ffmpeg binary (got "${ffmpegPath.slice(0, 80)}")`);
  let pruneIntervalMs = 3600_000;
  const pruneText = get("MEDIA_PRUNE_INTERVAL");
  if (pruneText) {
    const value = Number(pruneText);
    if ((env.SKEIN_ENV?.trim() || "production") !== "test") problems.push("MEDIA_PRUNE_INTERVAL is a test-only setting; it needs SKEIN_ENV=test");
    else if (!Number.isFinite(value) || value <= 0) problems.push(`MEDIA_PRUNE_INTERVAL must be a positive number of seconds (got "${pruneText.slice(0, 40)}")`);
    else pruneIntervalMs = value * 1000;
  }
  return {
    s3,
    remoteCacheMaxBytes: typeof cacheMax === "number" ? cacheMax : 0,
    // Defaults: AWS S3 Standard storage, internet egress and GET requests (us-east-1, 2026).
    prices: { storageGbMonth: price("COST_STORAGE_GB_MONTH", 0.023), egressGb: price("COST_EGRESS_GB", 0.09), requestsPer10k: price("COST_REQUESTS_10K", 0.004) },
    pipeline: { ffmpegPath, imageConcurrency: concurrency("MEDIA_IMAGE_CONCURRENCY"), ffmpegConcurrency: concurrency("MEDIA_FFMPEG_CONCURRENCY") },
    pruneIntervalMs,
  };
}
