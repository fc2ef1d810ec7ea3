// Stored accounts → Mastodon's Account and CredentialAccount entities.
import { builtInRole, isBuiltIn, type RoleInfo } from "../../domain/moderation/roles.ts";
import type { RoleLookup } from "../../domain/moderation/role-book.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { UserRow } from "../../store/users.ts";
import type { MediaUrls } from "../../domain/media/media-urls.ts";
import { userSettings } from "../../domain/accounts/account-service.ts";
import type { EmojiLookup } from "../../domain/emojis/emoji-catalog.ts";
import { emojisIn } from "./custom-emoji.ts";
import { htmlToPlainText } from "../../domain/filters/matching.ts";

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
  /** The custom emojis texts use (domain/emojis/emoji-catalog.ts); absent: none. */
  emojis?: EmojiLookup;
  /** Roles, custom ones included, and the badges accounts show (domain/moderation/role-book.ts); absent: built-in roles only, no badges. */
  roles?: RoleLookup;
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

/**
 * An account's avatar or header for clients: a local account's stored file (and its still, for
 * an animated one), a remote account's through the media cache, or the placeholder.
 */
function profileImage(account: AccountRow, kind: "avatar" | "header", ctx: ConvertContext): { url: string; still: string } {
  const placeholder = `${ctx.origin}${kind === "avatar" ? MISSING_AVATAR_PATH : MISSING_HEADER_PATH}`;
  if (account.domain === null) {
    const key = kind === "avatar" ? account.avatar_key : account.header_key;
    const still = kind === "avatar" ? account.avatar_static_key : account.header_static_key;
    if (!key) return { url: placeholder, still: placeholder };
    const named = (k: string) => (ctx.media ? ctx.media.stored(k) : `${ctx.origin}/system/${k}`);
    return { url: named(key), still: named(still ?? key) };
  }
  const source = kind === "avatar" ? account.avatar_url : account.header_url;
  if (!source || (ctx.mediaRejected?.(account.domain) ?? false)) return { url: placeholder, still: placeholder };
  const url = ctx.media ? ctx.media.proxied(kind, account.id, "original", source) : source;
  return { url, still: url };
}

export function toAccount(account: AccountRow, ctx: ConvertContext) {
  const avatar = profileImage(account, "avatar", ctx);
  const header = profileImage(account, "header", ctx);
  const fields = fieldsOf(account);
  return {
    id: account.id,
    username: account.username,
    acct: account.domain ? `${account.username}@${account.domain}` : account.username,
    url: account.url ?? account.uri,
    uri: account.uri,
    display_name: account.display_name,
    note: account.note,
    avatar: avatar.url,
    avatar_static: avatar.still,
    header: header.url,
    header_static: header.still,
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
    fields,
    emojis: emojisIn(ctx, account.domain, [account.display_name, account.note, ...fields.flatMap((f) => [f.name, f.value])]),
    // Mastodon's badges: a local account's highlighted role (remote accounts: none here).
    roles: account.domain === null ? badgesOf(account.id, ctx) : [],
  };
}

function badgesOf(accountId: string, ctx: ConvertContext): { id: string; name: string; color: string }[] {
  const role = ctx.roles?.highlightedOf(accountId);
  return role ? [{ id: role.id, name: role.name, color: role.color }] : [];
}

/**
 * A profile field's value as its owner typed it, for `source.fields` (what a profile editor starts
 * from: Mastodon keeps the typed text there, while the stored value is the HTML made from it): a
 * link that shows its own address becomes that address again, other markup goes, entities are decoded.
 */
export function fieldSource(html: string): string {
  const links = html.replace(/<a\s[^>]*?href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_whole, href: string, inner: string) => {
    const shown = htmlToPlainText(inner).replace(/…$/, "");
    return shown !== "" && htmlToPlainText(href).replace(/^https?:\/\//i, "").startsWith(shown) ? href : inner;
  });
  return htmlToPlainText(links);
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
      quote_policy: settings.quote_policy,
      note: user.note_source,
      fields: fieldsOf(account).map((f) => ({ ...f, value: fieldSource(f.value) })),
      follow_requests_count: followRequestsCount,
      discoverable: account.discoverable === 1,
      indexable: account.indexable === 1,
      hide_collections: false,
      attribution_domains: [],
    },
    role: roleOf(user, ctx),
  };
}

/** The Role entity of a user's role (domain/moderation/roles.ts holds the permission bits, role-book.ts custom roles). */
export function roleOf(user: Pick<UserRow, "role">, ctx: ConvertContext) {
  const role: RoleInfo = ctx.roles ? ctx.roles.info(user.role) : builtInRole(isBuiltIn(user.role) ? user.role : "user");
  return { id: role.id, name: role.name, color: role.color, permissions: String(role.permissions), highlighted: role.highlighted };
}

/** Mastodon reports account creation at day precision (midnight UTC). */
function midnight(iso: string): string {
  return `${iso.slice(0, 10)}T00:00:00.000Z`;
}
