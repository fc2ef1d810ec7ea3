// E-mail as the domain sees it: `send` queues a message in the durable `mail` queue (a restart
// loses nothing: the job is deleted only after the transport accepted the mail, and a failing
// SMTP server is retried with the queue's backoff), and the typed helpers below say what each
// mail of Skein is, with the single-use links some of them carry (email-links.ts).
//
// Who calls what:
//   registration     sendConfirmation(userId) after sign-up
//   POST /api/v1/emails/confirmations   resendConfirmation(userId, email?)
//   /auth/password/new                  sendPasswordReset(email)
//   /auth/confirmation                  confirm(token)
//   /auth/password/edit                 checkResetToken(token), resetPassword(token, password)
//   moderation       sendApproved, sendRejected, sendWarning
//   settings         sendEmailChange(userId, newEmail)
import type { Config } from "../../config/config.ts";
import type { Stores } from "../../store/stores.ts";
import type { UserRow } from "../../store/users.ts";
import type { JobPort } from "../moderation/domain-enforcement.ts";
import type { MailMessage, MailTransport, OutgoingMail } from "./mail-transport.ts";
import { DomainError, forbidden, notFound, validationFailed } from "../errors.ts";
import { EmailLinks, LINK_HOURS } from "./email-links.ts";
import { approvedMail, confirmationMail, emailChangedNotice, emailChangeMail, passwordChangedNotice, passwordResetMail, rejectedMail, warningMail, type MailContext } from "./messages.ts";
import { newSecret } from "../auth/secrets.ts";
import { isEmailAddress } from "./email-address.ts";

/** The durable queue mails wait in until a transport accepts them (run by `start` and `worker`). */
export const MAIL_QUEUE = "mail";

const MAX_SUBJECT = 300;
const MAX_BODY = 200_000;

export class EmailService {
  private readonly stores: Stores;
  private readonly config: Config;
  readonly links: EmailLinks;
  /** The durable job queue, plugged in by server/context.ts; without one, nothing can be sent. */
  jobs: JobPort | null = null;
  /** Where queued mails go, plugged in by server/context.ts (SMTP, or the mail folder). */
  transport: MailTransport | null = null;

  constructor(stores: Stores, config: Config) {
    this.stores = stores;
    this.config = config;
    this.links = new EmailLinks(stores);
  }

  /** SMTP_FROM, or "Skein <notifications@host>". */
  get from(): string {
    return this.config.mail.from;
  }

  /**
   * Queues one mail. Resolves once the mail is stored in the queue, not when it is delivered:
   * delivery happens in the `mail` queue of a full server or worker, retried until accepted.
   */
  async send(message: MailMessage): Promise<void> {
    const to = message.to.trim();
    if (!isEmailAddress(to)) throw validationFailed(`"${to}" is not a valid email address`);
    if (/[\r\n]/.test(message.subject) || message.subject.length > MAX_SUBJECT) throw validationFailed("A mail subject is one line of at most 300 characters");
    if (message.text.length > MAX_BODY || (message.html?.length ?? 0) > MAX_BODY) throw validationFailed("A mail body is at most 200,000 characters");
    if (!this.jobs) throw new Error("No job queue in this process: the mail was not queued");
    const host = new URL(this.config.origin).hostname;
    const mail: OutgoingMail = { ...message, to, from: this.from, messageId: `<${newSecret()}@${host}>`, date: new Date().toUTCString() };
    await this.jobs.enqueue(MAIL_QUEUE, [mail], { orderingKey: null });
  }

  /**
   * The mail queue's handler: hands one queued mail to the transport (throws to be retried). A
   * mail carrying a link is queued as the link's id ({link}); its token is drawn and its text
   * written here, just before sending, so the jobs table never holds a usable token.
   */
  async deliver(payload: unknown): Promise<void> {
    if (!this.transport) throw new Error("No mail transport in this process");
    const linkId = (payload as { link?: unknown } | null)?.link;
    if (typeof linkId === "string") {
      const mail = await this.linkMail(linkId);
      if (mail) await this.transport.send(mail);
      return;
    }
    const mail = payload as OutgoingMail;
    if (!mail || typeof mail.to !== "string" || typeof mail.subject !== "string" || typeof mail.text !== "string") {
      throw new Error("A mail job without to, subject and text");
    }
    await this.transport.send(mail);
  }

  /** Queues the mail of a link made by links.issue. */
  private async sendLink(linkId: string | null): Promise<void> {
    if (linkId === null) return;
    if (!this.jobs) throw new Error("No job queue in this process: the mail was not queued");
    await this.jobs.enqueue(MAIL_QUEUE, [{ link: linkId }], { orderingKey: null });
  }

  /** The mail of a link, with a fresh token; null if the link ended or its user is gone. */
  private async linkMail(linkId: string): Promise<OutgoingMail | null> {
    const armed = await this.links.arm(linkId);
    if (!armed) return null;
    const { row, token } = armed;
    const user = await this.stores.users.byId(row.user_id);
    const account = user ? await this.stores.accounts.byId(user.account_id) : undefined;
    if (!user || !account) return null;
    const compose = { confirmation: confirmationMail, email_change: emailChangeMail, password_reset: passwordResetMail }[row.kind];
    const message = compose(this.context, row.email, account.username, token, LINK_HOURS[row.kind]);
    // The same Message-ID on every attempt: a receiver can tell a resent copy.
    return { ...message, from: this.from, messageId: `<link-${row.id}@${new URL(this.config.origin).hostname}>`, date: new Date().toUTCString() };
  }

  private get context(): MailContext {
    return { title: this.config.instance.title, origin: this.config.origin };
  }

  /**
   * Mails the user a link confirming their current address (/auth/confirmation?confirmation_token=…),
   * single-use, valid 24 h, replacing earlier confirmation links. Nothing is sent for an address
   * already confirmed. At most 5 links go to one address an hour (rate_limited beyond).
   */
  async sendConfirmation(userId: string): Promise<void> {
    const { user } = await this.userAndName(userId);
    if (user.confirmed_at) return;
    await this.sendLink(await this.links.issue(user, "confirmation", user.email, { quietWhenLimited: false }));
  }

  /**
   * POST /api/v1/emails/confirmations: sends the confirmation again, to `email` if given (the
   * unconfirmed address is replaced first). Refused (403) once the address is confirmed.
   */
  async resendConfirmation(userId: string, email?: string): Promise<void> {
    const { user } = await this.userAndName(userId);
    if (user.confirmed_at) throw forbidden("This method is only available while the e-mail is awaiting confirmation");
    if (email !== undefined && email.trim().toLowerCase() !== user.email.toLowerCase()) {
      const address = await this.freeAddress(email, user.id);
      await this.stores.users.update(user.id, { email: address, updated_at: new Date().toISOString() });
    }
    await this.sendConfirmation(userId);
  }

  /**
   * /auth/password/new: mails a reset link (/auth/password/edit?reset_password_token=…, single
   * use, valid 6 h) to the account with this address. Unknown addresses, disabled accounts and
   * addresses over their hourly allowance get nothing, silently: the caller answers the same
   * either way, so the form tells nobody which addresses have accounts.
   */
  async sendPasswordReset(email: string): Promise<void> {
    const address = email.trim();
    if (!address || address.length > 254) return;
    const user = await this.stores.users.byEmail(address);
    if (!user || user.disabled) return;
    const account = await this.stores.accounts.byId(user.account_id);
    if (!account || account.suspended_at) return;
    await this.sendLink(await this.links.issue(user, "password_reset", user.email, { quietWhenLimited: true }));
  }

  /** Tells a user their pending sign-up was approved (with a sign-in link). */
  async sendApproved(userId: string): Promise<void> {
    const { user, username } = await this.userAndName(userId);
    await this.send(approvedMail(this.context, user.email, username));
  }

  /** Tells someone their sign-up was rejected; takes the address and name, as the account is gone by then. */
  async sendRejected(email: string, username: string): Promise<void> {
    await this.send(rejectedMail(this.context, email, username));
  }

  /** A moderator's warning or action (`action`: none, sensitive, disable, silence, suspend) with their note. */
  async sendWarning(userId: string, warning: { action: string; text: string }): Promise<void> {
    const { user, username } = await this.userAndName(userId);
    await this.send(warningMail(this.context, user.email, username, warning.action, warning.text));
  }

  /**
   * Starts a change of address: the new address gets a confirmation link (24 h, single use);
   * the account keeps its old address until the link is followed; the old address is told.
   * A taken or malformed address is refused (conflict / validation).
   */
  async sendEmailChange(userId: string, newEmail: string): Promise<void> {
    const { user, username } = await this.userAndName(userId);
    const address = await this.freeAddress(newEmail, user.id);
    await this.sendLink(await this.links.issue(user, "email_change", address, { quietWhenLimited: false }));
    await this.send(emailChangedNotice(this.context, user.email, username, address));
  }

  /**
   * /auth/confirmation: follows a confirmation (or address change) link once. Returns the user,
   * now confirmed. Unknown, used and expired links are refused (unauthorized, with a message
   * saying which).
   */
  async confirm(token: string): Promise<UserRow> {
    return this.links.confirm(token);
  }

  /** Whether a reset link can still be used (the form is shown only for one that can). */
  async checkResetToken(token: string): Promise<void> {
    await this.links.usable(token, "password_reset");
  }

  /**
   * /auth/password/edit: sets a new password with a reset link (used up), then revokes every
   * access token, web session and other pending reset link of the account, and tells its address.
   */
  async resetPassword(token: string, password: string): Promise<void> {
    const user = await this.links.resetPassword(token, password);
    const account = await this.stores.accounts.byId(user.account_id);
    await this.send(passwordChangedNotice(this.context, user.email, account?.username ?? ""));
  }

  /** Deletes links used or expired before `before` (a periodic sweep; they only matter while usable). */
  forgetEndedLinks(before: string): Promise<number> {
    return this.stores.emailTokens.deleteEndedBefore(before);
  }

  private async userAndName(userId: string): Promise<{ user: UserRow; username: string }> {
    const user = await this.stores.users.byId(userId);
    if (!user) throw notFound("No such user");
    const account = await this.stores.accounts.byId(user.account_id);
    if (!account) throw notFound("No such user");
    return { user, username: account.username };
  }

  /** A well-formed address no other user has. */
  private async freeAddress(email: string, userId: string): Promise<string> {
    const address = email.trim();
    if (!isEmailAddress(address)) throw validationFailed(`"${address}" is not a valid email address`);
    const holder = await this.stores.users.byEmail(address);
    if (holder && holder.id !== userId) throw new DomainError("conflict", `Email ${address} is already in use`);
    return address;
  }
}
