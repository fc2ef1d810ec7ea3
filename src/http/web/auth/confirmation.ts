// GET /auth/confirmation?confirmation_token=…: the link of a confirmation (or address change)
// mail. A GET confirms at once, as Mastodon's does: the token is 256 random bits mailed to the
// address, so following it is the proof. Used, expired and unknown links get a page saying so
// (4xx) with a way to get a new one.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../../env.ts";
import { page } from "../layout.ts";
import { DomainError } from "../../../domain/errors.ts";

export const confirmationRoutes = new Hono<AppEnv>();

confirmationRoutes.get("/confirmation", async (c) => {
  const { config, emails } = c.get("services");
  const title = config.instance.title;
  const token = c.req.query("confirmation_token") ?? c.req.query("token") ?? "";
  try {
    const user = await emails.confirm(token);
    return c.html(
      page(
        "E-mail confirmed",
        title,
        html`<h1>Your e-mail address is confirmed</h1>
<p><strong>${user.email}</strong> is confirmed for your account on ${title}.</p>
<p><a href="/auth/sign_in">Sign in</a></p>`,
      ),
    );
  } catch (error) {
    if (!(error instanceof DomainError) || !["unauthorized", "conflict"].includes(error.kind)) throw error;
    const status = error.kind === "conflict" ? 409 : token ? 410 : 400;
    return c.html(
      page(
        "Link not valid",
        title,
        html`<h1>This confirmation link cannot be used</h1>
<p class="error" role="alert">${error.message}</p>
<p>Signed in to an app? It can send a new confirmation mail. Or <a href="/auth/sign_in">sign in</a> and ask for one there.</p>`,
      ),
      status,
    );
  }
});
