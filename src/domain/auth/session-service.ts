// Web sign-in: the password check behind the HTML sign-in form, and the sessions its cookie names.
import type { Stores } from "../../store/stores.ts";
import type { UserRow } from "../../store/users.ts";
import { newId } from "../../util/ids.ts";
import { isoAfter, nowIso } from "../../util/time.ts";
import { hashSecret, newSecret } from "./secrets.ts";
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from "./passwords.ts";
import type { TwoFactorService } from "./two-factor.ts";
import type { WebSessionRow } from "../../store/sessions.ts";
import { notFound, unauthorized, validationFailed } from "../errors.ts";

const SESSION_LIFETIME_MS = 30 * 24 * 3600 * 1000;

/**
 * What a right password gives: a session, or, for a user with two-factor sign-in, a challenge
 * (a token that grants nothing until a code answers it: see two-factor.ts).
 */
export type SignInResult = { kind: "session"; token: string; user: UserRow } | { kind: "two_factor"; challenge: string; user: UserRow };

export class SessionService {
  private readonly stores: Stores;
  private readonly twoFactor: TwoFactorService;
  constructor(stores: Stores, twoFactor: TwoFactorService) {
    this.stores = stores;
    this.twoFactor = twoFactor;
  }

  /** Checks a login (username or email) and password; a session, or a challenge for the second factor. */
  async signIn(login: string, password: string, userAgent: string | null): Promise<SignInResult> {
    const trimmed = login.trim();
    const user = trimmed.includes("@") ? await this.stores.users.byEmail(trimmed) : await this.stores.users.byUsername(trimmed);
    // Check a password even for unknown logins, so timing does not tell which logins exist.
    const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    if (!user || !ok) throw unauthorized("Invalid username, email or password.");
    if (user.disabled) {
      // Disabled because the registration fee is not paid yet (registration/payments): say where to pay.
      const payment = await this.stores.payments.latestOfUser(user.id);
      if (payment?.state === "pending") throw unauthorized(`This account is waiting for its registration fee. Pay at ${payment.checkout_url}`);
      throw unauthorized("This account is disabled.");
    }
    if (!user.approved) throw unauthorized("This account is waiting for approval.");
    if ((await this.stores.accounts.byId(user.account_id))?.suspended_at) throw unauthorized("This account is suspended.");
    if (await this.twoFactor.isEnabled(user.id)) return { kind: "two_factor", challenge: await this.twoFactor.startChallenge(user, userAgent), user };
    return { kind: "session", ...(await this.openSession(user, userAgent)) };
  }

  /** The second step: a code (or recovery code) answers the challenge, and only then is there a session. */
  async completeTwoFactor(challenge: string, code: string, userAgent: string | null): Promise<{ token: string; user: UserRow }> {
    const user = await this.twoFactor.answerChallenge(challenge, code);
    // The account may have been disabled or suspended in the minutes between the two steps.
    if (user.disabled || !user.approved || (await this.stores.accounts.byId(user.account_id))?.suspended_at) {
      throw unauthorized("This account cannot sign in.");
    }
    return this.openSession(user, userAgent);
  }

  private async openSession(user: UserRow, userAgent: string | null): Promise<{ token: string; user: UserRow }> {
    const token = newSecret();
    const now = nowIso();
    await this.stores.sessions.insert({
      id: newId(),
      token_hash: hashSecret(token),
      user_id: user.id,
      user_agent: userAgent?.slice(0, 500) ?? null,
      expires_at: isoAfter(SESSION_LIFETIME_MS),
      created_at: now,
    });
    await this.stores.users.update(user.id, { last_sign_in_at: now });
    return { token, user };
  }

  async userOfSession(token: string): Promise<UserRow | null> {
    return (await this.sessionOf(token))?.user ?? null;
  }

  /** The live session a cookie names, with its user; null if none, or if the user can no longer sign in. */
  async sessionOf(token: string): Promise<{ session: WebSessionRow; user: UserRow } | null> {
    const session = await this.stores.sessions.byTokenHash(hashSecret(token), nowIso());
    if (!session) return null;
    const user = await this.stores.users.byId(session.user_id);
    if (!user || user.disabled || !user.approved) return null;
    // A suspension ends the sessions it finds open.
    return (await this.stores.accounts.byId(user.account_id))?.suspended_at ? null : { session, user };
  }

  /** A user's live web sessions, newest first. */
  async listSessions(userId: string): Promise<WebSessionRow[]> {
    return this.stores.sessions.listOfUser(userId, nowIso());
  }

  /** Ends one of the user's sessions (the settings page's "revoke"). */
  async revokeSession(userId: string, sessionId: string): Promise<void> {
    if (!(await this.stores.sessions.deleteOfUser(userId, sessionId))) throw notFound("No such session.");
  }

  /**
   * Changes the password: the current one must be right. Every other web session and every app
   * token of the user ends (whoever had the old password may have signed in with it); the session
   * making the change stays.
   */
  async changePassword(user: UserRow, current: string, next: string, keepSessionId: string): Promise<void> {
    if (!(await verifyPassword(current, user.password_hash))) throw unauthorized("The current password is not right.");
    if (next.length < MIN_PASSWORD_LENGTH || next.length > MAX_PASSWORD_LENGTH) {
      throw validationFailed(`The new password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long.`);
    }
    const hash = await hashPassword(next);
    await this.stores.transaction(async (tx) => {
      const now = nowIso();
      await tx.users.update(user.id, { password_hash: hash, updated_at: now });
      await tx.oauth.revokeAllTokensOfUser(user.id, now);
      await tx.sessions.deleteOthersOfUser(user.id, keepSessionId);
    });
  }

  async signOut(token: string): Promise<void> {
    await this.stores.sessions.deleteByTokenHash(hashSecret(token));
  }
}

// A valid hash of a random password nobody knows.
const DUMMY_HASH = "scrypt$16384$8$1$c2tlaW4tZHVtbXktc2FsdA$Hq2kTQ0tq3H2Wn1h2Gv7ZbqGq0k1n3Xw8yY3o3G4m9E";
