// Registration fees: the state machine between a sign-up and the provider's word that it was paid.
//
//   account mode   sign-up → user stored disabled, payment "pending" with a checkout URL
//                  → paid: the user is enabled  → refunded | disputed: disabled again, a report filed
//   invite mode    checkout for an e-mail → paid: a one-use invite minted and mailed
//   either         pending → expired (checkout.session.expired): still unpaid; the sweep removes
//                  unpaid accounts after UNPAID_ACCOUNT_DAYS.
//
// Webhooks are verified by the provider (signature + timestamp), then recorded by event id before
// anything changes; a duplicate is acknowledged and ignored, so the provider stops retrying. Each
// transition is a conditional update, so a late "expired" cannot undo a "paid".
import { randomBytes } from "node:crypto";
import type { Stores } from "../../../store/stores.ts";
import type { PaymentRow } from "../../../store/registration/payments.ts";
import type { Config } from "../../../config/config.ts";
import { formatFee, parseFee, type FeeMode, type RegistrationFee } from "../../../config/payment-config.ts";
import { newId } from "../../../util/ids.ts";
import { isoAfter, nowIso } from "../../../util/time.ts";
import { hashSecret } from "../../auth/secrets.ts";
import { DomainError } from "../../errors.ts";
import { StripeProvider, WebhookVerificationError, type PaymentEvent, type PaymentProvider } from "./payment-provider.ts";

const FEE_SETTING = "registration_fee";
/** How long a paid-for invite stays usable. */
const INVITE_DAYS = 30;

export interface PaymentPorts {
  /** Queues a plain mail (services.emails.send). */
  mail?: (message: { to: string; subject: string; text: string }) => Promise<void>;
  /** Files a report for moderators about a refunded or disputed account (moderation's ReportService). */
  report?: (targetAccountId: string, comment: string) => Promise<void>;
}

export type WebhookOutcome = { status: "processed" | "duplicate" | "ignored"; event?: string };

export class PaymentService {
  private readonly stores: Stores;
  private readonly config: Config;
  private readonly ports: PaymentPorts;
  private providerCache: PaymentProvider | null | undefined;

  constructor(stores: Stores, config: Config, ports: PaymentPorts = {}) {
    this.stores = stores;
    this.config = config;
    this.ports = ports;
  }

  /** Tests and other providers plug in here; by default the configured one (Stripe). */
  setProvider(provider: PaymentProvider | null): void {
    this.providerCache = provider;
  }

  provider(): PaymentProvider | null {
    if (this.providerCache === undefined) {
      const p = this.config.payments.provider;
      this.providerCache = p
        ? new StripeProvider({ ...p, policy: { allowPrivate: this.config.environment === "test" } })
        : null;
    }
    return this.providerCache;
  }

  /** The fee in force: the CLI's override (settings table) if any, else REGISTRATION_FEE. */
  async fee(): Promise<RegistrationFee | null> {
    const stored = await this.stores.settings.get(FEE_SETTING);
    if (stored === undefined || stored === "") return this.config.payments.fee;
    if (stored === "off") return null;
    try {
      const v = JSON.parse(stored) as RegistrationFee;
      if (Number.isSafeInteger(v.amount) && v.amount > 0 && /^[A-Z]{3}$/.test(v.currency) && (v.mode === "account" || v.mode === "invite")) return v;
    } catch {
      // fall through: a damaged setting means the environment's fee
    }
    return this.config.payments.fee;
  }

  /** `./skein payments fee 5.00 USD --mode invite` / `fee off` / `fee default`. */
  async setFee(text: string, mode: FeeMode | undefined): Promise<RegistrationFee | null> {
    const t = text.trim().toLowerCase();
    if (t === "default") {
      // "" in the settings table: no override, REGISTRATION_FEE again.
      await this.stores.settings.put(FEE_SETTING, "");
      return this.config.payments.fee;
    }
    if (t === "off") {
      await this.stores.settings.put(FEE_SETTING, "off");
      return null;
    }
    const parsed = parseFee(text);
    if (typeof parsed === "string") throw new DomainError("validation", parsed);
    if (!this.provider()) throw new DomainError("validation", "No payment provider is configured: set PAYMENT_PROVIDER=stripe, STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET");
    const fee: RegistrationFee = { ...parsed, mode: mode ?? (await this.fee())?.mode ?? this.config.payments.fee?.mode ?? "account" };
    await this.stores.settings.put(FEE_SETTING, JSON.stringify(fee));
    return fee;
  }

  describe(fee: RegistrationFee | null): string {
    return fee ? `${formatFee(fee)} (${fee.mode} mode)` : "off";
  }

  /**
   * Account mode, right after sign-up stored the user: keeps the user disabled until paid and
   * returns where to pay. Registration calls it inside its flow; null when there is no fee.
   */
  async requireForNewUser(userId: string, email: string): Promise<{ checkoutUrl: string } | null> {
    const fee = await this.fee();
    if (!fee || fee.mode !== "account") return null;
    const provider = this.requireProvider();
    await this.stores.users.update(userId, { disabled: 1 });
    const payment = await this.openCheckout(provider, fee, { userId, email });
    return { checkoutUrl: payment.checkout_url };
  }

  /**
   * `./skein payments require USERNAME`: puts an existing local account behind the fee (one made
   * with `./skein accounts create`, or before a fee was set); the same path sign-up takes.
   */
  async requireForUsername(username: string): Promise<{ checkoutUrl: string }> {
    const user = await this.stores.users.byUsername(username);
    if (!user) throw new DomainError("not_found", `No local account ${username}`);
    const fee = await this.fee();
    if (!fee || fee.mode !== "account") throw new DomainError("validation", "No fee in account mode is set");
    const result = await this.requireForNewUser(user.id, user.email);
    return result!;
  }

  recent(limit = 100) {
    return this.stores.payments.recent(limit);
  }

  /** Sign-up's gate: in invite mode a fee means no sign-up without an invite (paid for or given). */
  async gateSignUp(hasInvite: boolean): Promise<void> {
    if (hasInvite) return;
    const fee = await this.fee();
    if (fee?.mode === "invite") throw new DomainError("forbidden", `Signing up here needs an invite: buy one (${formatFee(fee)}) at ${this.config.origin}/auth/payment/invite`);
  }

  /** Invite mode: a checkout for someone who will receive an invite by e-mail once paid. */
  async checkoutForInvite(email: string): Promise<{ checkoutUrl: string }> {
    const fee = await this.fee();
    if (!fee || fee.mode !== "invite") throw new DomainError("forbidden", "This server does not sell invites");
    if (!/^[^@\s]{1,64}@[^@\s]{1,255}$/.test(email) || email.length > 254) throw new DomainError("validation", "Validation failed: Email is invalid");
    const payment = await this.openCheckout(this.requireProvider(), fee, { userId: null, email });
    return { checkoutUrl: payment.checkout_url };
  }

  /**
   * Why a bearer token that authentication refused is refused, when the reason is an unpaid
   * fee: the message and where to pay. Only asked for refused tokens, so it costs nothing on
   * the normal path.
   */
  async unpaidRefusal(bearer: string): Promise<{ message: string; checkoutUrl: string } | null> {
    const token = await this.stores.oauth.tokenByHash(hashSecret(bearer));
    if (!token || token.revoked_at || !token.user_id) return null;
    const payment = await this.stores.payments.latestOfUser(token.user_id);
    if (!payment || (payment.state !== "pending" && payment.state !== "expired")) return null;
    const checkoutUrl = payment.state === "pending" ? payment.checkout_url : await this.renewCheckout(payment);
    return { message: `Your account is waiting for the registration fee (${formatFee(payment)}). Pay at ${checkoutUrl}`, checkoutUrl };
  }

  /** Where a user who signed up but has not paid pays (web sign-in shows it). */
  async pendingCheckoutOf(userId: string): Promise<string | null> {
    const payment = await this.stores.payments.latestOfUser(userId);
    if (!payment || (payment.state !== "pending" && payment.state !== "expired")) return null;
    return payment.state === "pending" ? payment.checkout_url : this.renewCheckout(payment);
  }

  /**
   * A webhook: verified (throws WebhookVerificationError → 400), then handled once per event id.
   * If handling fails the id is forgotten again, so the provider's retry gets another chance.
   */
  async handleWebhook(providerName: string, rawBody: Uint8Array, headers: { get(name: string): string | null | undefined }): Promise<WebhookOutcome> {
    const provider = this.provider();
    if (!provider || provider.name !== providerName) throw new DomainError("not_found", "No such payment provider");
    const event = provider.verifyWebhook(rawBody, headers);
    if (event.kind === "ignored") return { status: "ignored", event: event.type };
    if (!(await this.stores.payments.recordEvent(provider.name, event.id, event.type, nowIso()))) return { status: "duplicate", event: event.type };
    try {
      await this.apply(provider.name, event);
    } catch (error) {
      await this.stores.payments.forgetEvent(provider.name, event.id);
      throw error;
    }
    return { status: "processed", event: event.type };
  }

  /** Removes accounts left unpaid for UNPAID_ACCOUNT_DAYS; returns how many. */
  async sweepUnpaid(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.payments.unpaidAccountDays * 86_400_000).toISOString();
    let removed = 0;
    for (const payment of await this.stores.payments.unpaidBefore(before)) {
      if (payment.mode !== "account" || !payment.user_id) continue;
      const user = await this.stores.users.byId(payment.user_id);
      // Only an account that is still what sign-up left: disabled, never paid.
      if (!user || !user.disabled) continue;
      const latest = await this.stores.payments.latestOfUser(user.id);
      if (latest?.id !== payment.id) continue;
      await this.stores.adminAccounts.deleteLocal(user.account_id);
      removed++;
    }
    return removed;
  }

  private requireProvider(): PaymentProvider {
    const provider = this.provider();
    if (!provider) throw new DomainError("forbidden", "Registration needs a payment, but no payment provider is configured");
    return provider;
  }

  private async openCheckout(provider: PaymentProvider, fee: RegistrationFee, who: { userId: string | null; email: string }): Promise<PaymentRow> {
    const id = newId();
    const origin = this.config.origin;
    const checkout = await provider.createCheckout({
      amount: fee.amount,
      currency: fee.currency,
      reference: `skein-${id}`,
      successUrl: `${origin}/auth/payment/done`,
      cancelUrl: `${origin}/auth/payment/cancelled`,
      email: who.email,
    });
    const now = nowIso();
    const row: PaymentRow = {
      id,
      provider: provider.name,
      checkout_id: checkout.id.slice(0, 255),
      checkout_url: checkout.url.slice(0, 2048),
      provider_payment_id: null,
      user_id: who.userId,
      email: who.email,
      invite_id: null,
      mode: fee.mode,
      amount: fee.amount,
      currency: fee.currency,
      state: "pending",
      created_at: now,
      updated_at: now,
    };
    await this.stores.payments.insert(row);
    return row;
  }

  /** An expired checkout cannot be paid any more: a fresh one for the same account. */
  private async renewCheckout(payment: PaymentRow): Promise<string> {
    const fee = (await this.fee()) ?? { amount: payment.amount, currency: payment.currency, mode: payment.mode };
    const row = await this.openCheckout(this.requireProvider(), { ...fee, mode: payment.mode }, { userId: payment.user_id, email: payment.email ?? "" });
    return row.checkout_url;
  }

  private async apply(provider: string, event: PaymentEvent): Promise<void> {
    const at = nowIso();
    switch (event.kind) {
      case "paid": {
        const payment = await this.stores.payments.byCheckout(provider, event.checkoutId);
        if (!payment) return;
        if (payment.mode === "account") {
          const moved = await this.stores.transaction(async (tx) => {
            if (!(await tx.payments.transition(payment.id, ["pending", "expired"], "paid", event.paymentId ? { provider_payment_id: event.paymentId } : {}, at))) return false;
            if (payment.user_id) await tx.users.update(payment.user_id, { disabled: 0 });
            return true;
          });
          if (moved && payment.user_id && payment.email && this.ports.mail) {
            await this.ports.mail({ to: payment.email, subject: "Your registration is paid", text: `Thank you: your account on ${this.config.localDomain} can be used now.\n\n${this.config.origin}/auth/sign_in\n` });
          }
          return;
        }
        const code = inviteCode();
        const minted = await this.stores.transaction(async (tx) => {
          const owner = await tx.payments.adminUserId();
          if (!owner) throw new Error("No admin account to own paid invites");
          const inviteId = newId();
          if (!(await tx.payments.transition(payment.id, ["pending", "expired"], "paid", { invite_id: inviteId, ...(event.paymentId ? { provider_payment_id: event.paymentId } : {}) }, at))) return false;
          await tx.invites.insert({ id: inviteId, code, user_id: owner, max_uses: 1, uses: 0, expires_at: isoAfter(INVITE_DAYS * 86_400_000), autofollow: 0, created_at: at, revoked_at: null });
          return true;
        });
        if (minted && payment.email && this.ports.mail) {
          await this.ports.mail({
            to: payment.email,
            subject: `Your invite to ${this.config.localDomain}`,
            text: `Thank you for your payment. Sign up with this invite (one use, ${INVITE_DAYS} days):\n\n${this.config.origin}/invite/${code}\n`,
          });
        }
        return;
      }
      case "expired": {
        const payment = await this.stores.payments.byCheckout(provider, event.checkoutId);
        if (payment) await this.stores.payments.transition(payment.id, ["pending"], "expired", {}, at);
        return;
      }
      case "refunded":
      case "disputed": {
        const payment = await this.stores.payments.byProviderPayment(provider, event.paymentId);
        if (!payment) return;
        const moved = await this.stores.transaction(async (tx) => {
          // A refund acts on a paid payment once (partial refunds send several); a dispute may follow a refund.
          if (!(await tx.payments.transition(payment.id, event.kind === "refunded" ? ["paid"] : ["paid", "refunded"], event.kind, {}, at))) return false;
          if (payment.user_id) await tx.users.update(payment.user_id, { disabled: 1 });
          if (payment.invite_id) await tx.invites.revoke(payment.invite_id, at);
          return true;
        });
        if (!moved || !payment.user_id || !this.ports.report) return;
        const user = await this.stores.users.byId(payment.user_id);
        if (user) {
          await this.ports.report(
            user.account_id,
            `Registration fee ${event.kind === "refunded" ? "refunded" : "disputed"} (${formatFee(payment)}, ${provider} event ${event.id}). The account was disabled until a moderator reviews it.`,
          );
        }
        return;
      }
    }
  }
}

export { WebhookVerificationError };

/** Invite codes as Mastodon makes them: short, letters and digits. */
function inviteCode(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  return [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join("");
}
