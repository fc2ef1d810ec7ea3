// A user deleting their own account (Mastodon's Settings → Delete account), through the same
// path as a moderator's purge so that the rules live once: the account is suspended at once
// (its tokens and sessions stop working, its actor answers 410, its posts leave every listing),
// then services.moderation.accounts.purge queues the durable purge job, which sends a Delete of
// the actor to every server that knew it and removes its data. The account row stays, suspended
// and emptied, as Mastodon keeps it, so the username is never given to anyone else. The user row
// keeps no e-mail address or password: the address may sign up again, nobody can sign in.
import type { Stores } from "../../store/stores.ts";
import type { UserRow } from "../../store/users.ts";
import type { AccountModeration } from "../moderation/account-moderation.ts";
import { verifyPassword } from "../auth/passwords.ts";
import { DomainError, forbidden } from "../errors.ts";
import { nowIso } from "../../util/time.ts";
import type { AccountArchives } from "./archives.ts";

/** A second factor the user set up (two-factor sign-in), checked before a deletion; absent: none. */
export interface SecondFactor {
  /** Whether this user must give a code. */
  required(user: UserRow): Promise<boolean>;
  /** Whether the code (TOTP or a recovery code) is right; a recovery code is used up. */
  verify(user: UserRow, code: string): Promise<boolean>;
}

export class AccountDeletion {
  private readonly stores: Stores;
  private readonly moderation: () => AccountModeration;
  private readonly archives: AccountArchives;
  /** Set where two-factor sign-in is assembled, if it is. */
  secondFactor: SecondFactor | null = null;

  constructor(stores: Stores, moderation: () => AccountModeration, archives: AccountArchives) {
    this.stores = stores;
    this.moderation = moderation;
    this.archives = archives;
  }

  /** Whether the deletion form must ask for a two-factor code. */
  async needsCode(user: UserRow): Promise<boolean> {
    return this.secondFactor ? this.secondFactor.required(user) : false;
  }

  /**
   * Deletes the user's own account after checking the password (and the two-factor code when
   * the user has one). Owners cannot delete themselves: the server would be left without one.
   */
  async deleteOwn(user: UserRow, input: { password: string; code?: string }): Promise<void> {
    if (!(await verifyPassword(input.password, user.password_hash))) throw new DomainError("unauthorized", "The password is wrong");
    if (this.secondFactor && (await this.secondFactor.required(user))) {
      if (!input.code || !(await this.secondFactor.verify(user, input.code))) throw new DomainError("unauthorized", "The two-factor code is wrong");
    }
    if (user.role === "owner") throw forbidden("The server's owner cannot delete their account here; hand the role to someone else first");
    const account = await this.stores.accounts.byId(user.account_id);
    if (!account || account.suspended_at) throw forbidden("This account is already suspended or deleted");
    const now = nowIso();
    await this.stores.transaction(async (tx) => {
      await tx.accounts.update(account.id, { suspended_at: now, suspension_origin: "local", updated_at: now });
      // Signed out everywhere: every app's token and every web session.
      await tx.oauth.revokeAllTokensOfUser(user.id, now);
      await tx.sessions.deleteAllOfUser(user.id);
      await tx.users.update(user.id, {
        email: `deleted-${user.id}@invalid`,
        password_hash: "!deleted",
        disabled: 1,
        sign_up_ip: null,
        last_sign_in_ip: null,
        updated_at: now,
      });
    });
    await this.stores.accountImports.deleteOf(account.id);
    await this.archives.removeAllOf(account.id);
    // The purge a moderator's DELETE queues: the Delete of the actor, then the data (durable job).
    await this.moderation().purge({ accountId: account.id, role: null }, account.id);
  }
}
