// Registration over the API (mounted at /api/v1 before the accounts routes):
//   POST   /api/v1/accounts                     sign up with an app token (client_credentials,
//                                               write:accounts) → Token for the new account
//   GET    /api/v1/invites                      Skein extension: the user's invites
//   POST   /api/v1/invites                      create one (max_uses, expires_in seconds, autofollow)
//   DELETE /api/v1/invites/:id                  revoke one
// (The terms of service are with the instance's other pages: v1/instance-texts.ts.)
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { bool, int, readParams, str, type Params } from "../../params.ts";
import { ApiError } from "../../errors.ts";
import { throttle } from "../../rate-limits.ts";
import { clientIp } from "../../client-ip.ts";
import { RegistrationInvalid } from "../../../domain/registration/registration-service.ts";
import { MAX_INVITE_USES, inviteState } from "../../../domain/registration/invite-service.ts";
import type { InviteRow } from "../../../domain/registration/invite-service.ts";
import { RateLimiter } from "../../../domain/auth/rate-limiter.ts";

/** Mastodon: 5 sign-ups per address in 30 minutes. */
export const registrationAttempts = new RateLimiter({ limit: 5, windowMs: 30 * 60 * 1000 });

export const registrationRoutes = new Hono<AppEnv>();

registrationRoutes.post("/accounts", requireScope("write:accounts"), async (c) => {
  const auth = c.get("auth")!;
  if (auth.user) throw new ApiError(403, "This method requires an app token (client_credentials), not a user's");
  const limited = throttle(c, registrationAttempts);
  if (limited) return limited;
  const params = await readParams(c);
  const services = c.get("services");
  try {
    const { user, checkoutUrl } = await services.registration.signUp({
      username: str(params, "username", 200) ?? "",
      email: str(params, "email", 400) ?? "",
      password: str(params, "password", 1000) ?? "",
      agreement: agreed(params),
      locale: str(params, "locale", 20),
      reason: str(params, "reason", 5000),
      dateOfBirth: str(params, "date_of_birth", 40),
      inviteCode: str(params, "invite_code", 100),
      ip: clientIp(c),
    });
    const { accessToken, row } = await services.oauth.issueForNewUser(auth.application.id, user.id, auth.scopes);
    c.header("Cache-Control", "no-store");
    // checkout_url (Skein): a registration fee is due; the token is refused (403, the same URL) until paid.
    return c.json({ access_token: accessToken, token_type: "Bearer", scope: row.scopes, created_at: Math.floor(Date.parse(row.created_at) / 1000), ...(checkoutUrl ? { checkout_url: checkoutUrl } : {}) });
  } catch (error) {
    if (error instanceof RegistrationInvalid) throw new ApiError(422, error.message, {}, error.details);
    throw error;
  }
});

/** `agreement` as a form ("1", "true", "on") or JSON boolean. */
function agreed(params: Params): boolean {
  try {
    return bool(params, "agreement") === true;
  } catch {
    return false;
  }
}

// --- invites -----------------------------------------------------------------------------------

function toInvite(c: Context<AppEnv>, row: InviteRow) {
  return {
    id: row.id,
    code: row.code,
    url: `${c.get("services").config.origin}/invite/${row.code}`,
    max_uses: row.max_uses,
    uses: row.uses,
    expires_at: row.expires_at,
    autofollow: row.autofollow === 1,
    created_at: row.created_at,
    revoked_at: row.revoked_at,
    state: inviteState(row),
  };
}

registrationRoutes.get("/invites", requireScope("read:accounts", "read"), async (c) => {
  const { user } = currentUser(c);
  return c.json((await c.get("services").registration.invites.list(user)).map((row) => toInvite(c, row)));
});

registrationRoutes.post("/invites", requireScope("write:accounts", "write"), async (c) => {
  const { user } = currentUser(c);
  const params = await readParams(c);
  const maxUses = params.max_uses === undefined || params.max_uses === "" || params.max_uses === null ? null : int(params, "max_uses", { min: 1, max: MAX_INVITE_USES });
  const expiresIn = params.expires_in === undefined || params.expires_in === "" || params.expires_in === null ? null : int(params, "expires_in", { min: 1, max: 604_800 });
  const row = await c.get("services").registration.invites.create(user, { maxUses: maxUses ?? null, expiresIn: expiresIn ?? null, autofollow: bool(params, "autofollow") });
  return c.json(toInvite(c, row));
});

registrationRoutes.delete("/invites/:id", requireScope("write:accounts", "write"), async (c) => {
  const { user } = currentUser(c);
  const id = c.req.param("id");
  if (!/^\d{1,20}$/.test(id)) throw new ApiError(404, "Record not found");
  return c.json(toInvite(c, await c.get("services").registration.invites.revoke(user, id)));
});
