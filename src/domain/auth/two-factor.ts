// Two-factor sign-in: the rules. A user sets up a TOTP key (shown once, during setup), proves it
// with a first code, and gets ten single-use recovery codes (shown once; only their hashes are
// kept). From then on the web sign-in asks for a code after the password (a challenge that is not
// a session), the password grant is refused (clients use the browser flow), and turning it off
// takes the password and a code. An administrator can require it of a role and above
// (REQUIRE_TWO_FACTOR).
import { randomBytes } from "node:crypto";
import type { Stores } from "../../store/stores.ts";
import type { UserRow } from "../../store/users.ts";
import type { Config } from "../../config/config.ts";
import { newId } from "../../util/ids.ts";
import { isoAfter, nowIso } from "../../util/time.ts";
import { hashSecret, newSecret } from "./secrets.ts";
import { verifyPassword } from "./passwords.ts";
import { matchTotp, newTotpSecret, otpauthUri, totpStep } from "./totp.ts";
import { builtInRole } from "../moderation/roles.ts";
import type { RoleLookup } from "../moderation/role-book.ts";
import { DomainError, notFound, unauthorized, validationFailed } from "../errors.ts";

export const RECOVERY_CODE_COUNT = 10;
/** A half-signed-in browser has this long to give its code… */
const CHALLENGE_LIFETIME_MS = 5 * 60 * 1000;
/** …and this many tries; then it starts again from the password (which has its own rate limit). */
export const MAX_CHALLENGE_ATTEMPTS = 5;
/** Longest input looked at: a recovery code with its dashes and some spaces around it. */
const MAX_CODE_INPUT = 64;

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: string | null;
  /** A setup was started and waits for its first code. */
  pending: boolean;
  recoveryCodesLeft: number;
}

export interface TwoFactorSetup {
  secret: string;
  uri: string;
}

export class TwoFactorService {
  private readonly stores: Stores;
  private readonly config: Config;
  /** Roles in memory (a custom role's position counts like a built-in's). */
  private readonly roles: () => RoleLookup;
  constructor(stores: Stores, config: Config, roles: () => RoleLookup) {
    this.stores = stores;
    this.config = config;
    this.roles = roles;
  }

  async status(userId: string): Promise<TwoFactorStatus> {
    const credential = await this.stores.twoFactor.credential(userId);
    const enabled = Boolean(credential?.enabled_at);
    return {
      enabled,
      enabledAt: credential?.enabled_at ?? null,
      pending: Boolean(credential && !credential.enabled_at),
      recoveryCodesLeft: enabled ? await this.stores.twoFactor.unusedRecoveryCodes(userId) : 0,
    };
  }

  async isEnabled(userId: string): Promise<boolean> {
    return Boolean((await this.stores.twoFactor.credential(userId))?.enabled_at);
  }

  /** Whether the user's role requires two-factor sign-in (REQUIRE_TWO_FACTOR). */
  required(user: UserRow): boolean {
    const least = this.config.requireTwoFactor;
    return least !== null && this.roles().info(user.role).position >= builtInRole(least).position;
  }

  /** Whether the user must set up two-factor sign-in before doing anything else on the web. */
  async setupRequired(user: UserRow): Promise<boolean> {
    return this.required(user) && !(await this.isEnabled(user.id));
  }

  /**
   * The key being set up: the one already pending (a reload shows the same key, so a scan made
   * from the first page still works), or a new one. Refused once enabled: the key is never shown
   * again after setup.
   */
  async setup(user: UserRow): Promise<TwoFactorSetup> {
    const credential = await this.stores.twoFactor.credential(user.id);
    if (credential?.enabled_at) throw new DomainError("conflict", "Two-factor sign-in is already enabled.");
    let secret = credential?.secret;
    if (!secret) {
      secret = newTotpSecret();
      await this.stores.twoFactor.putPendingSecret(user.id, secret, nowIso());
    }
    const account = await this.stores.accounts.byId(user.account_id);
    const name = account ? `${account.username}@${this.config.localDomain}` : user.email;
    return { secret, uri: otpauthUri(this.config.instance.title || this.config.localDomain, name, secret) };
  }

  /** Throws away a pending key and makes a new one (the page's "start over"). */
  async restartSetup(user: UserRow): Promise<TwoFactorSetup> {
    if (await this.isEnabled(user.id)) throw new DomainError("conflict", "Two-factor sign-in is already enabled.");
    await this.stores.twoFactor.putPendingSecret(user.id, newTotpSecret(), nowIso());
    return this.setup(user);
  }

  /** Enables two-factor sign-in with the first correct code; returns the recovery codes (shown once). */
  async enable(user: UserRow, code: string): Promise<string[]> {
    const credential = await this.stores.twoFactor.credential(user.id);
    if (!credential) throw notFound("Start the two-factor setup first.");
    if (credential.enabled_at) throw new DomainError("conflict", "Two-factor sign-in is already enabled.");
    const step = matchTotp(credential.secret, normalizeCode(code));
    if (step === null) throw validationFailed("That code is not right. Check the time on your device and try the current code.");
    return this.stores.transaction(async (stores) => {
      if (!(await stores.twoFactor.enable(user.id, step, nowIso()))) throw new DomainError("conflict", "Two-factor sign-in is already enabled.");
      return issueRecoveryCodes(stores, user.id);
    });
  }

  /** Turns two-factor sign-in off: needs the password and a current code (or a recovery code). */
  async disable(user: UserRow, password: string, code: string): Promise<void> {
    if (this.required(user)) throw new DomainError("forbidden", "Your role on this server requires two-factor sign-in; it cannot be turned off.");
    if (!(await verifyPassword(password, user.password_hash))) throw unauthorized("The password is not right.");
    if (!(await this.verify(user.id, code))) throw unauthorized("That code is not right.");
    await this.stores.twoFactor.remove(user.id);
  }

  /**
   * An administrator turns it off for a local user (`./skein accounts disable-two-factor`): no
   * password or code asked. Returns whether it was on (or being set up).
   */
  async adminDisable(username: string): Promise<boolean> {
    const user = await this.stores.users.byUsername(username);
    if (!user) throw notFound(`No local account named ${username}`);
    const had = (await this.stores.twoFactor.credential(user.id)) !== undefined;
    await this.stores.twoFactor.remove(user.id);
    return had;
  }

  /** New recovery codes (the old ones stop working); needs a current code. */
  async regenerateRecoveryCodes(user: UserRow, code: string): Promise<string[]> {
    if (!(await this.isEnabled(user.id))) throw notFound("Two-factor sign-in is not enabled.");
    if (!(await this.verify(user.id, code))) throw unauthorized("That code is not right.");
    return this.stores.transaction((stores) => issueRecoveryCodes(stores, user.id));
  }

  /**
   * Checks a code from the authenticator app or a recovery code, and uses it up: a TOTP code's
   * step is recorded (that code and every earlier one are refused from then on), a recovery code
   * is marked used.
   */
  async verify(userId: string, input: string): Promise<boolean> {
    const credential = await this.stores.twoFactor.credential(userId);
    if (!credential?.enabled_at) return false;
    const code = normalizeCode(input);
    if (/^\d{6}$/.test(code)) {
      const step = matchTotp(credential.secret, code);
      if (step === null || (credential.last_used_step !== null && step <= credential.last_used_step)) return false;
      return this.stores.twoFactor.useStep(userId, step);
    }
    if (!/^[a-z0-9]{8,32}$/.test(code)) return false;
    return this.stores.twoFactor.useRecoveryCode(userId, hashSecret(code), nowIso());
  }

  /** After a right password: the token of the challenge that a code must answer. Not a session. */
  async startChallenge(user: UserRow, userAgent: string | null): Promise<string> {
    const now = nowIso();
    await this.stores.twoFactor.deleteExpiredChallenges(now);
    const token = newSecret();
    await this.stores.twoFactor.insertChallenge({
      id: newId(),
      token_hash: hashSecret(token),
      user_id: user.id,
      user_agent: userAgent?.slice(0, 500) ?? null,
      expires_at: isoAfter(CHALLENGE_LIFETIME_MS),
      created_at: now,
    });
    return token;
  }

  /** Whether a challenge token is live (the code page is only shown for one). */
  async challengeIsLive(token: string): Promise<boolean> {
    return (await this.stores.twoFactor.challengeByTokenHash(hashSecret(token), nowIso())) !== undefined;
  }

  /**
   * Answers a challenge. Returns the user whose password and code are now both proven; throws
   * `unauthorized` for a wrong code, or for an unknown, expired or exhausted challenge (the
   * browser must then give the password again).
   */
  async answerChallenge(token: string, code: string): Promise<UserRow> {
    const challenge = await this.stores.twoFactor.challengeByTokenHash(hashSecret(token), nowIso());
    if (!challenge) throw new ChallengeExpired();
    const attempts = await this.stores.twoFactor.countAttempt(challenge.id);
    if (attempts > MAX_CHALLENGE_ATTEMPTS) {
      await this.stores.twoFactor.deleteChallenge(challenge.id);
      throw new ChallengeExpired("Too many wrong codes. Sign in again.");
    }
    if (!(await this.verify(challenge.user_id, code))) {
      if (attempts >= MAX_CHALLENGE_ATTEMPTS) {
        await this.stores.twoFactor.deleteChallenge(challenge.id);
        throw new ChallengeExpired("Too many wrong codes. Sign in again.");
      }
      throw unauthorized("That code is not right.");
    }
    await this.stores.twoFactor.deleteChallenge(challenge.id);
    const user = await this.stores.users.byId(challenge.user_id);
    if (!user) throw new ChallengeExpired();
    return user;
  }

  async cancelChallenge(token: string): Promise<void> {
    const challenge = await this.stores.twoFactor.challengeByTokenHash(hashSecret(token), nowIso());
    if (challenge) await this.stores.twoFactor.deleteChallenge(challenge.id);
  }

  /** The current TOTP step (for tests of the page and of clocks). */
  currentStep(): number {
    return totpStep();
  }
}

/** The challenge is gone: sign in again from the password. */
export class ChallengeExpired extends DomainError {
  constructor(message = "The sign-in took too long. Sign in again.") {
    super("unauthorized", message);
  }
}

/** Codes are typed with spaces and dashes ("123 456", "abcd-efgh-ijkl") and in any case. */
function normalizeCode(input: string): string {
  return input.slice(0, MAX_CODE_INPUT).replace(/[\s-]/g, "").toLowerCase();
}

/** Ten codes of 12 characters from a 31-letter alphabet (~59 bits each), shown grouped by four. */
async function issueRecoveryCodes(stores: Stores, userId: string): Promise<string[]> {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i to misread
  const codes: string[] = [];
  for (let i = 0; i < RECOVERY_CODE_COUNT; i++) {
    const bytes = randomBytes(12);
    let code = "";
    for (const byte of bytes) code += alphabet[byte % alphabet.length];
    codes.push(code);
  }
  await stores.twoFactor.replaceRecoveryCodes(
    userId,
    codes.map((code) => ({ id: newId(), code_hash: hashSecret(code) })),
    nowIso(),
  );
  return codes.map((code) => code.match(/.{4}/g)!.join("-"));
}
