// Stored accounts → Mastodon's Account and CredentialAccount entities.
import { roleInfo } from "../../domain/moderation/roles.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { UserRow } from "../../store/users.ts";
import type { MediaUrls } from "../../domain/media/media-urls.ts";
import { userSettings } from "../../domain/accounts/account-service.ts";

/** Where the placeholder images live, for accounts without their own. */
export const MISSING_AVATAR_PATH = "/avatars/original/missing.png";
export const MISSING_HEADER_PATH = "/headers/original/missing.png";

export interface ConvertContext {
  /** This server's base URL, for links to local resources. */
  origin: string;
  /**
   * Whether the media of accounts of this domain are rejected (a domain block with reject_media,
   * domain/moderation/media-policy.ts): their avatars become the placeholder, their attachments
   * type "unknown" without a URL. Absent: none are.
   */
  mediaRejected?: (domain: string | null) => boolean;
  /** How media files are named for clients (domain/media/media-urls.ts); absent: as stored, remote ones at their origin. */
  media?: MediaUrls;
}

interface Field {
  name: string;
  value: string;
  verified_at: string | null;
}

function fieldsOf(account: AccountRow): Field[] {
  try {
    const parsed = JSON.parse(account.fields) as Field[];
    return Array.isArray(parsed) ? parsed.map((f) => ({ name: f.name, value: f.value, verified_at: f.verified_at ?? null })) : [];
  } catch {
    return [];
  }
}

export function toAccount(account: AccountRow, ctx: ConvertContext) {
  const rejected = ctx.mediaRejected?.(account.domain) ?? false;
  const avatar = (rejected ? null : account.avatar_url) ?? `${ctx.origin}${MISSING_AVATAR_PATH}`;
  const header = (rejected ? null : account.header_url) ?? `${ctx.origin}${MISSING_HEADER_PATH}`;
  return {
    id: account.id,
    username: account.username,
    acct: account.domain ? `${account.username}@${account.domain}` : account.username,
    url: account.url ?? account.uri,
    uri: account.uri,
    display_name: account.display_name,
    note: account.note,
    avatar,
    avatar_static: avatar,
    header,
    header_static: header,
    locked: account.locked === 1,
    bot: account.bot === 1,
    // Remote groups (Lemmy communities, Guppe, Friendica forums…), as Mastodon flags them.
    group: account.actor_type === "Group",
    discoverable: account.discoverable === 1,
    indexable: account.indexable === 1,
    hide_collections: false,
    noindex: account.indexable !== 1,
    created_at: midnight(account.created_at),
    last_status_at: account.last_status_at ? account.last_status_at.slice(0, 10) : null,
    statuses_count: account.statuses_count,
    followers_count: account.followers_count,
    following_count: account.following_count,
    fields: fieldsOf(account),
    emojis: [],
    roles: [],
  };
}

/** The signed-in user's own account, with the `source` the profile editor starts from. */
export function toCredentialAccount(account: AccountRow, user: UserRow, ctx: ConvertContext, followRequestsCount = 0) {
  const settings = userSettings(user);
  return {
    ...toAccount(account, ctx),
    source: {
      privacy: settings.privacy,
      sensitive: settings.sensitive,
      language: settings.language,
      note: user.note_source,
      fields: fieldsOf(account),
      follow_requests_count: followRequestsCount,
      discoverable: account.discoverable === 1,
      indexable: account.indexable === 1,
      hide_collections: false,
      attribution_domains: [],
    },
    role: roleOf(user),
  };
}

/** The Role entity of a user's role (domain/moderation/roles.ts holds the permission bits). */
export function roleOf(user: Pick<UserRow, "role">) {
  const role = roleInfo(user.role);
  return { id: role.id, name: role.name, color: "", permissions: String(role.permissions), highlighted: role.highlighted };
}

/** Mastodon reports account creation at day precision (midnight UTC). */
function midnight(iso: string): string {
  return `${iso.slice(0, 10)}T00:00:00.000Z`;
}
