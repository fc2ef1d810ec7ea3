// The admin API (/api/v1/admin, /api/v2/admin): Mastodon's paths and entities for moderators.
// Each resource is its own module; this file only mounts them.
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { adminAccountsV1, adminAccountsV2, adminActionLogs } from "./accounts.ts";
import { adminDomainBlocks } from "./domain-blocks.ts";
import { adminDomainAllows } from "./domain-allows.ts";
import { adminBlocklists } from "./blocklists.ts";
import { adminCanonicalEmailBlocks, adminEmailDomainBlocks, adminIpBlocks } from "./sign-up-blocks.ts";
import { adminDashboard } from "./dashboard.ts";
import { adminReports } from "./reports.ts";
import { adminRelays } from "./relays.ts";

export const adminV1Routes = new Hono<AppEnv>();
export const adminV2Routes = new Hono<AppEnv>();

adminV1Routes.route("/accounts", adminAccountsV1);
adminV2Routes.route("/accounts", adminAccountsV2);
adminV1Routes.route("/action_logs", adminActionLogs);

adminV1Routes.route("/domain_blocks", adminDomainBlocks);
adminV1Routes.route("/domain_allows", adminDomainAllows);
adminV1Routes.route("/blocklists", adminBlocklists);
adminV1Routes.route("/email_domain_blocks", adminEmailDomainBlocks);
adminV1Routes.route("/canonical_email_blocks", adminCanonicalEmailBlocks);
adminV1Routes.route("/ip_blocks", adminIpBlocks);
adminV1Routes.route("/", adminDashboard);
adminV1Routes.route("/reports", adminReports);
adminV1Routes.route("/relays", adminRelays);
