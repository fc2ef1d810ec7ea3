// Stripe, spoken directly over its REST API (no SDK): Checkout Sessions created with a
// form-encoded POST and the secret key, and webhooks verified exactly as Stripe signs them.
// A bottom layer like net/: it knows Stripe's wire format and nothing of Skein's rules; the
// domain sees it through domain/registration/payments/payment-provider.ts.
//
// Webhook signatures: `Stripe-Signature: t=UNIX_SECONDS,v1=HEX[,v1=HEX…]`, each v1 an
// HMAC-SHA256 of `${t}.${rawBody}` keyed by the endpoint's signing secret (whsec_…). Several v1
// values appear while a secret is being rolled; one match is enough. The timestamp is inside the
// signed text, so a captured request cannot be replayed with a fresh `t`, and one older than the
// tolerance (300 s, Stripe's default) is refused.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Agent, Response } from "undici";
import { loadUndici, OnDemandDispatcher } from "../net/undici-on-demand.ts";
import { guardedConnector, type OutboundPolicy } from "../net/connection-guard.ts";

export const STRIPE_TOLERANCE_SECONDS = 300;
/** Stripe's header is short; anything much longer is not one. */
const MAX_SIGNATURE_HEADER = 4096;
const MAX_SIGNATURES = 16;
const MAX_RESPONSE_BYTES = 256 * 1024;
const REQUEST_TIMEOUT_MS = 15_000;

export class StripeSignatureError extends Error {}

/** Verifies a webhook's Stripe-Signature over its raw body; throws StripeSignatureError if it fails. */
export function verifyStripeSignature(
  rawBody: string | Uint8Array,
  header: string | null | undefined,
  secret: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): { timestamp: number } {
  if (!header) throw new StripeSignatureError("No Stripe-Signature header");
  if (header.length > MAX_SIGNATURE_HEADER) throw new StripeSignatureError("Stripe-Signature header too long");
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      if (!/^\d{1,12}$/.test(value) || timestamp !== null) throw new StripeSignatureError("Bad timestamp in Stripe-Signature");
      timestamp = Number(value);
    } else if (key === "v1" && /^[0-9a-fA-F]{64}$/.test(value) && signatures.length < MAX_SIGNATURES) {
      signatures.push(value.toLowerCase());
    }
    // Other schemes (v0 in test mode) are ignored, as Stripe's libraries do.
  }
  if (timestamp === null) throw new StripeSignatureError("No timestamp in Stripe-Signature");
  if (signatures.length === 0) throw new StripeSignatureError("No v1 signature in Stripe-Signature");
  const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : Buffer.from(rawBody);
  const expected = createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();
  const matched = signatures.some((hex) => timingSafeEqual(Buffer.from(hex, "hex"), expected));
  if (!matched) throw new StripeSignatureError("No signature matches the payload");
  const tolerance = options.toleranceSeconds ?? STRIPE_TOLERANCE_SECONDS;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > tolerance) throw new StripeSignatureError("Timestamp outside the tolerance");
  return { timestamp };
}

/** Form-encodes nested values the way Stripe reads them: a[b][c]=v. */
export function stripeForm(values: Record<string, unknown>, prefix = ""): URLSearchParams {
  const out = new URLSearchParams();
  const walk = (value: unknown, key: string) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${key}[${i}]`));
    else if (typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, key ? `${key}[${k}]` : k);
    else out.append(key, String(value));
  };
  walk(values, prefix);
  return out;
}

export interface StripeOptions {
  secretKey: string;
  webhookSecret: string;
  /** https://api.stripe.com unless pointed elsewhere (tests: the simulated provider on loopback). */
  apiBase: string;
  /** The connection policy (net/): public addresses only outside tests. */
  policy: OutboundPolicy;
}

export interface StripeCheckout {
  amount: number;
  currency: string;
  reference: string;
  description: string;
  successUrl: string;
  cancelUrl: string;
  customerEmail?: string;
}

/** An event as Stripe sends it, reduced to what Skein reads. */
export interface StripeEvent {
  id: string;
  type: string;
  created: number;
  object: Record<string, unknown>;
}

export class StripeClient {
  private readonly options: StripeOptions;
  private readonly agent: OnDemandDispatcher<Agent>;
  constructor(options: StripeOptions) {
    this.options = options;
    // Made on the first call to Stripe (net/undici-on-demand.ts).
    this.agent = new OnDemandDispatcher((undici) => new undici.Agent({ connect: guardedConnector(undici, options.policy, { timeout: REQUEST_TIMEOUT_MS }), headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS }));
  }

  /** POST /v1/checkout/sessions → {id, url}. The reference doubles as the idempotency key. */
  async createCheckoutSession(input: StripeCheckout): Promise<{ id: string; url: string }> {
    const body = stripeForm({
      mode: "payment",
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
      client_reference_id: input.reference,
      customer_email: input.customerEmail,
      metadata: { reference: input.reference },
      line_items: [{ quantity: 1, price_data: { currency: input.currency.toLowerCase(), unit_amount: input.amount, product_data: { name: input.description } } }],
    });
    const url = new URL("/v1/checkout/sessions", this.options.apiBase);
    const { fetch } = await loadUndici();
    const response = await fetch(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${this.options.secretKey}`,
        "content-type": "application/x-www-form-urlencoded",
        "idempotency-key": input.reference,
      },
      body: body.toString(),
      redirect: "error",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      dispatcher: await this.agent.get(),
    });
    const text = await boundedText(response, MAX_RESPONSE_BYTES);
    let json: { id?: unknown; url?: unknown; error?: { message?: unknown } };
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`Stripe answered ${response.status} with a body that is not JSON`);
    }
    if (!response.ok) throw new Error(`Stripe refused the checkout (${response.status}): ${String(json.error?.message ?? "no message").slice(0, 200)}`);
    if (typeof json.id !== "string" || typeof json.url !== "string" || !/^https?:\/\//.test(json.url)) throw new Error("Stripe's checkout session has no id or url");
    return { id: json.id, url: json.url };
  }

  /** Verifies and parses a webhook; throws StripeSignatureError for a forged or stale one. */
  parseWebhook(rawBody: Uint8Array, signature: string | null | undefined, now?: number): StripeEvent {
    verifyStripeSignature(rawBody, signature, this.options.webhookSecret, { now });
    let json: { id?: unknown; type?: unknown; created?: unknown; data?: { object?: unknown } };
    try {
      json = JSON.parse(Buffer.from(rawBody).toString("utf8"));
    } catch {
      throw new StripeSignatureError("Signed body is not JSON");
    }
    if (typeof json.id !== "string" || typeof json.type !== "string" || !json.data || typeof json.data.object !== "object" || json.data.object === null) {
      throw new StripeSignatureError("Signed body is not a Stripe event");
    }
    return { id: json.id.slice(0, 255), type: json.type.slice(0, 255), created: Number(json.created) || 0, object: json.data.object as Record<string, unknown> };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

async function boundedText(response: Response, max: number): Promise<string> {
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) throw new Error("Stripe's answer is too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
