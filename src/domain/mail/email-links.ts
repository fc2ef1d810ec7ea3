// The single-use links Skein mails: 256 random bits handed out once, only their SHA-256 kept
// (domain/auth/secrets.ts), each with an expiry, honoured once (a conditional update, so two
// clicks at once confirm once), and a new link of a kind retires the user's earlier ones.
// At most LINKS_PER_HOUR links go to one address an hour, so nobody can use the forms to flood a
// mailbox (the HTTP layer limits requests per client address as well).
import type { Stores } from "../../store/stores.ts";
import type { UserRow } from "../../store/users.ts";
import type { EmailTokenRow } from "../../store/mail/email-tokens.ts";
import type { EmailTokenKind } from "../../db/schema.ts";
import { DomainError, unauthorized } from "../errors.ts";
import { hashSecret, newSecret } from "../auth/secrets.ts";
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "../auth/passwords.ts";
import { validationFailed } from "../errors.ts";
import { newId } from "../../util/ids.ts";
import { isoAfter, nowIso } from "../../util/time.ts";

/** How long each kind of link works, in hours (Devise's defaults in Mastodon are alike). */
export const LINK_HOURS: Record<EmailTokenKind, number> = { confirmation: 24, email_change: 24, password_reset: 6 };

const LINKS_PER_HOUR = 5;
const HOUR_MS = 3600_000;
/** Links far longer than ours are not ours; refuse them before hashing. */
const MAX_TOKEN_LENGTH = 200;

export class EmailLinks {
  private readonly stores: Stores;
  constructor(stores: Stores) {
    this.stores = stores;
  }

  /**
   * A new link for `user` of `kind`, to be mailed to `email`; earlier unused links of the kind
   * end. Returns the link's id: its token is drawn only when the mail is sent (arm), so the queued
   * job holds no secret. Over the address's hourly allowance: null when `quietWhenLimited` (the
   * caller must not tell), else a rate_limited error.
   */
  async issue(user: UserRow, kind: EmailTokenKind, email: string, options: { quietWhenLimited: boolean }): Promise<string | null> {
    const now = nowIso();
    const recent = await this.stores.emailTokens.countSentTo(email, isoAfter(-HOUR_MS));
    if (recent >= LINKS_PER_HOUR) {
      if (options.quietWhenLimited) return null;
      throw new DomainError("rate_limited", "Too many mails were sent to this address; try again in an hour");
    }
    const id = newId();
    await this.stores.transaction(async (tx) => {
      await tx.emailTokens.retire(user.id, kind === "password_reset" ? ["password_reset"] : ["confirmation", "email_change"], now);
      await tx.emailTokens.insert({ id, user_id: user.id, kind, token_hash: null, email, expires_at: isoAfter(LINK_HOURS[kind] * HOUR_MS), used_at: null, created_at: now });
    });
    return id;
  }

  /**
   * Draws the token of a link about to be mailed (a new one on every attempt: a token from an
   * attempt that failed never works). null when the link ended meanwhile (a newer one replaced
   * it, or it expired): that mail is not sent.
   */
  async arm(id: string): Promise<{ row: EmailTokenRow; token: string } | null> {
    const row = await this.stores.emailTokens.byId(id);
    if (!row) return null;
    const token = newSecret();
    if (!(await this.stores.emailTokens.arm(id, hashSecret(token), nowIso()))) return null;
    return { row, token };
  }

  /** The stored link a token names, if it can still be used for one of `kinds`; else why not. */
  async usable(token: string, ...kinds: EmailTokenKind[]): Promise<EmailTokenRow> {
    if (!token || token.length > MAX_TOKEN_LENGTH) throw unauthorized("This link is not valid. Ask for a new one.");
    const row = await this.stores.emailTokens.byHash(hashSecret(token));
    if (!row || !kinds.includes(row.kind)) throw unauthorized("This link is not valid. Ask for a new one.");
    if (row.used_at) throw unauthorized("This link has already been used, or a newer one replaced it. Ask for a new one if you need to.");
    if (row.expires_at <= nowIso()) throw unauthorized("This link has expired. Ask for a new one.");
    return row;
  }

  /** Follows a confirmation or address-change link: the address it was sent to becomes the confirmed one. */
  async confirm(token: string): Promise<UserRow> {
    const row = await this.usable(token, "confirmation", "email_change");
    return this.stores.transaction(async (tx) => {
      const user = await tx.users.byId(row.user_id);
      if (!user) throw unauthorized("This link is not valid. Ask for a new one.");
      if (row.kind === "confirmation" && user.email.toLowerCase() !== row.email.toLowerCase()) {
        // The unconfirmed address was replaced since: this link confirms nothing any more.
        throw unauthorized("This link is for an address this account no longer uses. Ask for a new one.");
      }
      if (row.kind === "email_change") {
        const holder = await tx.users.byEmail(row.email);
        if (holder && holder.id !== user.id) throw new DomainError("conflict", `Email ${row.email} is already in use`);
      }
      const now = nowIso();
      if (!(await tx.emailTokens.consume(row.id, now))) throw unauthorized("This link has already been used, or a newer one replaced it. Ask for a new one if you need to.");
      await tx.users.update(user.id, { email: row.email, confirmed_at: user.confirmed_at && row.kind === "confirmation" ? user.confirmed_at : now, updated_at: now });
      return { ...user, email: row.email, confirmed_at: now };
    });
  }

  /** Sets a new password with a reset link; every token, session and reset link of the user ends. */
  async resetPassword(token: string, password: string): Promise<UserRow> {
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
      throw validationFailed(`Password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long`);
    }
    const row = await this.usable(token, "password_reset");
    const passwordHash = await hashPassword(password);
    return this.stores.transaction(async (tx) => {
      const now = nowIso();
      if (!(await tx.emailTokens.consume(row.id, now))) throw unauthorized("This link has already been used, or a newer one replaced it. Ask for a new one if you need to.");
      const user = await tx.users.byId(row.user_id);
      if (!user) throw unauthorized("This link is not valid. Ask for a new one.");
      await tx.users.update(user.id, { password_hash: passwordHash, updated_at: now });
      await tx.oauth.revokeAllTokensOfUser(user.id, now);
      await tx.sessions.deleteAllOfUser(user.id);
      await tx.emailTokens.retire(user.id, ["password_reset"], now);
      return user;
    });
  }
}
