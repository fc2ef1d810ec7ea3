// The seam between registration fees and whoever takes the money. The domain asks for a
// checkout and hands over webhooks; a provider (payments/stripe.ts) speaks its own wire format.
import { StripeClient, StripeSignatureError, type StripeEvent } from "../../../payments/stripe.ts";
import type { OutboundPolicy } from "../../../net/connection-guard.ts";

export interface CheckoutRequest {
  /** Minor units (cents). */
  amount: number;
  /** ISO 4217, upper case. */
  currency: string;
  /** Skein's own id for the payment (sent back in events, and the idempotency key). */
  reference: string;
  successUrl: string;
  cancelUrl: string;
  email?: string;
}

/** What an event means for a payment, whatever the provider calls it. */
export type PaymentEvent =
  | { id: string; kind: "paid"; checkoutId: string; paymentId: string | null }
  | { id: string; kind: "expired"; checkoutId: string }
  | { id: string; kind: "refunded" | "disputed"; paymentId: string }
  | { id: string; kind: "ignored"; type: string };

export class WebhookVerificationError extends Error {}

export interface PaymentProvider {
  readonly name: string;
  createCheckout(request: CheckoutRequest): Promise<{ id: string; url: string }>;
  /** Verifies the signature over the raw body and reads the event; throws WebhookVerificationError. */
  verifyWebhook(rawBody: Uint8Array, headers: { get(name: string): string | null | undefined }): PaymentEvent & { type: string };
}

/** Stripe's events → the four kinds. A refund or dispute names the PaymentIntent it concerns. */
export function stripeEventKind(event: StripeEvent): PaymentEvent & { type: string } {
  const o = event.object;
  const str = (v: unknown) => (typeof v === "string" && v.length <= 255 ? v : null);
  const base = { id: event.id, type: event.type };
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const checkoutId = str(o.id);
      // A delayed method (bank debit) completes the session unpaid; async_payment_succeeded follows.
      if (!checkoutId || o.payment_status !== "paid") return { ...base, kind: "ignored" };
      return { ...base, kind: "paid", checkoutId, paymentId: str(o.payment_intent) };
    }
    case "checkout.session.expired": {
      const checkoutId = str(o.id);
      return checkoutId ? { ...base, kind: "expired", checkoutId } : { ...base, kind: "ignored" };
    }
    case "charge.refunded":
    case "charge.dispute.created": {
      const paymentId = str(o.payment_intent);
      if (!paymentId) return { ...base, kind: "ignored" };
      return { ...base, kind: event.type === "charge.refunded" ? "refunded" : "disputed", paymentId };
    }
    default:
      return { ...base, kind: "ignored" };
  }
}

export class StripeProvider implements PaymentProvider {
  readonly name = "stripe";
  private readonly client: StripeClient;
  constructor(options: { secretKey: string; webhookSecret: string; apiBase: string; policy: OutboundPolicy }) {
    this.client = new StripeClient(options);
  }

  async createCheckout(request: CheckoutRequest): Promise<{ id: string; url: string }> {
    return this.client.createCheckoutSession({ ...request, customerEmail: request.email, description: "Registration fee" });
  }

  verifyWebhook(rawBody: Uint8Array, headers: { get(name: string): string | null | undefined }): PaymentEvent & { type: string } {
    try {
      return stripeEventKind(this.client.parseWebhook(rawBody, headers.get("stripe-signature")));
    } catch (error) {
      if (error instanceof StripeSignatureError) throw new WebhookVerificationError(error.message);
      throw error;
    }
  }
}
