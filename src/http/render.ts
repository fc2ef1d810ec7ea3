// Shared by handlers that return statuses or accounts: load for the current reader, convert.
import type { Context } from "hono";
import type { AppEnv } from "./env.ts";
import type { StatusRow } from "../store/statuses.ts";
import type { AccountRow } from "../store/accounts.ts";
import { toStatus } from "../convert/mastodon/status.ts";
import { toAccount, type ConvertContext } from "../convert/mastodon/account.ts";
import { convertContextOf } from "../convert/mastodon/context.ts";
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
  const ctx = convertContext(c);
  return views.map((v) => toStatus(v, ctx));
}

export async function renderStatus(c: Context<AppEnv>, row: StatusRow) {
  return (await renderStatuses(c, [row]))[0];
}

export function renderAccounts(c: Context<AppEnv>, rows: readonly AccountRow[]) {
  const ctx = convertContext(c);
  return rows.map((a) => toAccount(a, ctx));
}

/**
 * What converters need for this request: the origin, and the domain policy's reject_media (the
 * policy is brought up to date for every API request, see app.ts).
 */
export function convertContext(c: Context<AppEnv>): ConvertContext {
  const services = c.get("services");
  return convertContextOf(services);
}
