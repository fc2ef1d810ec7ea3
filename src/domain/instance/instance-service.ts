// What the server says about itself: limits, registrations, statistics, and the keys every
// process must agree on (kept in the database, created on first use).
import { generateKeyPairSync } from "node:crypto";
import type { Config } from "../../config/config.ts";
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { InstanceRuleRow } from "../../store/instance-rules.ts";
import { SKEIN_VERSION } from "../../version.ts";

/** Limits announced to clients and enforced by the API. */
export const LIMITS = {
  statusCharacters: 5000,
  charactersReservedPerUrl: 23,
  mediaAttachments: 4,
  pollOptions: 4,
  pollOptionCharacters: 50,
  pollMinExpiration: 300,
  pollMaxExpiration: 2_629_746,
  featuredTags: 10,
  pinnedStatuses: 5,
  profileFields: 4,
  displayNameLength: 30,
  noteLength: 500,
  fieldNameLength: 255,
  fieldValueLength: 255,
  imageSizeLimit: 16 * 1024 * 1024,
  imageMatrixLimit: 33_177_600,
  videoSizeLimit: 99 * 1024 * 1024,
  videoMatrixLimit: 8_294_400,
  videoFrameRateLimit: 120,
  mediaDescriptionLength: 1500,
} as const;

const COUNTS_TTL_MS = 60_000;

export const SUPPORTED_MIME_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "video/mp4", "video/webm", "audio/mpeg", "audio/ogg"];

export interface InstanceFacts {
  config: Config;
  version: string;
  userCount: number;
  /** Local posts, boosts not counted. */
  statusCount: number;
  contactAccount: AccountRow | null;
  vapidPublicKey: string;
  /** Registration settings in force, added by the HTTP layer from services.registration (domain/registration). */
  registrations?: { mode: string; reasonRequired: boolean; minAge: number | null; message: string | null };
  /** The MIME types uploads may have here (services.media.acceptedMimeTypes), added by the HTTP layer. */
  mediaTypes?: string[];
  /** The server's rules (services.rules), added by the HTTP layer. */
  rules?: InstanceRuleRow[];
  /** Whether there are terms of service (services.instanceTexts), added by the HTTP layer. */
  hasTermsOfService?: boolean;
}

export class InstanceService {
  private readonly stores: Stores;
  private readonly config: Config;

  constructor(stores: Stores, config: Config) {
    this.stores = stores;
    this.config = config;
  }

  /**
   * Clients ask for the instance on every start; counting a large statuses table each time would
   * be the most expensive request they make, so the counts are kept for a minute.
   */
  async facts(): Promise<InstanceFacts> {
    if (!this.counts || this.counts.at < Date.now() - COUNTS_TTL_MS) {
      const [userCount, statusCount] = await Promise.all([this.stores.users.count(), this.stores.statuses.countLocal()]);
      this.counts = { at: Date.now(), userCount, statusCount };
    }
    const [vapidPublicKey, contactAccount] = await Promise.all([this.vapidPublicKey(), this.contactAccount()]);
    const { userCount, statusCount } = this.counts;
    return { config: this.config, version: SKEIN_VERSION, userCount, statusCount, contactAccount, vapidPublicKey };
  }

  private vapidKey: string | null = null;
  private counts: { at: number; userCount: number; statusCount: number } | null = null;

  /** The Web Push (VAPID) public key, as clients expect it: an uncompressed P-256 point, base64url. */
  async vapidPublicKey(): Promise<string> {
    if (this.vapidKey) return this.vapidKey;
    const stored = await this.stores.settings.getOrCreate("vapid_keys", () => {
      const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
      const jwk = publicKey.export({ format: "jwk" });
      const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
      return JSON.stringify({ public: point.toString("base64url"), private: privateKey.export({ format: "pem", type: "pkcs8" }) });
    });
    this.vapidKey = (JSON.parse(stored) as { public: string }).public;
    return this.vapidKey;
  }

  /** The first admin's account, shown as the server's contact. */
  private async contactAccount(): Promise<AccountRow | null> {
    return (await this.stores.users.firstAdminAccount()) ?? null;
  }
}
