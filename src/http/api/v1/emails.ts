// /api/v1/emails: the e-mail confirmation of the signed-in (not yet confirmed) user, as Mastodon.
//   POST /api/v1/emails/confirmations        resend the confirmation mail; `email` replaces the
//                                            unconfirmed address first. 403 once confirmed.
//   GET  /api/v1/emails/check_confirmation   true once the address is confirmed (Mastodon 4.3).
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { readParams, str } from "../../params.ts";
import { mailRequests, throttle } from "../../rate-limits.ts";
import { ApiError } from "../../errors.ts";
import { DomainError } from "../../../domain/errors.ts";

export const emailsRoutes = new Hono<AppEnv>();

emailsRoutes.post("/confirmations", requireScope("write:accounts"), async (c) => {
  const { user } = currentUser(c);
  const params = await readParams(c);
  const email = str(params, "email", 320);
  const limited = throttle(c, mailRequests);
  if (limited) return limited;
  try {
    await c.get("services").emails.resendConfirmation(user.id, email === undefined || email.trim() === "" ? undefined : email);
  } catch (error) {
    // A new address that is malformed or taken: Mastodon's 422 with the field's detail.
    if (error instanceof DomainError && (error.kind === "validation" || error.kind === "conflict")) {
      const code = error.kind === "conflict" ? "ERR_TAKEN" : "ERR_INVALID";
      throw new ApiError(422, `Validation failed: Email ${error.kind === "conflict" ? "is already taken" : "is invalid"}`, {}, { email: [{ error: code, description: error.message }] });
    }
    throw error;
  }
  return c.json({});
});

emailsRoutes.get("/check_confirmation", requireScope("read:accounts"), (c) => c.json(currentUser(c).user.confirmed_at !== null));
