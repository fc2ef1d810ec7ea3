// POST /webhooks/payments/:provider — where the payment provider tells us a checkout was paid,
// expired, refunded or disputed. The body is read raw (the signature covers its exact bytes, so
// nothing may parse it first) and bounded; the domain verifies and handles it.
//   400  bad or missing signature, or a timestamp outside the tolerance (a replay): the provider
//        would retry a 4xx only from its dashboard, and a forger learns nothing
//   200  handled, a duplicate (already handled: the provider must stop retrying), or an event
//        Skein does not act on
//   413  a body larger than any event Skein reads
//   500  handling failed after verification: the event id is forgotten, so the retry is handled
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { WebhookVerificationError } from "../../domain/registration/payments/payment-service.ts";

/** Stripe's checkout and charge events are a few KiB; 256 KiB leaves room and bounds the read. */
const MAX_WEBHOOK_BYTES = 256 * 1024;

export const paymentWebhookRoutes = new Hono<AppEnv>();

paymentWebhookRoutes.post("/:provider", async (c) => {
  const provider = c.req.param("provider");
  if (!/^[a-z]{1,20}$/.test(provider)) return c.json({ error: "Record not found" }, 404);
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > MAX_WEBHOOK_BYTES) return c.json({ error: "Request body too large" }, 413);
  const raw = await readBounded(c.req.raw, MAX_WEBHOOK_BYTES);
  if (raw === null) return c.json({ error: "Request body too large" }, 413);
  try {
    const outcome = await c.get("services").payments.handleWebhook(provider, raw, { get: (name) => c.req.header(name) });
    return c.json({ received: true, status: outcome.status });
  } catch (error) {
    if (error instanceof WebhookVerificationError) return c.json({ error: `Webhook signature verification failed: ${error.message}` }, 400);
    throw error;
  }
});

async function readBounded(request: Request, max: number): Promise<Uint8Array | null> {
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
