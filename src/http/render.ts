// Shared by handlers that return statuses or accounts: load for the current reader, convert.
import type { Context } from "hono";
import type { AppEnv } from "./env.ts";
import type { StatusRow } from "../store/statuses.ts";
import type { AccountRow } from "../store/accounts.ts";
import { toStatus } from "../convert/mastodon/status.ts";
import { toAccount } from "../convert/mastodon/account.ts";
import { filterContextOf } from "./filter-context.ts";

export function viewerId(c: Context<AppEnv>): string | null {
  return c.get("auth")?.account?.id ?? null;
}

/**
 * Renders statuses for the reader, with their filters applied in the context of the endpoint
 * (filter-context.ts): matching `hide` filters leave statuses out, others are reported in
 * `filtered`.
 */
export async function renderStatuses(c: Context<AppEnv>, rows: readonly StatusRow[]) {
  const services = c.get("services");
  const views = await services.statusViews(rows, viewerId(c), filterContextOf(c.req.path));
  return views.map((v) => toStatus(v, { origin: services.config.origin }));
}

export async function renderStatus(c: Context<AppEnv>, row: StatusRow) {
  return (await renderStatuses(c, [row]))[0];
}

export function renderAccounts(c: Context<AppEnv>, rows: readonly AccountRow[]) {
  const { origin } = c.get("services").config;
  return rows.map((a) => toAccount(a, { origin }));
}
