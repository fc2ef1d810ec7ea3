// /api/v1/annual_reports (Mastodon 4.3–4.6): a user's year in figures (domain/annual-reports).
//   GET  /                 the reports not yet marked read, with the accounts and posts they name
//   GET  /:year            one report (404 until generated)
//   GET  /:year/state      {state: available | eligible | ineligible} (Skein never says generating: it generates at once)
//   POST /:year/generate   computes and stores it ({}); 422 for a year with nothing to report
//   POST /:year/read       marks it read ({})
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { ApiError } from "../../errors.ts";
import { renderAccounts, renderStatuses } from "../../render.ts";
import type { AnnualReport } from "../../../domain/annual-reports/annual-report-service.ts";

export const annualReportsRoutes = new Hono<AppEnv>();

async function wrapped(c: Context<AppEnv>, reports: AnnualReport[]) {
  const { account } = currentUser(c);
  const related = await c.get("services").annualReports.related(account, reports);
  return {
    annual_reports: reports.map(({ row, data }) => ({ year: row.year, account_id: row.account_id, data, schema_version: row.schema_version, share_url: null })),
    accounts: renderAccounts(c, related.accounts),
    statuses: await renderStatuses(c, related.statuses),
  };
}

annualReportsRoutes.get("/", requireScope("read:accounts", "read"), async (c) => {
  const { account } = currentUser(c);
  return c.json(await wrapped(c, await c.get("services").annualReports.unread(account)));
});

annualReportsRoutes.get("/:year", requireScope("read:accounts", "read"), async (c) => {
  const { account } = currentUser(c);
  return c.json(await wrapped(c, [await c.get("services").annualReports.get(account, c.req.param("year"))]));
});

annualReportsRoutes.get("/:year/state", requireScope("read:accounts", "read"), async (c) => {
  const { account } = currentUser(c);
  return c.json({ state: await c.get("services").annualReports.state(account, c.req.param("year")) });
});

annualReportsRoutes.post("/:year/generate", requireScope("write:accounts", "write"), async (c) => {
  const { account } = currentUser(c);
  const reports = c.get("services").annualReports;
  // A year without anything to report is named in the error's details, as a ValidationError.
  if ((await reports.state(account, c.req.param("year"))) === "ineligible") {
    throw new ApiError(422, "Validation failed: there is no report for this year", {}, { year: [{ error: "ERR_INVALID", description: "not a year of this account with posts in it" }] });
  }
  await reports.generate(account, c.req.param("year"));
  return c.json({});
});

annualReportsRoutes.post("/:year/read", requireScope("write:accounts", "write"), async (c) => {
  const { account } = currentUser(c);
  await c.get("services").annualReports.markRead(account, c.req.param("year"));
  return c.json({});
});
