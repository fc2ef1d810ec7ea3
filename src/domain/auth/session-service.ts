// Web sign-in: the password check behind the HTML sign-in form, and the sessions its cookie names.
import type { Stores } from "../../store/stores.ts";
import type { UserRow } from "../../store/users.ts";
import { newId } from "../../util/ids.ts";
import { isoAfter, nowIso } from "../../util/time.ts";
import { hashSecret, newSecret } from "./secrets.ts";
import { verifyPassword } from "./passwords.ts";
import { unauthorized } from "../errors.ts";

const SESSION_LIFETIME_MS = 30 * 24 * 3600 * 1000;

export class SessionService {
  private readonly stores: Stores;
  constructor(stores: Stores) {
    this.stores = stores;
  }

  /** Checks a login (username or email) and password; returns a new session token. */
  async signIn(login: string, password: string, userAgent: string | null): Promise<{ token: string; user: UserRow }> {
    const trimmed = login.trim();
    const user = trimmed.includes("@") ? await this.stores.users.byEmail(trimmed) : await this.stores.users.byUsername(trimmed);
    // Check a password even for unknown logins, so timing does not tell which logins exist.
    const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    if (!user || !ok) throw unauthorized("Invalid username, email or password.");
    if (user.disabled) throw unauthorized("This account is disabled.");
    if (!user.approved) throw unauthorized("This account is waiting for approval.");
    if ((await this.stores.accounts.byId(user.account_id))?.suspended_at) throw unauthorized("This account is suspended.");
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
    const session = await this.stores.sessions.byTokenHash(hashSecret(token), nowIso());
    if (!session) return null;
    const user = await this.stores.users.byId(session.user_id);
    if (!user || user.disabled || !user.approved) return null;
    // A suspension ends the sessions it finds open.
    return (await this.stores.accounts.byId(user.account_id))?.suspended_at ? null : user;
  }

  async signOut(token: string): Promise<void> {
    await this.stores.sessions.deleteByTokenHash(hashSecret(token));
  }
}

// A valid hash of a random password nobody knows.
const DUMMY_HASH = "scrypt$16384$8$1$c2tlaW4tZHVtbXktc2FsdA$Hq2kTQ0tq3H2Wn1h2Gv7ZbqGq0k1n3Xw8yY3o3G4m9E";
