// /api/v1/accounts: the signed-in user's own account for now; the social core adds the rest.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { toCredentialAccount } from "../../../convert/mastodon/account.ts";

export const accountsRoutes = new Hono<AppEnv>();

accountsRoutes.get("/verify_credentials", requireScope("read:accounts", "profile"), async (c) => {
  const { user, account } = currentUser(c);
  return c.json(toCredentialAccount(account, user, { origin: c.get("services").config.origin }));
});
