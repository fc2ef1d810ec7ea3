// `./skein cost`: what this server's media cost, from its own numbers. Storage is measured in
// the storage itself (bytes per kind), egress and requests are what Skein counted as it served
// files (media_usage_daily, the last 30 days), and the projection prices a month of it with
// config.media.prices (storage per GB-month, egress per GB, requests per 10,000). The common
// worksheet (25 requests per user per day × 0.1 MB) is a guess; this is the live version.
import type { Stores } from "../../store/stores.ts";
import type { MediaStorage } from "../../storage/media-storage.ts";
import type { MediaConfig } from "../../config/media-config.ts";
import { labelOfKind, measureStorage, MEDIA_KINDS, type StorageUsage } from "./housekeeping.ts";

const WINDOW_DAYS = 30;
const GB = 1e9;
/** Days in an average month (365.25 / 12). */
const MONTH_DAYS = 30.44;

export interface CostReport {
  generatedAt: string;
  prices: MediaConfig["prices"];
  storage: StorageUsage;
  /** Served bytes and requests per kind over the window, and per day. */
  egress: {
    fromDay: string;
    toDay: string;
    /** Days from the first counted day (within the window) to today; averages divide by this. */
    daysCounted: number;
    kinds: { kind: string; label: string; bytes: number; requests: number }[];
    days: { day: string; bytes: number; requests: number; byKind: Record<string, { bytes: number; requests: number }> }[];
    totalBytes: number;
    totalRequests: number;
  };
  projection: {
    storageGb: number;
    egressGbPerMonth: number;
    requestsPerMonth: number;
    storageUsd: number;
    egressUsd: number;
    requestsUsd: number;
    totalUsd: number;
  };
}

const dayOf = (date: Date) => date.toISOString().slice(0, 10);

export async function costReport(stores: Stores, storage: MediaStorage, prices: MediaConfig["prices"], now = new Date()): Promise<CostReport> {
  const fromDay = dayOf(new Date(now.getTime() - (WINDOW_DAYS - 1) * 86400_000));
  const toDay = dayOf(now);
  const [measured, rows] = await Promise.all([measureStorage(storage), stores.mediaUsage.since(fromDay)]);

  const byKind = new Map<string, { bytes: number; requests: number }>();
  const byDay = new Map<string, { bytes: number; requests: number; byKind: Record<string, { bytes: number; requests: number }> }>();
  for (const row of rows) {
    const k = byKind.get(row.kind) ?? { bytes: 0, requests: 0 };
    k.bytes += row.bytes;
    k.requests += row.requests;
    byKind.set(row.kind, k);
    const d = byDay.get(row.day) ?? { bytes: 0, requests: 0, byKind: {} };
    d.bytes += row.bytes;
    d.requests += row.requests;
    d.byKind[row.kind] = { bytes: row.bytes, requests: row.requests };
    byDay.set(row.day, d);
  }
  const known = MEDIA_KINDS.map((k) => k.kind);
  const kinds = [...known.filter((k) => byKind.has(k)), ...[...byKind.keys()].filter((k) => !known.includes(k)).sort()].map((kind) => ({
    kind,
    label: labelOfKind(kind),
    ...byKind.get(kind)!,
  }));
  const totalBytes = kinds.reduce((s, k) => s + k.bytes, 0);
  const totalRequests = kinds.reduce((s, k) => s + k.requests, 0);
  const firstDay = rows.length ? rows[0].day : toDay;
  const daysCounted = Math.max(1, Math.round((Date.parse(`${toDay}T00:00:00Z`) - Date.parse(`${firstDay}T00:00:00Z`)) / 86400_000) + 1);

  const storageGb = measured.totalBytes / GB;
  const egressGbPerMonth = (totalBytes / daysCounted) * MONTH_DAYS / GB;
  const requestsPerMonth = (totalRequests / daysCounted) * MONTH_DAYS;
  const storageUsd = storageGb * prices.storageGbMonth;
  const egressUsd = egressGbPerMonth * prices.egressGb;
  const requestsUsd = (requestsPerMonth / 10_000) * prices.requestsPer10k;
  return {
    generatedAt: now.toISOString(),
    prices,
    storage: measured,
    egress: {
      fromDay,
      toDay,
      daysCounted,
      kinds,
      days: [...byDay].sort(([a], [b]) => a.localeCompare(b)).map(([day, d]) => ({ day, ...d })),
      totalBytes,
      totalRequests,
    },
    projection: { storageGb, egressGbPerMonth, requestsPerMonth, storageUsd, egressUsd, requestsUsd, totalUsd: storageUsd + egressUsd + requestsUsd },
  };
}
