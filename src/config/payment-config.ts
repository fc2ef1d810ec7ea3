// Registration fee settings (read by config.ts, which alone reads the environment):
//   REGISTRATION_FEE        "5.00 USD" (unset or "off": no fee); kept in minor units
//   REGISTRATION_FEE_MODE   account (a new account is usable once paid) | invite (payment mints an invite)
//   PAYMENT_PROVIDER        stripe
//   STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE (default https://api.stripe.com)
//   UNPAID_ACCOUNT_DAYS     days an unpaid account waits before the sweep removes it (default 7)
// `./skein payments fee …` stores an override in the settings table (domain/registration/payments).

export type FeeMode = "account" | "invite";

export interface RegistrationFee {
  /** Minor units (cents for USD; yen for JPY). */
  amount: number;
  currency: string;
  mode: FeeMode;
}

export interface PaymentConfig {
  fee: RegistrationFee | null;
  provider: { kind: "stripe"; secretKey: string; webhookSecret: string; apiBase: string } | null;
  unpaidAccountDays: number;
}

/** Currencies Stripe takes without a minor unit (ISO 4217 exponent 0). */
const ZERO_DECIMAL = new Set(["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"]);

/** "5.00 USD" → {amount: 500, currency: "USD"}; null with a reason when it is not a fee. */
export function parseFee(text: string): { amount: number; currency: string } | string {
  const m = /^\s*(\d{1,7})(?:\.(\d{1,2}))?\s+([A-Za-z]{3})\s*$/.exec(text);
  if (!m) return `a fee is written like "5.00 USD" (got "${text.slice(0, 40)}")`;
  const currency = m[3].toUpperCase();
  const zero = ZERO_DECIMAL.has(currency);
  if (zero && m[2] !== undefined && Number(m[2]) !== 0) return `${currency} has no minor unit`;
  const amount = zero ? Number(m[1]) : Number(m[1]) * 100 + Number((m[2] ?? "0").padEnd(2, "0"));
  if (amount < 1) return "a fee must be more than zero";
  return { amount, currency };
}

/** How a fee is written back for people: 500 USD → "5.00 USD". */
export function formatFee(fee: { amount: number; currency: string }): string {
  return ZERO_DECIMAL.has(fee.currency) ? `${fee.amount} ${fee.currency}` : `${(fee.amount / 100).toFixed(2)} ${fee.currency}`;
}

export function loadPaymentConfig(env: Record<string, string | undefined>, problems: string[]): PaymentConfig {
  const get = (name: string) => env[name]?.trim() || "";
  const feeText = get("REGISTRATION_FEE");
  let fee: RegistrationFee | null = null;
  const modeText = get("REGISTRATION_FEE_MODE") || "account";
  if (modeText !== "account" && modeText !== "invite") problems.push(`REGISTRATION_FEE_MODE must be account or invite (got "${modeText}")`);
  if (feeText && feeText.toLowerCase() !== "off") {
    const parsed = parseFee(feeText);
    if (typeof parsed === "string") problems.push(`REGISTRATION_FEE: ${parsed}`);
    else fee = { ...parsed, mode: modeText === "invite" ? "invite" : "account" };
  }
  const providerText = get("PAYMENT_PROVIDER");
  let provider: PaymentConfig["provider"] = null;
  if (providerText && providerText !== "stripe") problems.push(`PAYMENT_PROVIDER must be stripe (got "${providerText}")`);
  if (providerText === "stripe" || (fee && !providerText)) {
    const secretKey = get("STRIPE_SECRET_KEY");
    const webhookSecret = get("STRIPE_WEBHOOK_SECRET");
    const apiBase = get("STRIPE_API_BASE") || "https://api.stripe.com";
    if (!secretKey) problems.push("STRIPE_SECRET_KEY is needed for a registration fee (PAYMENT_PROVIDER=stripe)");
    if (!webhookSecret) problems.push("STRIPE_WEBHOOK_SECRET is needed for a registration fee (the endpoint's signing secret, whsec_…)");
    let base: URL | null = null;
    try {
      base = new URL(apiBase);
    } catch {
      problems.push(`STRIPE_API_BASE must be a URL (got "${apiBase.slice(0, 80)}")`);
    }
    if (base && base.protocol !== "https:" && !(base.protocol === "http:" && env.SKEIN_ENV?.trim() === "test")) {
      problems.push("STRIPE_API_BASE must be https:// (plain http only with SKEIN_ENV=test)");
    }
    if (secretKey && webhookSecret && base) provider = { kind: "stripe", secretKey, webhookSecret, apiBase: base.origin };
  }
  const daysText = get("UNPAID_ACCOUNT_DAYS") || "7";
  const days = Number(daysText);
  if (!/^\d+(\.\d+)?$/.test(daysText) || days <= 0 || days > 365) problems.push(`UNPAID_ACCOUNT_DAYS must be a number of days from 1 to 365 (got "${daysText}")`);
  return { fee, provider, unpaidAccountDays: days > 0 ? days : 7 };
}
