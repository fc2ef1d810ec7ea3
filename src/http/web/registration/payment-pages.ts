// The pages around a registration fee: where the provider sends the payer back (paid or
// cancelled), and, in invite mode, the form that starts a checkout for an invite by e-mail.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../../env.ts";
import { page } from "../layout.ts";
import { checkCsrf, csrfToken } from "../cookies.ts";
import { readParams } from "../../params.ts";
import { formatFee } from "../../../config/payment-config.ts";
import { DomainError } from "../../../domain/errors.ts";

export const paymentPages = new Hono<AppEnv>();

paymentPages.get("/payment/done", (c) => {
  const title = c.get("services").config.instance.title;
  // The provider's redirect is not proof of payment (anyone can open this URL): only the signed
  // webhook changes anything, usually within seconds.
  return c.html(page("Payment received", title, html`<h1>Thank you</h1>
<p>Your payment is being confirmed. Once it is, your account can be used (or, if you bought an invite, it is sent to your e-mail address).</p>
<p><a href="/auth/sign_in">Sign in</a></p>`));
});

paymentPages.get("/payment/cancelled", (c) => {
  const title = c.get("services").config.instance.title;
  return c.html(page("Payment cancelled", title, html`<h1>Payment cancelled</h1>
<p>Nothing was charged. Signing in again shows the payment link until the account is removed unpaid.</p>`));
});

paymentPages.get("/payment/invite", async (c) => {
  const services = c.get("services");
  const fee = await services.payments.fee();
  const title = services.config.instance.title;
  if (!fee || fee.mode !== "invite") return c.html(page("Invites", title, html`<h1>Invites</h1><p>This server does not sell invites.</p>`), 404);
  return c.html(page("Buy an invite", title, html`<h1>Buy an invite</h1>
<p>Signing up here costs ${formatFee(fee)}. After paying, an invite is sent to your e-mail address.</p>
<form method="post" action="/auth/payment/invite">
<input type="hidden" name="authenticity_token" value="${csrfToken(c)}">
<label for="email">E-mail address</label><input type="text" id="email" name="email" maxlength="254" required>
<button type="submit">Continue to payment</button>
</form>`));
});

paymentPages.post("/payment/invite", async (c) => {
  const params = await readParams(c);
  checkCsrf(c, params.authenticity_token);
  const email = typeof params.email === "string" ? params.email.trim() : "";
  try {
    const { checkoutUrl } = await c.get("services").payments.checkoutForInvite(email);
    return c.redirect(checkoutUrl, 303);
  } catch (error) {
    if (error instanceof DomainError && error.kind === "validation") {
      return c.html(page("Buy an invite", c.get("services").config.instance.title, html`<h1>Buy an invite</h1><p class="error">${error.message}</p><p><a href="/auth/payment/invite">Back</a></p>`), 422);
    }
    throw error;
  }
});
