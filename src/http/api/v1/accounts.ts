// /api/v1/accounts: the signed-in user's own account for now; the social core adds the rest.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { toCredentialAccount } from "../../../convert/mastodon/account.ts";
import { bool, readParams, str, type Params } from "../../params.ts";
import { ApiError } from "../../errors.ts";

export const accountsRoutes = new Hono<AppEnv>();

accountsRoutes.get("/verify_credentials", requireScope("read:accounts", "profile"), async (c) => {
  const { user, account } = currentUser(c);
  return c.json(toCredentialAccount(account, user, { origin: c.get("services").config.origin }));
});

accountsRoutes.patch("/update_credentials", requireScope("write:accounts"), async (c) => {
  const { user } = currentUser(c);
  const params = await readParams(c);
  const source = (params.source ?? {}) as Params;
  if (typeof source !== "object") throw new ApiError(422, "source must be an object");
  const updated = await c.get("services").accounts.updateProfile(user, {
    displayName: str(params, "display_name", 1000),
    note: str(params, "note", 5000),
    fields: profileFields(params.fields_attributes),
    locked: bool(params, "locked"),
    bot: bool(params, "bot"),
    discoverable: bool(params, "discoverable"),
    indexable: bool(params, "indexable"),
    privacy: str(source, "privacy", 20),
    sensitive: bool(source, "sensitive"),
    language: str(source, "language", 10),
  });
  return c.json(toCredentialAccount(updated.account, updated.user, { origin: c.get("services").config.origin }));
});

/** `fields_attributes` arrives as an array (JSON) or as an object keyed "0", "1"… (forms). */
function profileFields(value: unknown): { name: string; value: string }[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : typeof value === "object" && value !== null ? Object.values(value) : null;
  if (!list) throw new ApiError(422, "fields_attributes must be a list of {name, value}");
  return list.map((f) => {
    const field = f as Params;
    return { name: str(field, "name", 1000) ?? "", value: str(field, "value", 1000) ?? "" };
  });
}
