// Stripe's webhook signature scheme as Skein verifies it (src/payments/stripe.ts): HMAC-SHA256 of
// `${t}.${rawBody}` with the endpoint secret, hex in v1=, several v1 allowed, 300 s tolerance.
// The reference values were computed outside Node, with
//   printf '%s' "1700000000.$BODY" | openssl dgst -sha256 -hmac whsec_test_secret
// so a mistake shared by the verifier and a helper in this file could not make them agree.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { StripeSignatureError, stripeForm, verifyStripeSignature } from "../../src/payments/stripe.ts";
import { stripeEventKind } from "../../src/domain/registration/payments/payment-provider.ts";
import { formatFee, loadPaymentConfig, parseFee } from "../../src/config/payment-config.ts";

const BODY = '{"id":"evt_1","type":"checkout.session.completed","data":{"object":{"id":"cs_test_1"}}}';
const T = 1700000000;
const SECRET = "whsec_test_secret";
const OPENSSL_V1 = "739e1d9047cd5a7a43c96bd28884927f5a05e7c1823868bc4ea8556fcf260860";
const OPENSSL_V1_OLD_SECRET = "a441263b3be4d517b29366daa4370e05688726d552406a4a6dc8204031e092fa";

const rejects = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (e: unknown) => e instanceof StripeSignatureError && pattern.test(e.message));

test("a signature computed by openssl verifies, from a string or from bytes", () => {
  assert.deepEqual(verifyStripeSignature(BODY, `t=${T},v1=${OPENSSL_V1}`, SECRET, { now: T }), { timestamp: T });
  assert.deepEqual(verifyStripeSignature(Buffer.from(BODY), `t=${T},v1=${OPENSSL_V1.toUpperCase()}`, SECRET, { now: T + 299 }), { timestamp: T });
});

test("the signed text is exactly t + '.' + the raw body (node's own HMAC agrees with openssl)", () => {
  assert.equal(createHmac("sha256", SECRET).update(`${T}.${BODY}`).digest("hex"), OPENSSL_V1);
});

test("one body byte changed, another secret, or another timestamp under the same v1: refused", () => {
  rejects(() => verifyStripeSignature(BODY.replace("cs_test_1", "cs_test_2"), `t=${T},v1=${OPENSSL_V1}`, SECRET, { now: T }), /No signature matches/);
  rejects(() => verifyStripeSignature(BODY + " ", `t=${T},v1=${OPENSSL_V1}`, SECRET, { now: T }), /No signature matches/);
  rejects(() => verifyStripeSignature(BODY, `t=${T},v1=${OPENSSL_V1}`, "whsec_other", { now: T }), /No signature matches/);
  // A replayer cannot refresh t: it is part of the signed text.
  rejects(() => verifyStripeSignature(BODY, `t=${T + 1000},v1=${OPENSSL_V1}`, SECRET, { now: T + 1000 }), /No signature matches/);
});

test("timestamps more than 300 s away (either way) are refused, even with a good signature", () => {
  rejects(() => verifyStripeSignature(BODY, `t=${T},v1=${OPENSSL_V1}`, SECRET, { now: T + 301 }), /tolerance/);
  rejects(() => verifyStripeSignature(BODY, `t=${T},v1=${OPENSSL_V1}`, SECRET, { now: T - 301 }), /tolerance/);
  assert.ok(verifyStripeSignature(BODY, `t=${T},v1=${OPENSSL_V1}`, SECRET, { now: T - 300 }));
});

test("several v1 values (a secret being rolled): one match is enough, in any position; v0 is ignored", () => {
  const header = `t=${T},v1=${OPENSSL_V1_OLD_SECRET},v0=${OPENSSL_V1},v1=${OPENSSL_V1}`;
  assert.ok(verifyStripeSignature(BODY, header, SECRET, { now: T }));
  assert.ok(verifyStripeSignature(BODY, header, "whsec_old_secret", { now: T }));
  // Only v0 with the right value: not accepted (Stripe's live signatures are v1).
  rejects(() => verifyStripeSignature(BODY, `t=${T},v0=${OPENSSL_V1}`, SECRET, { now: T }), /No v1/);
});

test("malformed headers are refused with a reason", () => {
  rejects(() => verifyStripeSignature(BODY, undefined, SECRET), /No Stripe-Signature/);
  rejects(() => verifyStripeSignature(BODY, "", SECRET), /No Stripe-Signature/);
  rejects(() => verifyStripeSignature(BODY, `v1=${OPENSSL_V1}`, SECRET, { now: T }), /No timestamp/);
  rejects(() => verifyStripeSignature(BODY, `t=abc,v1=${OPENSSL_V1}`, SECRET, { now: T }), /Bad timestamp/);
  rejects(() => verifyStripeSignature(BODY, `t=${T},t=${T},v1=${OPENSSL_V1}`, SECRET, { now: T }), /Bad timestamp/);
  rejects(() => verifyStripeSignature(BODY, `t=${T},v1=${OPENSSL_V1.slice(0, 63)}`, SECRET, { now: T }), /No v1/);
  rejects(() => verifyStripeSignature(BODY, `t=${T},v1=${"z".repeat(64)}`, SECRET, { now: T }), /No v1/);
  rejects(() => verifyStripeSignature(BODY, `t=${T},${"v1=00,".repeat(1000)}`, SECRET, { now: T }), /too long/);
});

test("checkout sessions are form-encoded the way Stripe reads nested fields", () => {
  const form = stripeForm({ mode: "payment", metadata: { reference: "skein-1" }, line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: 500 } }], skip: undefined });
  assert.equal(form.toString(), "mode=payment&metadata%5Breference%5D=skein-1&line_items%5B0%5D%5Bquantity%5D=1&line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=usd&line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=500");
});

test("Stripe events map to paid / expired / refunded / disputed; an unpaid completion is ignored", () => {
  const ev = (type: string, object: Record<string, unknown>) => stripeEventKind({ id: "evt_9", type, created: T, object });
  assert.deepEqual(ev("checkout.session.completed", { id: "cs_1", payment_status: "paid", payment_intent: "pi_1" }), { id: "evt_9", type: "checkout.session.completed", kind: "paid", checkoutId: "cs_1", paymentId: "pi_1" });
  assert.equal(ev("checkout.session.completed", { id: "cs_1", payment_status: "unpaid" }).kind, "ignored");
  assert.equal(ev("checkout.session.expired", { id: "cs_1" }).kind, "expired");
  assert.deepEqual(ev("charge.refunded", { id: "ch_1", payment_intent: "pi_1" }), { id: "evt_9", type: "charge.refunded", kind: "refunded", paymentId: "pi_1" });
  assert.equal(ev("charge.dispute.created", { id: "dp_1", charge: "ch_1", payment_intent: "pi_1" }).kind, "disputed");
  assert.equal(ev("customer.created", { id: "cus_1" }).kind, "ignored");
});

test("fees: amounts in minor units, zero-decimal currencies, bad settings reported", () => {
  assert.deepEqual(parseFee("5.00 USD"), { amount: 500, currency: "USD" });
  assert.deepEqual(parseFee("5.5 eur"), { amount: 550, currency: "EUR" });
  assert.deepEqual(parseFee("500 JPY"), { amount: 500, currency: "JPY" });
  assert.equal(typeof parseFee("5.50 JPY"), "string");
  assert.equal(typeof parseFee("0.00 USD"), "string");
  assert.equal(typeof parseFee("five USD"), "string");
  assert.equal(formatFee({ amount: 500, currency: "USD" }), "5.00 USD");
  const problems: string[] = [];
  const config = loadPaymentConfig({ REGISTRATION_FEE: "5.00 USD", REGISTRATION_FEE_MODE: "invite", STRIPE_SECRET_KEY: "sk_test_1", STRIPE_WEBHOOK_SECRET: "whsec_1" }, problems);
  assert.deepEqual(problems, []);
  assert.deepEqual(config.fee, { amount: 500, currency: "USD", mode: "invite" });
  assert.equal(config.provider?.apiBase, "https://api.stripe.com");
  const bad: string[] = [];
  loadPaymentConfig({ REGISTRATION_FEE: "5.00 USD", REGISTRATION_FEE_MODE: "later", STRIPE_API_BASE: "http://127.0.0.1:9" }, bad);
  assert.equal(bad.length, 4, bad.join("\n")); // mode, no secret key, no webhook secret, plain http outside tests
});
