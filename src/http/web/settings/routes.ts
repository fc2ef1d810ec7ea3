// /settings: the web settings pages, each file a router made with layout.ts's settingsApp() (the
// signed-in guard in front). Pages of other capabilities (export, import, deletion) mount beside
// these, in app.ts or here.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { profileSettingsRoutes } from "./profile.ts";
import { accountSettingsRoutes } from "./account.ts";
import { twoFactorSettingsRoutes } from "./two-factor.ts";
import { accessSettingsRoutes } from "./access.ts";
import { inviteSettingsRoutes } from "./invites.ts";
import { migrationSettingsRoutes } from "./migration.ts";

export const settingsRoutes = new Hono<AppEnv>();

settingsRoutes.get("/", (c) => c.redirect("/settings/profile", 303));
for (const pages of [profileSettingsRoutes, accountSettingsRoutes, twoFactorSettingsRoutes, accessSettingsRoutes, inviteSettingsRoutes, migrationSettingsRoutes]) {
  settingsRoutes.route("/", pages as unknown as Hono<AppEnv>);
}
