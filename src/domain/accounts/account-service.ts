// Local accounts: creation, passwords, profile changes. The CLI, the registration API and the
// sign-in pages all come through here.
import type { AccountRow } from "../../store/accounts.ts";
/** What the account services hand out, for callers above the domain (pages) to name. */
export type { AccountRow };
import type { UserRow } from "../../store/users.ts";
import type { Stores } from "../../store/stores.ts";
import type { Config } from "../../config/config.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { generatePassword, hashPassword, verifyPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "../auth/passwords.ts";
import { DomainError, notFound, validationFailed } from "../errors.ts";
import { plainTextToHtml } from "../text/plain-to-html.ts";
import { LIMITS } from "../instance/instance-service.ts";
import { SilentOutbox, type Outbox } from "../outbox.ts";
import { isEmailAddress } from "../mail/email-address.ts";

export const USERNAME_PATTERN = /^[a-z0-9_]{1,30}$/i;

export type Visibility = "public" | "unlisted" | "private" | "direct";

/** Posting defaults a user keeps (`source` in Mastodon's CredentialAccount). */
export interface UserSettings {
  privacy: Visibility;
  sensitive: boolean;
  language: string | null;
  /** Who may quote new posts by default (Mastodon 4.5; domain/quotes). */
  quote_policy: "public" | "followers" | "nobody";
}

export function userSettings(user: UserRow): UserSettings {
  const stored = JSON.parse(user.settings || "{}") as Partial<UserSettings>;
  return { privacy: stored.privacy ?? "public", sensitive: stored.sensitive ?? false, language: stored.language ?? null, quote_policy: stored.quote_policy ?? "public" };
}

export interface CreatedAccount {
  account: AccountRow;
  user: UserRow;
  password: string;
}

export class AccountService {
  private readonly stores: Stores;
  private readonly config: Config;

  private readonly outbox: Outbox;

  constructor(stores: Stores, config: Config, outbox: Outbox = new SilentOutbox()) {
    this.stores = stores;
    this.config = config;
    this.outbox = outbox;
  }

  /** Creates a local account and its user. Without a password, one is generated and returned. */
  async createLocal(
    input: { username: string; email: string; password?: string; role?: UserRow["role"] },
    // Registration (domain/registration) creates unconfirmed, possibly pending users with their sign-up facts.
    userFields: Partial<Pick<UserRow, "approved" | "confirmed_at" | "sign_up_reason" | "sign_up_ip" | "invited_by_account_id" | "locale">> = {},
  ): Promise<CreatedAccount> {
    const username = input.username.trim();
    const email = input.email.trim();
    if (!USERNAME_PATTERN.test(username)) {
      throw validationFailed("Username must be 1 to 30 letters, digits or underscores");
    }
    if (!isEmailAddress(email)) throw validationFailed(`"${email}" is not a valid email address`);
    const password = input.password ?? generatePassword();
    checkPassword(password);
    if (await this.stores.accounts.byUsername(username, null)) throw new DomainError("conflict", `Username ${username} is already taken`);
    if (await this.stores.users.byEmail(email)) throw new DomainError("conflict", `Email ${email} is already in use`);

    const now = nowIso();
    const origin = this.config.origin;
    const account: AccountRow = {
      id: newId(),
      username,
      domain: null,
      display_name: "",
      note: "",
      fields: "[]",
      locked: 0,
      bot: 0,
      discoverable: 0,
      indexable: 0,
      uri: `${origin}/users/${username}`,
      url: `${origin}/@${username}`,
      avatar_url: null,
      header_url: null,
      followers_count: 0,
      following_count: 0,
      statuses_count: 0,
      last_status_at: null,
      suspended_at: null,
      created_at: now,
      updated_at: now,
      inbox_url: `${origin}/users/${username}/inbox`,
      shared_inbox_url: `${origin}/inbox`,
      followers_url: `${origin}/users/${username}/followers`,
      featured_url: `${origin}/users/${username}/collections/featured`,
      also_known_as: null,
      fetched_at: null,
      actor_type: "Person",
      moved_to_account_id: null,
      silenced_at: null,
      sensitized_at: null,
      suspension_origin: null,
      avatar_key: null, avatar_static_key: null, header_key: null, header_static_key: null,
    };
    const user: UserRow = {
      id: newId(),
      account_id: account.id,
      email,
      password_hash: await hashPassword(password),
      role: input.role ?? "user",
      note_source: "",
      settings: "{}",
      approved: 1,
      disabled: 0,
      last_sign_in_at: null,
      created_at: now,
      updated_at: now,
      confirmed_at: now,
      sign_up_reason: null,
      sign_up_ip: null,
      last_sign_in_ip: null,
      invited_by_account_id: null,
      locale: null,
      ...userFields,
    };
    await this.stores.transaction(async (tx) => {
      await tx.accounts.insert(account);
      await tx.users.insert(user);
    });
    return { account, user, password };
  }

  /** Sets a new password (generated unless given) and signs the user out everywhere. */
  async resetPassword(username: string, password: string = generatePassword()): Promise<string> {
    checkPassword(password);
    const user = await this.stores.users.byUsername(username);
    if (!user) throw notFound(`No local account named ${username}`);
    await this.stores.users.update(user.id, { password_hash: await hashPassword(password), updated_at: nowIso() });
    await this.stores.oauth.revokeAllTokensOfUser(user.id, nowIso());
    await this.stores.sessions.deleteAllOfUser(user.id);
    return password;
  }

  /** An account anyone may see (not suspended), or "not found". */
  async visible(id: string): Promise<AccountRow> {
    const account = await this.stores.accounts.byId(id);
    if (!account || account.suspended_at) throw notFound();
    return account;
  }

  /**
   * The local account a public page (/@name) shows, suspended or not: a suspended account's page
   * says it is gone (410) rather than pretending it never existed, as Mastodon's does. A sign-up
   * still waiting for approval has no page yet.
   */
  async localForPublicPage(username: string): Promise<{ account: AccountRow; suspended: boolean }> {
    const account = username && username.length <= 100 ? await this.stores.accounts.byUsername(username, null) : undefined;
    if (!account) throw notFound();
    const user = await this.stores.users.byUsername(account.username);
    if (user && user.approved !== 1) throw notFound();
    return { account, suspended: Boolean(account.suspended_at) };
  }

  /** Of `ids`, the accounts anyone may see, in the order asked (GET /api/v1/accounts?id[]=). */
  async visibleAmong(ids: readonly string[]): Promise<AccountRow[]> {
    const found = new Map((await this.stores.accounts.byIds(ids)).map((a) => [a.id, a]));
    return ids.flatMap((id) => {
      const account = found.get(id);
      return account && !account.suspended_at ? [account] : [];
    });
  }

  /** `user` or `user@domain` (this server's domain counts as local). */
  async lookup(acct: string): Promise<AccountRow> {
    const [username, domain] = acct.replace(/^@/, "").split("@");
    const local = !domain || domain.toLowerCase() === this.config.localDomain;
    const account = username ? await this.stores.accounts.byUsername(username, local ? null : domain) : undefined;
    if (!account || account.suspended_at) throw notFound();
    return account;
  }

  search(query: string, limit: number, offset: number): Promise<AccountRow[]> {
    return this.stores.accounts.search(query.replace(/^@/, "").split("@")[0], limit, offset);
  }

  followRequestCount(accountId: string): Promise<number> {
    return this.stores.relationships.countPending(accountId);
  }

  /** Names other accounts as this one's aliases (alsoKnownAs): a move *to* this account needs it. */
  async setAliases(user: UserRow, uris: string[]): Promise<AccountRow> {
    const clean = [...new Set(uris.map((u) => u.trim()).filter(Boolean))];
    if (clean.length > 10) throw validationFailed("Validation failed: at most 10 aliases");
    for (const uri of clean) {
      if (!/^https:\/\/[^\s]+$/.test(uri) && !/^http:\/\/[^\s]+$/.test(uri)) throw validationFailed(`Validation failed: "${uri}" is not an account URI`);
    }
    await this.stores.accounts.update(user.account_id, { also_known_as: JSON.stringify(clean), updated_at: nowIso() });
    const account = (await this.stores.accounts.byId(user.account_id))!;
    await this.outbox.profileUpdated(account);
    return account;
  }

  /** For actions that ask for the password again (moving the account): throws unless it is right. */
  async confirmPassword(user: UserRow, password: string): Promise<void> {
    if (!(await verifyPassword(password, user.password_hash))) throw new DomainError("unauthorized", "The password is wrong");
  }

  /**
   * Moves this account to `target`, which must already name this account as an alias. The
   * account is marked as moved, local followers follow the target, and remote followers' servers
   * are told (Move), as Mastodon does. The caller has confirmed the password.
   */
  async moveTo(user: UserRow, target: AccountRow, follow: (follower: AccountRow, target: AccountRow) => Promise<void>): Promise<AccountRow> {
    const account = (await this.stores.accounts.byId(user.account_id))!;
    if (target.id === account.id) throw validationFailed("Validation failed: an account cannot move to itself");
    const aliases = JSON.parse(target.also_known_as ?? "[]") as string[];
    if (!aliases.includes(account.uri)) throw validationFailed("Validation failed: the new account must list this one as an alias first");
    await this.stores.accounts.update(account.id, { moved_to_account_id: target.id, updated_at: nowIso() });
    const moved = (await this.stores.accounts.byId(account.id))!;
    for (const { account_id } of await this.stores.relationships.localFollowersOf(account.id)) {
      const follower = await this.stores.accounts.byId(account_id);
      if (follower && follower.id !== target.id) await follow(follower, target);
    }
    await this.outbox.moved(moved, target);
    return moved;
  }

  async list() {
    return this.stores.users.listWithAccounts();
  }

  async userOf(account: AccountRow): Promise<UserRow | undefined> {
    return this.stores.users.byUsername(account.username);
  }

  /** PATCH update_credentials: only the given fields change; everything is checked first. */
  async updateProfile(user: UserRow, changes: ProfileChanges): Promise<{ account: AccountRow; user: UserRow }> {
    const now = nowIso();
    const accountChanges: Partial<AccountRow> = {};
    const userChanges: Partial<UserRow> = {};
    if (changes.displayName !== undefined) {
      const name = changes.displayName.trim();
      if ([...name].length > LIMITS.displayNameLength) throw validationFailed(`Validation failed: Display name is too long (maximum is ${LIMITS.displayNameLength} characters)`);
      accountChanges.display_name = name;
    }
    if (changes.note !== undefined) {
      if ([...changes.note].length > LIMITS.noteLength) throw validationFailed(`Validation failed: Note is too long (maximum is ${LIMITS.noteLength} characters)`);
      userChanges.note_source = changes.note;
      accountChanges.note = plainTextToHtml(changes.note);
    }
    if (changes.fields !== undefined) {
      const fields = changes.fields.filter((f) => f.name.trim() !== "" || f.value.trim() !== "");
      if (fields.length > LIMITS.profileFields) throw validationFailed(`Validation failed: at most ${LIMITS.profileFields} profile fields`);
      for (const f of fields) {
        if (f.name.length > LIMITS.fieldNameLength || f.value.length > LIMITS.fieldValueLength) {
          throw validationFailed(`Validation failed: profile field names and values are limited to ${LIMITS.fieldValueLength} characters`);
        }
      }
      accountChanges.fields = JSON.stringify(fields.map((f) => ({ name: f.name.trim(), value: plainTextToHtml(f.value).replace(/^<p>|<\/p>$/g, ""), verified_at: null })));
    }
    // Avatar and header files, already stored (domain/media/profile-images.ts).
    if (changes.imageKeys) Object.assign(accountChanges, changes.imageKeys);
    for (const flag of ["locked", "bot", "discoverable", "indexable"] as const) {
      if (changes[flag] !== undefined) accountChanges[flag] = changes[flag] ? 1 : 0;
    }
    if (changes.privacy !== undefined || changes.sensitive !== undefined || changes.language !== undefined) {
      const settings = userSettings(user);
      if (changes.privacy !== undefined) {
        if (!VISIBILITIES.includes(changes.privacy as Visibility)) throw validationFailed("Validation failed: source[privacy] must be public, unlisted, private or direct");
        settings.privacy = changes.privacy as Visibility;
      }
      if (changes.sensitive !== undefined) settings.sensitive = changes.sensitive;
      if (changes.language !== undefined) {
        if (changes.language !== null && changes.language !== "" && !/^[a-z]{2}$/.test(changes.language)) {
          throw validationFailed("Validation failed: source[language] must be an ISO 639-1 code");
        }
        settings.language = changes.language || null;
      }
      userChanges.settings = JSON.stringify(settings);
    }
    await this.stores.transaction(async (tx) => {
      if (Object.keys(accountChanges).length) await tx.accounts.update(user.account_id, { ...accountChanges, updated_at: now });
      if (Object.keys(userChanges).length) await tx.users.update(user.id, { ...userChanges, updated_at: now });
    });
    const account = (await this.stores.accounts.byId(user.account_id))!;
    // Followers' servers keep a copy of the profile; tell them it changed.
    await this.outbox.profileUpdated(account);
    return { account, user: (await this.stores.users.byId(user.id))! };
  }
}

export const VISIBILITIES: readonly Visibility[] = ["public", "unlisted", "private", "direct"];

export interface ProfileChanges {
  displayName?: string;
  note?: string;
  fields?: { name: string; value: string }[];
  locked?: boolean;
  bot?: boolean;
  discoverable?: boolean;
  indexable?: boolean;
  privacy?: string;
  sensitive?: boolean;
  language?: string | null;
  /** New avatar/header storage keys (null: removed), set by ProfileImageService only. */
  imageKeys?: Partial<Pick<AccountRow, "avatar_key" | "avatar_static_key" | "header_key" | "header_static_key">>;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw validationFailed(`Password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long`);
  }
}
