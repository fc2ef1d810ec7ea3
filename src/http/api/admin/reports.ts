// /api/v1/admin/reports: moderators list, read, reclassify, assign, resolve and reopen reports.
// Mastodon's scopes and permission: reading needs admin:read:reports, changing needs
// admin:write:reports, and both need manage_reports. Every change is in the audit log (the
// report service records it).
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser } from "../../auth.ts";
import { requireAdmin } from "./guard.ts";
import { bool, readParams, str } from "../../params.ts";
import { pageRequest, setLinkHeader } from "../../pagination.ts";
import { ApiError } from "../../errors.ts";
import { parseId } from "../../../util/ids.ts";
import { renderAdminReports } from "../../../convert/mastodon/admin/report.ts";
import type { ReportFilter, ReportRow } from "../../../domain/moderation/report-service.ts";
import { stringList } from "../v1/reports.ts";

export const adminReports = new Hono<AppEnv>();

const read = requireAdmin("admin:read:reports", "manage_reports");
const write = requireAdmin("admin:write:reports", "manage_reports");

function reportId(c: Context<AppEnv>): string {
  const id = parseId(c.req.param("id") ?? "");
  if (!id) throw new ApiError(404, "Record not found");
  return id;
}

/** An account filter that is not an id names no account: nothing matches. */
function accountFilter(value: string | undefined): string | undefined {
  return value ? (parseId(value) ?? "0") : undefined;
}

async function render(c: Context<AppEnv>, report: ReportRow) {
  const [entity] = await renderAdminReports(c.get("services"), currentUser(c).account.id, [report]);
  if (!entity) throw new ApiError(404, "Record not found");
  return c.json(entity);
}

adminReports.get("/", read, async (c) => {
  const query = c.req.query();
  const filter: ReportFilter = {
    // Mastodon lists open reports unless `resolved` is true.
    resolved: bool(query, "resolved") ?? false,
    accountId: accountFilter(str(query, "account_id", 30)),
    targetAccountId: accountFilter(str(query, "target_account_id", 30)),
    targetDomain: str(query, "by_target_domain", 253)?.toLowerCase() || undefined,
  };
  const page = pageRequest(c, { defaultLimit: 100, maxLimit: 200 });
  const services = c.get("services");
  const rows = await services.moderation.reports.list(filter, page);
  setLinkHeader(c, rows.map((r) => r.id));
  return c.json(await renderAdminReports(services, currentUser(c).account.id, rows));
});

adminReports.get("/:id", read, async (c) => render(c, await c.get("services").moderation.reports.get(reportId(c))));

adminReports.put("/:id", write, async (c) => {
  const params = await readParams(c);
  const id = reportId(c);
  const report = await c.get("services").moderation.reports.update(currentUser(c).account.id, id, {
    category: str(params, "category", 20),
    ruleIds: stringList(params, "rule_ids", 30),
  });
  return render(c, report);
});

for (const [path, action] of [
  ["assign_to_self", "assignToSelf"],
  ["unassign", "unassign"],
  ["resolve", "resolve"],
  ["reopen", "reopen"],
] as const) {
  adminReports.post(`/:id/${path}`, write, async (c) => {
    const id = reportId(c);
    return render(c, await c.get("services").moderation.reports[action](currentUser(c).account.id, id));
  });
}
