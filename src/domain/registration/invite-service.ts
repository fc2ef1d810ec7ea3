// Invites: a code that lets up to `max_uses` people sign up before it expires. Created by users
// whose role holds invite_users (unless the admin keeps invites to staff), listed and revoked by
// their owner; used by registration-service.ts, which consumes one use in the sign-up's transaction.
import { randomBytes } from "node:crypto";
import type { Stores } from "../../store/stores.ts";
import type { InviteRow } from "../../store/registration/invites.ts";
export type { InviteRow };
import type { UserRow } from "../../store/users.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { forbidden, notFound, validationFailed } from "../errors.ts";
import type { RoleBook } from "../moderation/role-book.ts";
import type { RegistrationSettingsService } from "./registration-settings.ts";

/** Mastodon's choices of expiry, in seconds (null: never). */
export const INVITE_EXPIRIES: Record<string, number | null> = {
  "30m": 1800, "1h": 3600, "6h": 21_600, "12h": 43_200, "1d": 86_400, "1w": 604_800, never: null,
};
export const MAX_INVITE_USES = 100;
/** One user keeps at most this many invites (revoked ones included); enough for any community. */
const MAX_INVITES_PER_USER = 200;

export type InviteState = "valid" | "expired" | "used" | "revoked";

export function inviteState(invite: InviteRow, now = nowIso()): InviteState {
  if (invite.revoked_at) return "revoked";
  if (invite.expires_at && invite.expires_at <= now) return "expired";
  if (invite.max_uses !== null && invite.uses >= invite.max_uses) return "used";
  return "valid";
}

export class InviteService {
  private readonly stores: Stores;
  private readonly settings: RegistrationSettingsService;

  /** Roles in memory: a custom role's invite_users and manage_users count. */
  private readonly roles: () => RoleBook;

  constructor(stores: Stores, settings: RegistrationSettingsService, roles: () => RoleBook) {
    this.stores = stores;
    this.settings = settings;
    this.roles = roles;
  }

  /** Whether this user may create invites (role permission, and the staff-only setting). */
  async mayInvite(user: UserRow): Promise<boolean> {
    if (user.disabled || !user.approved) return false;
    if (!(await this.roles().fresh()).has(user.role, "invite_users")) return false;
    if ((await this.settings.current()).staffOnlyInvites) return user.role !== "user";
    return true;
  }

  async create(user: UserRow, input: { maxUses?: number | null; expiresIn?: number | null; autofollow?: boolean } = {}): Promise<InviteRow> {
    if (!(await this.mayInvite(user))) throw forbidden("You are not allowed to invite people");
    const maxUses = input.maxUses ?? null;
    if (maxUses !== null && (!Number.isInteger(maxUses) || maxUses < 1 || maxUses > MAX_INVITE_USES)) {
      throw validationFailed(`max_uses is a whole number from 1 to ${MAX_INVITE_USES}, or none for no limit`);
    }
    const expiresIn = input.expiresIn ?? null;
    if (expiresIn !== null && !Object.values(INVITE_EXPIRIES).includes(expiresIn)) {
      throw validationFailed("expires_in must be one of 1800, 3600, 21600, 43200, 86400, 604800, or none");
    }
    if ((await this.stores.invites.ofUser(user.id, MAX_INVITES_PER_USER)).length >= MAX_INVITES_PER_USER) {
      throw validationFailed(`You have ${MAX_INVITES_PER_USER} invites already: revoke some first`);
    }
    const now = Date.now();
    const row: InviteRow = {
      id: newId(),
      // 10 characters of base62-ish: ~59 bits, unguessable and short enough to type.
      code: randomBytes(8).toString("base64url").replace(/[-_]/g, "x").slice(0, 10),
      user_id: user.id,
      max_uses: maxUses,
      uses: 0,
      expires_at: expiresIn === null ? null : new Date(now + expiresIn * 1000).toISOString(),
      autofollow: input.autofollow ? 1 : 0,
      created_at: new Date(now).toISOString(),
      revoked_at: null,
    };
    await this.stores.invites.insert(row);
    return row;
  }

  async list(user: UserRow): Promise<InviteRow[]> {
    return this.stores.invites.ofUser(user.id);
  }

  /** Revokes one of the user's invites (staff with manage_users may revoke anyone's). */
  async revoke(user: UserRow | null, idOrCode: string): Promise<InviteRow> {
    const invite = (/^\d{1,20}$/.test(idOrCode) ? await this.stores.invites.byId(idOrCode) : undefined) ?? (await this.stores.invites.byCode(idOrCode));
    if (!invite) throw notFound("No such invite");
    if (user && invite.user_id !== user.id && !(await this.roles().fresh()).has(user.role, "manage_users")) throw notFound("No such invite");
    await this.stores.invites.revoke(invite.id, nowIso());
    return { ...invite, revoked_at: invite.revoked_at ?? nowIso() };
  }

  /** The invite behind a code, with its state (for /invite/CODE and the sign-up checks). */
  async lookup(code: string): Promise<{ invite: InviteRow; state: InviteState } | null> {
    if (code.length === 0 || code.length > 64) return null;
    const invite = await this.stores.invites.byCode(code);
    return invite ? { invite, state: inviteState(invite) } : null;
  }

  /** All invites, for `./skein invites list`. */
  async all(): Promise<InviteRow[]> {
    return this.stores.invites.all();
  }

  /** All invites (newest first, at most 500) with their inviter's username, for the admin console's list. */
  async allWithInviters(): Promise<{ invite: InviteRow; inviter: string | null }[]> {
    const invites = await this.stores.invites.all();
    const users = await Promise.all([...new Set(invites.map((i) => i.user_id))].map((id) => this.stores.users.byId(id)));
    const accounts = await this.stores.accounts.byIds(users.flatMap((u) => (u ? [u.account_id] : [])));
    const names = new Map(users.flatMap((u) => (u ? [[u.id, accounts.find((a) => a.id === u.account_id)?.username ?? null] as const] : [])));
    return invites.map((invite) => ({ invite, inviter: names.get(invite.user_id) ?? null }));
  }
}
