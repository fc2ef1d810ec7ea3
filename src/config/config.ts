// Environment → typed, validated configuration. Every problem is reported on its own line so
// an operator can fix them all at once; nothing else in Skein reads process.env.
import path from "node:path";
import fs from "node:fs";
import { availableParallelism } from "node:os";
import { loadPaymentConfig, type PaymentConfig } from "./payment-config.ts";
import { loadMediaConfig, parseByteSize, type MediaConfig } from "./media-config.ts";
import { loadPushConfig, type PushConfig } from "./push-config.ts";
import { loadCardsConfig, type CardsConfig } from "./cards-config.ts";
import { defaultContactEmail, isPublishableEmail, loadPostingConfig, type PostingConfig } from "./posting-config.ts";
import { loadSearchConfig, type SearchConfig } from "./search-config.ts";
import { loadPruningConfig, type PruningConfig } from "./pruning-config.ts";

export type RegistrationMode = "open" | "approval" | "invite" | "closed";

export interface Config {
  /** Host (and port, if not the default) that names this server in the fediverse. */
  localDomain: string;
  /** https unless serving plain HTTP on a loopback name for local use. */
  scheme: "http" | "https";
  /** Base URL: scheme + local domain, no trailing slash. */
  origin: string;
  port: number;
  bind: string;
  dataDir: string;
  database: { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };
  tls: { cert: string; key: string } | null;
  instance: {
    title: string;
    description: string;
    contactEmail: string;
    registrations: RegistrationMode;
    /** The terms of service (Markdown-free HTML or plain text); TERMS_OF_SERVICE_FILE, else DATA_DIR/terms-of-service.html if present. */
    termsOfServiceFile: string;
    /** Where visitors find this server's source code (the AGPL asks for it). */
    sourceUrl: string;
  };
  log: { level: "debug" | "info" | "warning" | "error"; format: "pretty" | "json" };
  /** Secure mode: other servers must sign their fetches of our objects and collections. */
  authorizedFetch: boolean;
  /** Test-only host → loopback address map (SKEIN_TEST_HOSTS); empty outside tests. */
  testHosts: Record<string, string>;
  /** Whether X-Forwarded-For / X-Forwarded-Proto come from a reverse proxy we trust. */
  trustProxy: boolean;
  /** Production refuses to fetch private addresses; only tests loosen this. */
  environment: "production" | "development" | "test";
  /**
   * Poll timing. POLL_MIN_EXPIRATION (seconds, default 300 = Mastodon's five minutes; only
   * honoured when SKEIN_ENV is test or development) is the shortest poll a post may carry;
   * POLL_SWEEP_INTERVAL (seconds, default 30, fractions allowed) is how often `./skein start`
   * looks for ended polls to notify voters and authors about. POLL_UPDATE_DELAY (seconds, default 60,
   * fractions allowed) is how long after a vote a local poll's counts go out to other servers:
   * one Update per poll per delay, however many votes.
   */
  polls: { minExpirationSeconds: number; sweepIntervalSeconds: number; updateDelaySeconds: number };
  /**
   * Outgoing deliveries per process: DELIVERY_CONCURRENCY (default 1000) held at once,
   * DELIVERY_PER_HOST (default 4) requests in flight to any one remote host at first, rising to
   * DELIVERY_PER_HOST_MAX (default 16) while a healthy host has more waiting, DELIVERY_THREADS
   * (default: one per core, at most 4; 0 for none) threads that sign and send them.
   * `./skein worker --concurrency N` overrides the first. MEMORY_TARGET (bytes or "512MB", "1GB";
   * default 512 MB, for a 1 GB machine) is what one process should stay under: the first and the
   * last become ceilings, lowered to fit it (federation/delivery/memory-budget.ts).
   */
  delivery: { concurrency: number; perHost: number; perHostMax: number; threads: number; memoryTargetBytes: number };
  /**
   * Test-only (REQUEST_TIMEOUT, seconds, fractions allowed; needs SKEIN_ENV=test): how long a
   * client may take to send a whole request, instead of http-server.ts's 30 s, so that a test
   * of slow clients runs in seconds. null everywhere else.
   */
  requestTimeoutSeconds: number | null;
  /**
   * FEDERATION_MODE: "blocklist" (default: every server federates unless blocked) or
   * "allowlist" (only servers on the allow list federate; a block still beats an allow).
   */
  federationMode: "blocklist" | "allowlist";
  /**
   * REQUIRE_TWO_FACTOR: the least role that must use two-factor sign-in ("moderator" means
   * moderators, admins and the owner; "user" means everyone); null (unset) requires it of nobody.
   * Such a user without it is sent to set it up after signing in and cannot authorize apps.
   */
  requireTwoFactor: "user" | "moderator" | "admin" | "owner" | null;
  /**
   * Blocklist subscriptions: BLOCKLIST_REFRESH_INTERVAL (seconds, default 86400: daily) between
   * fetches of each list; BLOCKLIST_TIES ("milder", the default, or "stricter") which severity
   * wins when lists of the same priority disagree. Test-only: BLOCKLIST_FETCH_TIMEOUT (seconds,
   * fractions allowed, needs SKEIN_ENV=test) instead of the 30 s a fetch may take, so that a test
   * of a list that never finishes runs in seconds.
   */
  blocklists: { refreshIntervalSeconds: number; fetchTimeoutSeconds: number; ties: "milder" | "stricter" };
  /**
   * Outgoing mail: SMTP_URL (smtp://user:pass@host:587, STARTTLS when offered, or smtps:// for
   * TLS from the first byte; null: mails are written to DATA_DIR/mail/ instead), SMTP_FROM
   * (default "Skein <notifications@LOCAL_DOMAIN's host>"), SMTP_REQUIRE_TLS (refuse to send
   * over smtp:// without STARTTLS).
   */
  mail: { smtpUrl: string | null; from: string; requireTls: boolean };
  /** Registration fee and payment provider (config/payment-config.ts: REGISTRATION_FEE, STRIPE_*). */
  payments: PaymentConfig;
  /** Media storage (DATA_DIR/media or S3_*), the remote-media cache budget, cost-report prices (config/media-config.ts). */
  media: MediaConfig;
  /** Web Push: the key sealing access tokens kept for payloads (config/push-config.ts). */
  push: PushConfig;
  /** Scheduled statuses' sweep (config/posting-config.ts). */
  posting: PostingConfig;
  /** Full-text search: whether new posts are indexed (config/search-config.ts). */
  search: SearchConfig;
  /** Remote data with limits: REMOTE_POST_RETENTION, tombstones' lifetime (config/pruning-config.ts). */
  pruning: PruningConfig;
  /** Link previews: on/off, the delay before remote posts' links are fetched (config/cards-config.ts). */
  cards: CardsConfig;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join("\n"));
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/** MEMORY_TARGET's default: 512 MiB, what a 1 GB machine can give Skein beside its database and system. */
export const DEFAULT_MEMORY_TARGET_BYTES = 512 * 1024 * 1024;

const LOOPBACK_HOST = /^(localhost|[^.]+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Loads `.env` from the working directory, if present; real environment variables win. */
export function loadDotEnv(file = ".env"): void {
  if (fs.existsSync(file)) process.loadEnvFile(file);
}

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const str = (name: string, fallback: string) => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? fallback : v.trim();
  };
  const bool = (name: string): boolean | undefined => {
    const v = env[name]?.trim().toLowerCase();
    if (v === undefined || v === "") return undefined;
    if (["1", "true", "yes", "on"].includes(v)) return true;
    if (["0", "false", "no", "off"].includes(v)) return false;
    problems.push(`${name} must be true or false (got "${env[name]}")`);
    return undefined;
  };

  const portText = str("PORT", "3000");
  const port = Number(portText);
  const portOk = /^\d+$/.test(portText) && port >= 0 && port <= 65535;
  if (!portOk) {
    problems.push(`PORT must be a number from 0 to 65535 (got "${portText}")`);
  }

  // A bad PORT is reported once, not again through the LOCAL_DOMAIN made from it.
  const localDomain = str("LOCAL_DOMAIN", portOk ? `localhost:${portText}` : "localhost").toLowerCase();
  let host = "";
  try {
    const u = new URL(`http://${localDomain}`);
    if (u.host !== localDomain || u.pathname !== "/") throw new Error();
    host = u.hostname;
  } catch {
    problems.push(
      `LOCAL_DOMAIN must be a host name with an optional port, like "social.example" (got "${localDomain}")`,
    );
  }

  const dataDir = path.resolve(str("DATA_DIR", "data"));

  let database: Config["database"] = { kind: "sqlite", file: path.join(dataDir, "skein.sqlite") };
  const dbUrl = env.DATABASE_URL?.trim();
  if (dbUrl) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(dbUrl);
    } catch {
      /* reported below */
    }
    if (parsed && (parsed.protocol === "postgres:" || parsed.protocol === "postgresql:")) {
      database = { kind: "postgres", url: dbUrl };
    } else if (parsed && parsed.protocol === "sqlite:") {
      database = { kind: "sqlite", file: path.resolve(decodeURIComponent(parsed.pathname)) };
    } else {
      problems.push(
        `DATABASE_URL must be a postgres://user:password@host/database URL, or unset for SQLite in DATA_DIR (got "${redact(dbUrl)}")`,
      );
    }
  }

  const certFile = env.TLS_CERT?.trim();
  const keyFile = env.TLS_KEY?.trim();
  let tls: Config["tls"] = null;
  if (certFile || keyFile) {
    if (!certFile || !keyFile) {
      problems.push("TLS_CERT and TLS_KEY must be set together");
    } else {
      for (const [name, file] of [["TLS_CERT", certFile], ["TLS_KEY", keyFile]] as const) {
        if (!fs.existsSync(file)) problems.push(`${name} points to a file that does not exist: ${file}`);
      }
      tls = { cert: certFile, key: keyFile };
    }
  }

  const httpsSetting = bool("LOCAL_HTTPS");
  const trustProxy = bool("TRUST_PROXY");
  const scheme: Config["scheme"] =
    httpsSetting ?? (tls !== null || !LOOPBACK_HOST.test(host)) ? "https" : "http";

  const registrations = str("REGISTRATIONS", "closed") as RegistrationMode;
  if (!["open", "approval", "invite", "closed"].includes(registrations)) {
    problems.push(`REGISTRATIONS must be open, approval, invite or closed (got "${registrations}")`);
  }

  const federationMode = str("FEDERATION_MODE", "blocklist") as Config["federationMode"];
  if (!["blocklist", "allowlist"].includes(federationMode)) {
    problems.push(`FEDERATION_MODE must be blocklist or allowlist (got "${federationMode}")`);
  }

  const requireTwoFactor = (str("REQUIRE_TWO_FACTOR", "").toLowerCase() || null) as Config["requireTwoFactor"];
  if (requireTwoFactor !== null && !["user", "moderator", "admin", "owner"].includes(requireTwoFactor)) {
    problems.push(`REQUIRE_TWO_FACTOR must be user, moderator, admin or owner (got "${requireTwoFactor}")`);
  }

  const level = str("LOG_LEVEL", "info") as Config["log"]["level"];
  if (!["debug", "info", "warning", "error"].includes(level)) {
    problems.push(`LOG_LEVEL must be debug, info, warning or error (got "${level}")`);
  }
  const format = str("LOG_FORMAT", "pretty") as Config["log"]["format"];
  if (!["pretty", "json"].includes(format)) {
    problems.push(`LOG_FORMAT must be pretty or json (got "${format}")`);
  }

  const environment = str("SKEIN_ENV", "production") as Config["environment"];
  if (!["production", "development", "test"].includes(environment)) {
    problems.push(`SKEIN_ENV must be production, development or test (got "${environment}")`);
  }

  // Shown by /api/v1|v2/instance, where clients expect an address with a domain name.
  const contactEmail = str("CONTACT_EMAIL", defaultContactEmail(host.replace(/^\[|\]$/g, "") || "localhost"));
  if (!isPublishableEmail(contactEmail)) {
    problems.push(`CONTACT_EMAIL must be an email address with a domain name, like admin@social.example (got "${contactEmail}")`);
  }

  const seconds = (name: string, fallback: number, integer: boolean): number => {
    const text = env[name]?.trim();
    if (text === undefined || text === "") return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      problems.push(`${name} must be a positive ${integer ? "whole " : ""}number of seconds (got "${env[name]}")`);
      return fallback;
    }
    return value;
  };
  const pollMinExpiration = seconds("POLL_MIN_EXPIRATION", 300, true);
  if (env.POLL_MIN_EXPIRATION?.trim() && environment === "production") {
    problems.push("POLL_MIN_EXPIRATION may only be set when SKEIN_ENV is test or development");
  }
  const pollSweepInterval = seconds("POLL_SWEEP_INTERVAL", 30, false);
  const requestTimeout = env.REQUEST_TIMEOUT?.trim() ? seconds("REQUEST_TIMEOUT", 30, false) : null;
  if (requestTimeout !== null && environment !== "test") problems.push("REQUEST_TIMEOUT is a test-only setting; it needs SKEIN_ENV=test");
  const blocklistRefresh = seconds("BLOCKLIST_REFRESH_INTERVAL", 86_400, false);
  const pollUpdateDelay = seconds("POLL_UPDATE_DELAY", 60, false);
  const blocklistFetchTimeout = seconds("BLOCKLIST_FETCH_TIMEOUT", 30, false);
  if (env.BLOCKLIST_FETCH_TIMEOUT?.trim() && environment !== "test") problems.push("BLOCKLIST_FETCH_TIMEOUT is a test-only setting; it needs SKEIN_ENV=test");
  const blocklistTies = str("BLOCKLIST_TIES", "milder") as Config["blocklists"]["ties"];
  if (!["milder", "stricter"].includes(blocklistTies)) problems.push(`BLOCKLIST_TIES must be milder or stricter (got "${blocklistTies}")`);

  const count = (name: string, fallback: number, max: number, min = 1): number => {
    const text = env[name]?.trim();
    if (text === undefined || text === "") return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${env[name]}")`);
      return fallback;
    }
    return value;
  };
  const deliveryConcurrency = count("DELIVERY_CONCURRENCY", 1000, 20_000);
  const deliveryPerHost = count("DELIVERY_PER_HOST", 4, 64);
  const deliveryPerHostMax = count("DELIVERY_PER_HOST_MAX", 16, 256);
  // One sender thread per core (at most 4): signing and TLS are most of a delivery's cost.
  // 0 sends on the main thread.
  const deliveryThreads = count("DELIVERY_THREADS", Math.min(4, availableParallelism()), 16, 0);
  let memoryTargetBytes = DEFAULT_MEMORY_TARGET_BYTES;
  if (env.MEMORY_TARGET?.trim()) {
    const parsed = parseByteSize(env.MEMORY_TARGET);
    if (typeof parsed === "string") problems.push(`MEMORY_TARGET: ${parsed}`);
    else if (parsed < 256e6) problems.push(`MEMORY_TARGET must be at least 256MB (got "${env.MEMORY_TARGET.trim()}")`);
    else memoryTargetBytes = parsed;
  }

  const testHosts: Record<string, string> = {};
  if (env.SKEIN_TEST_HOSTS?.trim()) {
    if (environment !== "test") problems.push("SKEIN_TEST_HOSTS is a test-only setting; it needs SKEIN_ENV=test");
    for (const pair of env.SKEIN_TEST_HOSTS.split(",").map((p) => p.trim()).filter(Boolean)) {
      const [name, address] = pair.split("=");
      // "*.fleet.test=127.0.0.1" maps every name one label below fleet.test (the fan-out benchmark's fleet).
      if (!name || !address || !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) || (name.includes("*") && !/^\*\.[^*]+\.[^*]+$/.test(name))) {
        problems.push(`SKEIN_TEST_HOSTS entries must be name=127.x.y.z or *.domain=127.x.y.z (got "${pair}")`);
      } else testHosts[name.toLowerCase()] = address;
    }
  }

  const smtpUrl = env.SMTP_URL?.trim() || null;
  if (smtpUrl !== null) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(smtpUrl);
    } catch {
      parsed = null;
    }
    if (!parsed || !["smtp:", "smtps:"].includes(parsed.protocol) || !parsed.hostname) problems.push(`SMTP_URL must be smtp://[user:password@]host[:port] or smtps://… (got "${redact(smtpUrl)}")`);
  }
  const mailFrom = str("SMTP_FROM", `${str("INSTANCE_TITLE", "Skein").replace(/["\\\r\n]/g, "")} <notifications@${(host || "localhost").replace(/:\d+$/, "").replace(/^\[|\]$/g, "")}>`);
  if (/[\r\n]/.test(mailFrom) || !/@/.test(mailFrom)) problems.push(`SMTP_FROM must be an address, like "Skein <notifications@social.example>" (got "${mailFrom}")`);
  const smtpRequireTls = bool("SMTP_REQUIRE_TLS") ?? false;
  const payments = loadPaymentConfig(env, problems);
  const media = loadMediaConfig(env, problems);
  const push = loadPushConfig(env, problems);
  const posting = loadPostingConfig(env, problems);
  const search = loadSearchConfig(env, problems);
  const pruning = loadPruningConfig(env, problems);
  const cards = loadCardsConfig(env, problems);

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    localDomain,
    scheme,
    origin: `${scheme}://${localDomain}`,
    port,
    bind: str("BIND", "127.0.0.1"),
    dataDir,
    database,
    tls,
    instance: {
      title: str("INSTANCE_TITLE", "Skein"),
      description: str("INSTANCE_DESCRIPTION", "A Skein server: a Mastodon-compatible corner of the fediverse."),
      contactEmail,
      registrations,
      termsOfServiceFile: path.resolve(str("TERMS_OF_SERVICE_FILE", path.join(dataDir, "terms-of-service.html"))),
      sourceUrl: str("SOURCE_URL", `${scheme}://${localDomain}/about`),
    },
    log: { level, format },
    environment,
    trustProxy: trustProxy ?? false,
    testHosts,
    authorizedFetch: bool("AUTHORIZED_FETCH") ?? false,
    polls: { minExpirationSeconds: pollMinExpiration, sweepIntervalSeconds: pollSweepInterval, updateDelaySeconds: pollUpdateDelay },
    delivery: { concurrency: deliveryConcurrency, perHost: deliveryPerHost, perHostMax: Math.max(deliveryPerHost, deliveryPerHostMax), threads: deliveryThreads, memoryTargetBytes },
    requestTimeoutSeconds: requestTimeout,
    federationMode,
    requireTwoFactor,
    blocklists: { refreshIntervalSeconds: blocklistRefresh, fetchTimeoutSeconds: blocklistFetchTimeout, ties: blocklistTies },
    mail: { smtpUrl, from: mailFrom, requireTls: smtpRequireTls },
    payments,
    media,
    push,
    posting,
    search,
    pruning,
    cards,
  };
}

/** The loopback address a test host map gives `hostname`: its own entry, else a `*.parent` entry one label up. */
export function testHostAddress(testHosts: Record<string, string>, hostname: string): string | undefined {
  const name = hostname.toLowerCase();
  return testHosts[name] ?? (name.includes(".") ? testHosts[`*${name.slice(name.indexOf("."))}`] : undefined);
}

/** Hides the password of a database URL before it goes into a message. */
export function redact(url: string): string {
  // Up to the last "@" of the authority: URL parsers accept an unencoded "@" in the password.
  return url.replace(/\/\/([^:/@]*):[^/?#]*@/, "//$1:***@");
}
