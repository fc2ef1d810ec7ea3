// A simulated Stripe on loopback (node:http), for paid-registration tests: it answers
// POST /v1/checkout/sessions as Stripe does (form body, Bearer secret key, cs_test_… ids, a url to
// its own "pay" page), and sends webhooks to the server signed exactly as Stripe signs them —
// computed here with node:crypto, independently of src/payments/stripe.ts.
import http from "node:http";
import { createHmac, randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

export interface SimulatedSession {
  id: string;
  url: string;
  paymentIntent: string;
  amount: number;
  currency: string;
  reference: string;
  email: string | null;
  successUrl: string;
  cancelUrl: string;
  status: "open" | "complete" | "expired";
}

export interface SendOptions {
  /** Unix seconds in t= (default now). */
  timestamp?: number;
  /** Sign with this secret instead of the endpoint's. */
  secret?: string;
  /** Reuse an event id (Stripe retries with the same id). */
  eventId?: string;
  /** Extra v1 signatures put first (a rolled secret). */
  extraSignatures?: string[];
  /** Replace the whole header. */
  header?: string;
}

export interface SentWebhook {
  eventId: string;
  status: number;
  body: string;
}

const rand = (n = 12) => randomBytes(n).toString("hex");

export class SimulatedStripe {
  readonly secretKey = `sk_test_${rand(8)}`;
  readonly webhookSecret = `whsec_${rand(16)}`;
  readonly sessions = new Map<string, SimulatedSession>();
  /** Requests to the API refused for a wrong key (should stay 0). */
  unauthorized = 0;
  private server: http.Server | null = null;
  base = "";
  /** Where webhooks go: the Skein server's /webhooks/payments/stripe. */
  webhookUrl = "";

  async start(host = "127.0.0.1"): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res).catch((e) => {
      res.statusCode = 500;
      res.end(String(e));
    }));
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    this.base = `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Stripe's header for a payload: t=…,v1=HMAC-SHA256(secret, `${t}.${payload}`). */
  sign(payload: string, timestamp: number, secret = this.webhookSecret): string {
    return `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex")}`;
  }

  /** POSTs an event to the server, signed like Stripe; returns the server's answer. */
  async send(type: string, object: Record<string, unknown>, options: SendOptions = {}): Promise<SentWebhook> {
    const eventId = options.eventId ?? `evt_test_${rand()}`;
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const payload = JSON.stringify({ id: eventId, object: "event", api_version: "2024-06-20", created: timestamp, livemode: false, type, data: { object } });
    let header = options.header ?? this.sign(payload, timestamp, options.secret);
    if (options.extraSignatures?.length) header = header.replace(",v1=", `,${options.extraSignatures.map((s) => `v1=${s}`).join(",")},v1=`);
    const response = await fetch(this.webhookUrl, { method: "POST", headers: { "content-type": "application/json; charset=utf-8", "stripe-signature": header, "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)" }, body: payload });
    return { eventId, status: response.status, body: await response.text() };
  }

  session(id: string): SimulatedSession {
    const s = this.sessions.get(id);
    if (!s) throw new Error(`no simulated session ${id}`);
    return s;
  }

  sessionObject(s: SimulatedSession, paid: boolean): Record<string, unknown> {
    return {
      id: s.id, object: "checkout.session", mode: "payment", amount_total: s.amount, currency: s.currency, client_reference_id: s.reference,
      customer_email: s.email, metadata: { reference: s.reference }, payment_intent: paid ? s.paymentIntent : null,
      payment_status: paid ? "paid" : "unpaid", status: s.status, url: s.status === "open" ? s.url : null, success_url: s.successUrl, cancel_url: s.cancelUrl,
    };
  }

  /** The payer paid: checkout.session.completed. */
  complete(id: string, options?: SendOptions): Promise<SentWebhook> {
    const s = this.session(id);
    s.status = "complete";
    return this.send("checkout.session.completed", this.sessionObject(s, true), options);
  }

  expire(id: string, options?: SendOptions): Promise<SentWebhook> {
    const s = this.session(id);
    s.status = "expired";
    return this.send("checkout.session.expired", this.sessionObject(s, false), options);
  }

  refund(id: string, options?: SendOptions): Promise<SentWebhook> {
    const s = this.session(id);
    return this.send("charge.refunded", { id: `ch_test_${rand(6)}`, object: "charge", amount: s.amount, amount_refunded: s.amount, currency: s.currency, payment_intent: s.paymentIntent, refunded: true }, options);
  }

  dispute(id: string, options?: SendOptions): Promise<SentWebhook> {
    const s = this.session(id);
    return this.send("charge.dispute.created", { id: `dp_test_${rand(6)}`, object: "dispute", amount: s.amount, currency: s.currency, charge: `ch_test_${rand(6)}`, payment_intent: s.paymentIntent, reason: "fraudulent", status: "needs_response" }, options);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.base);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.method === "POST" && url.pathname === "/v1/checkout/sessions") {
      if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
        this.unauthorized++;
        return json(401, { error: { type: "invalid_request_error", message: "Invalid API Key provided" } });
      }
      if (!String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded")) return json(400, { error: { type: "invalid_request_error", message: "form body expected" } });
      const form = new URLSearchParams(body);
      const amount = Number(form.get("line_items[0][price_data][unit_amount]"));
      const currency = form.get("line_items[0][price_data][currency]") ?? "";
      if (form.get("mode") !== "payment" || !Number.isInteger(amount) || amount < 1 || !/^[a-z]{3}$/.test(currency) || !form.get("success_url") || !form.get("cancel_url")) {
        return json(400, { error: { type: "invalid_request_error", message: "Missing or bad parameters" } });
      }
      const id = `cs_test_${rand()}`;
      const session: SimulatedSession = {
        id, url: `${this.base}/pay/${id}`, paymentIntent: `pi_test_${rand()}`, amount, currency, reference: form.get("client_reference_id") ?? "",
        email: form.get("customer_email"), successUrl: form.get("success_url")!, cancelUrl: form.get("cancel_url")!, status: "open",
      };
      this.sessions.set(id, session);
      return json(200, this.sessionObject(session, false));
    }
    const pay = /^\/pay\/(cs_test_[0-9a-f]+)$/.exec(url.pathname);
    if (pay && this.sessions.has(pay[1])) {
      const s = this.session(pay[1]);
      if (req.method === "GET") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(`<!doctype html><title>Pay</title><h1>Pay ${(s.amount / 100).toFixed(2)} ${s.currency.toUpperCase()}</h1><form method="post"><button>Pay</button></form>`);
        return;
      }
      // "Paying" sends the webhook, then sends the payer back, as Stripe's hosted page does.
      const sent = await this.complete(s.id);
      res.writeHead(303, { location: s.successUrl, "x-webhook-status": String(sent.status) });
      res.end();
      return;
    }
    json(404, { error: { type: "invalid_request_error", message: "Unrecognized request URL" } });
  }
}
