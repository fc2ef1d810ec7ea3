// Sign-up, for POST /api/v1/accounts and the /auth/sign_up page alike. One pass, in small named
// steps, so that a step can be inserted (paid registration puts its own between `create` and
// `welcome`): gate (is sign-up open to this request?) → validate (every field, all problems at
// once, as Mastodon's 422 `details`) → screen (sign-up blocks: e-mail domain, canonical e-mail,
// IP) → create (account + user, unconfirmed; pending in approval mode; the invite's use counted)
// → welcome (moderators told of a pending account, confirmation mail queued).
import type { RoleBook } from "../moderation/role-book.ts";
import type { Config } from "../../config/config.ts";
import type { Stores } from "../../store/stores.ts";
import type { UserRow } from "../../store/users.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { NotificationRow } from "../../store/notifications.ts";
import type { InviteRow } from "../../store/registration/invites.ts";
import type { AccountService } from "../accounts/account-service.ts";
import type { SignUpBlockService } from "../moderation/sign-up-blocks.ts";
import type { EventBus } from "../events.ts";
import { DomainError, forbidden } from "../errors.ts";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "../auth/passwords.ts";
import { nowIso } from "../../util/time.ts";
import { newId } from "../../util/ids.ts";
import { blockedBy, foldUsername, usernameProblem } from "./username-rules.ts";
import type { RegistrationSettings, RegistrationSettingsService } from "./registration-settings.ts";
import { inviteState, type InviteService } from "./invite-service.ts";
import { isEmailAddress } from "../mail/email-address.ts";

const MAX_REASON = 1000;

export interface SignUpInput {
  username: string;
  email: string;
  password: string;
  agreement: boolean;
  locale?: string;
  reason?: string;
  /** YYYY-MM-DD */
  dateOfBirth?: string;
  inviteCode?: string;
  /** The client's address (sign-up blocks, the moderators' view). */
  ip: string | null;
}

export type FieldErrors = Record<string, { error: string; description: string }[]>;

/** 422 with Mastodon's per-field `details`. */
export class RegistrationInvalid extends DomainError {
  readonly details: FieldErrors;
  constructor(details: FieldErrors) {
    const summary = Object.entries(details).map(([field, list]) => `${humanField(field)} ${list[0].description}`).join(", ");
    super("validation", `Validation failed: ${summary}`);
    this.details = details;
  }
}

function humanField(field: string): string {
  const name = field.replace(/_/g, " ");
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export interface SignedUp {
  user: UserRow;
  account: AccountRow;
  /** False in approval mode (or when a sign-up block asked for approval): no sign-in until approved. */
  approved: boolean;
  /** A registration fee in account mode: where to pay before the account can be used. */
  checkoutUrl?: string;
}

/** Mail and notification ports; set by services.ts (mail may be absent in a bare CLI process). */
export interface RegistrationPorts {
  sendConfirmation?(userId: string): Promise<void>;
  /** Registration fee (registration/payments): holds the new user until paid; its checkout, or null without a fee. */
  requirePayment?(userId: string, email: string): Promise<{ checkoutUrl: string } | null>;
  /** Registration fee in invite mode: throws forbidden (where to buy one) when there is no invite. */
  paymentGate?(hasInvite: boolean): Promise<void>;
  /** The roles in memory (who holds manage_users, custom roles too); absent: the built-in staff. */
  roles?(): Promise<RoleBook>;
}

export class RegistrationService {
  readonly ports: RegistrationPorts = {};

  private readonly stores: Stores;
  readonly config: Config;
  private readonly accounts: AccountService;
  readonly settings: RegistrationSettingsService;
  readonly invites: InviteService;
  private readonly signUpBlocks: () => SignUpBlockService;
  private readonly events: EventBus | undefined;

  constructor(stores: Stores, config: Config, accounts: AccountService, settings: RegistrationSettingsService, invites: InviteService, signUpBlocks: () => SignUpBlockService, events?: EventBus) {
    this.stores = stores;
    this.config = config;
    this.accounts = accounts;
    this.settings = settings;
    this.invites = invites;
    this.signUpBlocks = signUpBlocks;
    this.events = events;
  }

  /** The whole sign-up. Throws forbidden (closed / no valid invite) or RegistrationInvalid. */
  async signUp(input: SignUpInput): Promise<SignedUp> {
    const settings = await this.settings.current();
    const invite = await this.gate(settings, input.inviteCode);
    await this.ports.paymentGate?.(invite !== null);
    await this.validate(settings, input, invite);
    const screening = await this.screen(input);
    const approved = !(screening === "approval_required" || (settings.mode === "approval" && !invite));
    const created = await this.create(input, invite, approved);
    const payment = await this.pay(created);
    if (payment) created.checkoutUrl = payment.checkoutUrl;
    await this.welcome(created);
    return created;
  }

  /** Step 1: may anyone sign up now, and with which invite? */
  async gate(settings: RegistrationSettings, inviteCode: string | undefined): Promise<InviteRow | null> {
    const code = inviteCode?.trim() ?? "";
    const found = code ? await this.invites.lookup(code) : null;
    const usable = found?.state === "valid" ? found.invite : null;
    if (settings.mode === "closed" && !usable) throw forbidden("Registrations are closed on this server");
    if (settings.mode === "invite" && !usable) {
      if (code && found) throw new RegistrationInvalid({ invite_code: [{ error: "ERR_INVALID", description: `is ${found.state === "used" ? "used up" : found.state}` }] });
      if (code) throw new RegistrationInvalid({ invite_code: [{ error: "ERR_INVALID", description: "is not a valid invite" }] });
      throw forbidden("Registrations on this server need an invite");
    }
    // In open or approval mode a wrong code is still a mistake worth telling.
    if (code && !usable) throw new RegistrationInvalid({ invite_code: [{ error: "ERR_INVALID", description: found ? `is ${found.state === "used" ? "used up" : found.state}` : "is not a valid invite" }] });
    return usable;
  }

  /** Step 2: every field, every problem at once. */
  async validate(settings: RegistrationSettings, input: SignUpInput, invite: InviteRow | null): Promise<void> {
    const details: FieldErrors = {};
    const add = (field: string, error: string, description: string) => (details[field] ??= []).push({ error, description });
    const username = input.username.trim();
    const problem = usernameProblem(username);
    if (problem) add("username", problem.error, problem.description);
    else if (await this.stores.accounts.byUsername(username, null)) add("username", "ERR_TAKEN", "has already been taken");
    else if (blockedBy(username, await this.usernameBlocks())) add("username", "ERR_RESERVED", "is reserved");

    const email = input.email.trim();
    if (email === "") add("email", "ERR_BLANK", "can't be blank");
    else if (!isEmailAddress(email)) add("email", "ERR_INVALID", "is invalid");
    else if (await this.stores.users.byEmail(email)) add("email", "ERR_TAKEN", "has already been taken");

    if (input.password === "") add("password", "ERR_BLANK", "can't be blank");
    else if (input.password.length < MIN_PASSWORD_LENGTH) add("password", "ERR_TOO_SHORT", `is too short (minimum is ${MIN_PASSWORD_LENGTH} characters)`);
    else if (input.password.length > MAX_PASSWORD_LENGTH) add("password", "ERR_TOO_LONG", `is too long (maximum is ${MAX_PASSWORD_LENGTH} characters)`);

    if (!input.agreement) add("agreement", "ERR_ACCEPTED", "must be accepted");

    const reason = input.reason?.trim() ?? "";
    if (reason.length > MAX_REASON) add("reason", "ERR_TOO_LONG", `is too long (maximum is ${MAX_REASON} characters)`);
    else if (settings.mode === "approval" && settings.reasonRequired && !invite && reason === "") add("reason", "ERR_BLANK", "can't be blank");

    if (input.locale !== undefined && input.locale !== "" && !/^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})?$/.test(input.locale)) add("locale", "ERR_INVALID", "is not a supported locale");

    if (settings.minAge !== null) {
      const dob = input.dateOfBirth?.trim() ?? "";
      if (dob === "") add("date_of_birth", "ERR_BLANK", "can't be blank");
      else {
        const age = ageOn(dob, new Date());
        if (age === null) add("date_of_birth", "ERR_INVALID", "is invalid");
        else if (age < settings.minAge) add("date_of_birth", "ERR_BELOW_LIMIT", "is below the age limit");
      }
    }
    if (Object.keys(details).length > 0) throw new RegistrationInvalid(details);
  }

  /** Step 3: the moderators' sign-up blocks. */
  async screen(input: SignUpInput): Promise<"allowed" | "approval_required"> {
    const verdict = await this.signUpBlocks().check({ email: input.email.trim(), ip: input.ip });
    if (verdict.outcome === "blocked") throw new RegistrationInvalid({ email: [{ error: "ERR_BLOCKED", description: "is not allowed on this server" }] });
    return verdict.outcome;
  }

  /** Step 4: the account, unconfirmed; the invite's use counted first (refused when it ran out meanwhile). */
  async create(input: SignUpInput, invite: InviteRow | null, approved: boolean): Promise<SignedUp> {
    let inviter: UserRow | undefined;
    if (invite) {
      if (!(await this.stores.invites.consume(invite.id, nowIso()))) {
        throw new RegistrationInvalid({ invite_code: [{ error: "ERR_INVALID", description: `is ${inviteState({ ...invite, uses: invite.max_uses ?? invite.uses })}` }] });
      }
      inviter = await this.stores.users.byId(invite.user_id);
    }
    const reason = input.reason?.trim() || null;
    const { user, account } = await this.accounts.createLocal(
      { username: input.username.trim(), email: input.email.trim(), password: input.password },
      {
        approved: approved ? 1 : 0,
        confirmed_at: null,
        sign_up_reason: reason,
        sign_up_ip: input.ip,
        invited_by_account_id: inviter?.account_id ?? null,
        locale: input.locale?.trim() || null,
      },
    );
    return { user, account, approved };
  }

  /** Step 4b: a registration fee holds the account until paid; if no checkout can be opened, the sign-up is undone. */
  private async pay(created: SignedUp): Promise<{ checkoutUrl: string } | null> {
    try {
      return (await this.ports.requirePayment?.(created.user.id, created.user.email)) ?? null;
    } catch (error) {
      await this.stores.adminAccounts.deleteLocal(created.account.id);
      throw error;
    }
  }

  /** Step 5: moderators hear of an account waiting for them; the confirmation mail goes out. */
  async welcome(created: SignedUp): Promise<void> {
    if (!created.approved) await this.notifyModerators(created.account);
    await this.ports.sendConfirmation?.(created.user.id);
  }

  /** admin.sign_up to staff who manage users (moderators and up, custom roles holding manage_users). */
  private async notifyModerators(account: AccountRow): Promise<void> {
    const now = nowIso();
    for (const accountId of await this.stores.reports.handlerAccountIds((await this.ports.roles?.())?.holding("manage_users") ?? ["moderator", "admin", "owner"])) {
      const id = newId();
      const row = {
        id, account_id: accountId, from_account_id: account.id, type: "admin.sign_up", status_id: null,
        group_key: `ungrouped-${id}`, created_at: now, report_id: null, relationship_severance_event_id: null, account_warning_id: null,
      } as NotificationRow;
      await this.stores.notifications.insert(row);
      this.events?.publish({ type: "notification.created", notification: row });
    }
  }

  // --- the username block list -------------------------------------------------------------

  private async usernameBlocks(): Promise<{ normalized: string; exact: boolean }[]> {
    return (await this.stores.usernameBlocks.all()).map((b) => ({ normalized: b.normalized, exact: b.exact === 1 }));
  }

  async blockUsername(word: string, exact: boolean): Promise<{ username: string; normalized: string; exact: boolean }> {
    const normalized = foldUsername(word);
    if (normalized === "" || word.length > 60) throw new DomainError("validation", "A username block is 1 to 60 characters with at least one letter");
    await this.stores.usernameBlocks.upsert({ id: newId(), username: word, normalized, exact: exact ? 1 : 0, created_at: nowIso() });
    return { username: word, normalized, exact };
  }

  async unblockUsername(word: string): Promise<boolean> {
    return this.stores.usernameBlocks.remove(foldUsername(word));
  }

  async listUsernameBlocks() {
    return this.stores.usernameBlocks.all();
  }
}

/** Whole years between a YYYY-MM-DD date and `today`; null when it is no real date or in the future. */
export function ageOn(dateOfBirth: string, today: Date): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateOfBirth);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || y < 1900) return null;
  if (date.getTime() > today.getTime()) return null;
  let age = today.getUTCFullYear() - y;
  if (today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d)) age--;
  return age;
}
