// Web Push for Mastodon clients (/api/v1/push/subscription): one subscription per access token,
// and for every notification a local account receives, one job on the durable `push` queue per
// subscription that wants it (its alerts and policy). The job builds Mastodon's payload, encrypts
// it for the subscription (legacy aesgcm unless the client asked for RFC 8291's aes128gcm),
// signs the VAPID JWT with the server's key, and posts it through PushSender; 404/410 deletes the
// subscription, 408/429/5xx and network failures come back with the queue's backoff.
import { createECDH } from "node:crypto";
import { getLogger } from "@logtape/logtape";
import type { Config } from "../../config/config.ts";
import type { Stores } from "../../store/stores.ts";
import type { NotificationRow } from "../../store/notifications.ts";
import type { PushSubscriptionRow } from "../../store/push.ts";
import type { PushPolicy, UserRole } from "../../db/schema.ts";
import type { MediaUrls } from "../media/media-urls.ts";
import { DomainError, notFound } from "../errors.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import type { RoleBook } from "../moderation/role-book.ts";
import { PUSH_ALERTS, buildPayload, iconOf, isPushAlert, urgencyOf, type PushAlert } from "./payload.ts";
import { loadTokenBox, type TokenBox } from "./token-box.ts";
import { loadVapid, type VapidDetails } from "./vapid.ts";
import type { PushSender } from "./sender.ts";
import { ipLiteralOf, refusalOf } from "../../net/address-policy.ts";

const logger = getLogger(["skein", "push"]);

export const PUSH_QUEUE = "push";
/** How long a push service keeps a message for an offline device (Mastodon's 48 h). */
export const PUSH_TTL_SECONDS = 172_800;
const POLICIES: readonly PushPolicy[] = ["all", "followed", "follower", "none"];
/** The longest endpoint accepted (real ones are 100–600 characters). */
const MAX_ENDPOINT = 2048;
/** Staff alerts and the permission a role needs to receive them (as Mastodon). */
const STAFF_ALERTS: Partial<Record<PushAlert, "manage_users" | "manage_reports">> = { "admin.sign_up": "manage_users", "admin.report": "manage_reports" };

export interface PushJobSink {
  enqueue(queue: string, payloads: readonly unknown[]): Promise<void>;
}

/** One push to send: the subscription, the notification, when it was queued (ms), how often it waited for its host. */
export interface PushJob {
  s: string;
  n: string;
  at: number;
  d?: number;
}

/** Times a push may step aside for a busy host before waiting counts as failing. */
const MAX_DEFERRALS = 100;

/** A 422 about one parameter (the HTTP layer names it in Mastodon's ValidationError details). */
export class PushInputError extends DomainError {
  readonly field: string;
  constructor(field: string, message: string) {
    super("validation", message);
    this.field = field;
  }
}

export type AlertsInput = Partial<Record<PushAlert, boolean>>;

export interface SubscriptionInput {
  endpoint: string | undefined;
  p256dh: string | undefined;
  auth: string | undefined;
  standard: boolean;
  alerts: AlertsInput;
  policy: string | undefined;
}

/** Who subscribes: the token (one subscription each), its account and its user's role. */
export interface Subscriber {
  tokenId: string;
  accountId: string;
  role: UserRole;
}

export interface PushSubscriptionView {
  id: string;
  endpoint: string;
  standard: boolean;
  policy: PushPolicy;
  alerts: Record<PushAlert, boolean>;
  serverKey: string;
}

export interface PushDeps {
  /** The VAPID public key, made once in the settings table (InstanceService). */
  vapidPublicKey: () => Promise<string>;
  media: () => MediaUrls;
  mediaRejected: (domain: string) => boolean;
  /** Roles in memory: staff alerts go to custom roles holding their permission too. */
  roles: () => RoleBook;
}

export class PushService {
  /** Where push jobs are queued (server/context.ts sets the JobQueue). */
  jobs: PushJobSink | null = null;
  /** Set in processes that send (server/push-queue.ts). */
  sender: PushSender | null = null;
  private readonly stores: Stores;
  private readonly config: Config;
  private readonly deps: PushDeps;
  private box: Promise<TokenBox> | null = null;
  private vapid: Promise<VapidDetails> | null = null;

  constructor(stores: Stores, config: Config, deps: PushDeps) {
    this.stores = stores;
    this.config = config;
    this.deps = deps;
  }

  /** POST: replaces the token's subscription. `bearer` is the token itself, sealed for the payload. */
  async subscribe(who: Subscriber, bearer: string, input: SubscriptionInput): Promise<PushSubscriptionView> {
    const endpoint = checkEndpoint(input.endpoint, this.config.environment === "test");
    const p256dh = checkKey(input.p256dh, "subscription[keys][p256dh]", 65);
    if (!isP256Point(p256dh)) throw new PushInputError("subscription[keys][p256dh]", "subscription[keys][p256dh] is not a P-256 public key");
    const auth = checkKey(input.auth, "subscription[keys][auth]", 16);
    const now = nowIso();
    const id = newId();
    const row: PushSubscriptionRow = {
      id,
      token_id: who.tokenId,
      account_id: who.accountId,
      endpoint,
      key_p256dh: p256dh.toString("base64url"),
      key_auth: auth.toString("base64url"),
      alerts: JSON.stringify(allowedAlerts(input.alerts, who.role, await this.deps.roles().fresh())),
      policy: checkPolicy(input.policy),
      standard: input.standard ? 1 : 0,
      sealed_token: (await this.tokenBox()).seal(bearer, id),
      created_at: now,
      updated_at: now,
    };
    await this.stores.transaction((tx) => tx.pushSubscriptions.replaceForToken(row));
    return this.view(row, who.role);
  }

  async current(who: Subscriber): Promise<PushSubscriptionView> {
    const row = await this.stores.pushSubscriptions.byToken(who.tokenId);
    if (!row) throw notFound();
    return this.view(row, who.role);
  }

  /** PUT: only the data part (alerts, policy) changes; what is not given is off, as in Mastodon. */
  async update(who: Subscriber, data: { alerts: AlertsInput; policy: string | undefined }): Promise<PushSubscriptionView> {
    const row = await this.stores.pushSubscriptions.byToken(who.tokenId);
    if (!row) throw notFound();
    const alerts = JSON.stringify(allowedAlerts(data.alerts, who.role, await this.deps.roles().fresh()));
    const policy = data.policy === undefined ? row.policy : checkPolicy(data.policy);
    const now = nowIso();
    await this.stores.pushSubscriptions.updateData(who.tokenId, alerts, policy, now);
    return this.view({ ...row, alerts, policy, updated_at: now }, who.role);
  }

  async unsubscribe(who: Subscriber): Promise<void> {
    await this.stores.pushSubscriptions.deleteByToken(who.tokenId);
  }

  /**
   * A notification was created (the `notification.created` event, for every kind of
   * notification): queue a push for each of the recipient's subscriptions that wants it.
   */
  async notificationCreated(notification: NotificationRow): Promise<void> {
    try {
      await this.queuePushes(notification);
    } catch (error) {
      // The notification stands; only its pushes are lost (the event's listeners cannot fail the action).
      logger.warn("Could not queue the pushes of notification {id}: {error}", { id: notification.id, error });
    }
  }

  private async queuePushes(notification: NotificationRow): Promise<void> {
    if (!this.jobs) return;
    const subscriptions = await this.stores.pushSubscriptions.liveForAccount(notification.account_id);
    if (subscriptions.length === 0) return;
    const wanted: PushJob[] = [];
    for (const sub of subscriptions) {
      if (await this.wants(sub, sub.user_role, notification)) wanted.push({ s: sub.id, n: notification.id, at: Date.now() });
    }
    await this.jobs.enqueue(PUSH_QUEUE, wanted);
  }

  /**
   * One job of the `push` queue. Throws to be tried again (the queue's backoff); returns a job
   * to queue again shortly, not counted as a failure, when its push-service host is busy.
   */
  async handleJob(payload: unknown): Promise<PushJob | void> {
    const job = payload as PushJob;
    if (!job || typeof job.s !== "string" || typeof job.n !== "string") return;
    // The push service would not keep it longer either.
    if (typeof job.at === "number" && Date.now() - job.at > PUSH_TTL_SECONDS * 1000) return;
    if (!this.sender) throw new Error("this process does not send pushes");
    const sub = await this.stores.pushSubscriptions.liveById(job.s);
    if (!sub) return; // unsubscribed, token revoked: nothing to do
    const notification = await this.stores.notifications.byId(sub.account_id, job.n);
    if (!notification) return; // dismissed meanwhile
    if (!(await this.wants(sub, sub.user_role, notification))) return;
    const from = await this.stores.accounts.byId(notification.from_account_id);
    if (!from) return;
    const status = notification.status_id ? ((await this.stores.statuses.byId(notification.status_id)) ?? null) : null;
    const accessToken = (await this.tokenBox()).open(sub.sealed_token, sub.id);
    if (accessToken === null) {
      // Sealed under another key (PUSH_TOKEN_KEY changed): the client must subscribe again.
      logger.warn("Push subscription {id}: its access token cannot be opened with the current key; deleted", { id: sub.id });
      await this.stores.pushSubscriptions.deleteById(sub.id);
      return;
    }
    const body = buildPayload({
      accessToken,
      locale: sub.user_locale,
      notification,
      from,
      status,
      icon: iconOf(from, this.config.origin, this.deps.media(), this.deps.mediaRejected),
    });
    // web-push is loaded by the first push sent, not by every process that starts.
    const { default: webPush } = await import("web-push");
    const request = webPush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: sub.key_p256dh, auth: sub.key_auth } }, JSON.stringify(body), {
      vapidDetails: await this.vapidDetails(),
      TTL: PUSH_TTL_SECONDS,
      contentEncoding: sub.standard ? "aes128gcm" : "aesgcm",
      urgency: urgencyOf(notification.type),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (name.toLowerCase() !== "content-length") headers[name] = String(value);
    const outcome = await this.sender.send({ endpoint: request.endpoint, headers, body: request.body as Buffer });
    switch (outcome.kind) {
      case "delivered":
        return;
      case "gone":
        logger.info("Push subscription {id}: {reason}; deleted", { id: sub.id, reason: outcome.reason });
        await this.stores.pushSubscriptions.deleteById(sub.id);
        return;
      case "refused":
        logger.warn("Push subscription {id}: the push service refused a push with {status}", { id: sub.id, status: outcome.status });
        return;
      case "retry":
        throw new Error(`push to ${new URL(sub.endpoint).host} failed: ${outcome.reason}`);
      case "busy":
        if ((job.d ?? 0) >= MAX_DEFERRALS) throw new Error(`push to ${new URL(sub.endpoint).host} waited too long for a free connection`);
        return { ...job, d: (job.d ?? 0) + 1 };
    }
  }

  /** Deletes the subscriptions of revoked tokens and disabled users (hourly, by server/push-queue.ts). */
  sweep(): Promise<number> {
    return this.stores.pushSubscriptions.sweepRevoked();
  }

  /** Whether this subscription wants this notification: its alert on, and its policy lets the sender through. */
  private async wants(sub: PushSubscriptionRow, role: UserRole, notification: NotificationRow): Promise<boolean> {
    const alerts = parseAlerts(sub.alerts);
    if (!isPushAlert(notification.type) || !alerts[notification.type]) return false;
    const permission = STAFF_ALERTS[notification.type];
    if (permission && !(await this.deps.roles().fresh()).has(role, permission)) return false;
    const recipient = notification.account_id;
    const sender = notification.from_account_id;
    switch (sub.policy) {
      case "none":
        return false;
      case "followed":
        return recipient === sender || (await this.stores.relationships.find("follows", recipient, sender)) !== undefined;
      case "follower":
        return recipient === sender || (await this.stores.relationships.find("follows", sender, recipient)) !== undefined;
      default:
        return true;
    }
  }

  private async view(row: PushSubscriptionRow, role: UserRole): Promise<PushSubscriptionView> {
    const stored = parseAlerts(row.alerts);
    const roles = await this.deps.roles().fresh();
    const alerts = {} as Record<PushAlert, boolean>;
    for (const type of PUSH_ALERTS) {
      const permission = STAFF_ALERTS[type];
      alerts[type] = stored[type] === true && (!permission || roles.has(role, permission));
    }
    return { id: row.id, endpoint: row.endpoint, standard: row.standard === 1, policy: row.policy, alerts, serverKey: await this.deps.vapidPublicKey() };
  }

  private tokenBox(): Promise<TokenBox> {
    this.box ??= loadTokenBox(this.stores.settings, this.config.push.tokenKey).catch((error) => {
      this.box = null;
      throw error;
    });
    return this.box;
  }

  private vapidDetails(): Promise<VapidDetails> {
    this.vapid ??= loadVapid(this.stores.settings, this.deps.vapidPublicKey, this.config).catch((error) => {
      this.vapid = null;
      throw error;
    });
    return this.vapid;
  }
}

function parseAlerts(text: string): Partial<Record<PushAlert, boolean>> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" ? (value as Partial<Record<PushAlert, boolean>>) : {};
  } catch {
    return {};
  }
}

/** The alerts to store: those asked for, staff alerts only for a role that may receive them. */
function allowedAlerts(input: AlertsInput, role: UserRole, roles: RoleBook): Partial<Record<PushAlert, boolean>> {
  const out: Partial<Record<PushAlert, boolean>> = {};
  for (const type of PUSH_ALERTS) {
    if (input[type] !== true) continue;
    const permission = STAFF_ALERTS[type];
    if (permission && !roles.has(role, permission)) continue;
    out[type] = true;
  }
  return out;
}

function checkPolicy(value: string | undefined): PushPolicy {
  if (value === undefined || value === "") return "all";
  if (!(POLICIES as readonly string[]).includes(value)) throw new PushInputError("data[policy]", `data[policy] must be one of ${POLICIES.join(", ")}`);
  return value as PushPolicy;
}

/** `allowPrivate`: the test environment, whose push services are on loopback. */
function checkEndpoint(value: string | undefined, allowPrivate: boolean): string {
  const field = "subscription[endpoint]";
  if (!value) throw new PushInputError(field, `${field} can't be blank`);
  if (value.length > MAX_ENDPOINT) throw new PushInputError(field, `${field} is longer than ${MAX_ENDPOINT} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PushInputError(field, `${field} is not a URL`);
  }
  // Push services are reached over TLS (RFC 8030); credentials in a URL would be sent to whoever it names.
  if (url.protocol !== "https:" || !url.hostname || url.username || url.password) throw new PushInputError(field, `${field} must be an https URL`);
  // An address no push could be sent to is refused now (names are judged when connecting, by net/'s guard).
  const literal = ipLiteralOf(url.hostname);
  if (literal !== null && !allowPrivate && refusalOf(literal)) throw new PushInputError(field, `${field} must be on a public address`);
  return url.href;
}

/** A base64 or base64url value (padding optional) that decodes to exactly `bytes` bytes. */
function checkKey(value: string | undefined, field: string, bytes: number): Buffer {
  if (!value) throw new PushInputError(field, `${field} can't be blank`);
  if (value.length > 200 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) throw new PushInputError(field, `${field} is not base64`);
  const decoded = Buffer.from(value.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""), "base64url");
  if (decoded.length !== bytes) throw new PushInputError(field, `${field} must be ${bytes} bytes`);
  return decoded;
}

/** An uncompressed point on P-256 (ECDH refuses points off the curve). */
function isP256Point(point: Buffer): boolean {
  if (point[0] !== 0x04) return false;
  try {
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    ecdh.computeSecret(point);
    return true;
  } catch {
    return false;
  }
}
