// Scheduled statuses (issue 14, migration 0025): posts waiting for their time.
import type { ColumnType } from "kysely";

export interface ScheduledStatusesTable {
  id: string;
  account_id: string;
  application_id: string | null;
  /** ISO time; due when it is not after now. */
  scheduled_at: string;
  /** JSON ScheduledParams (domain/scheduled/scheduled-statuses.ts). */
  params: string;
  idempotency_key: string | null;
  /** A publishing sweep's lease; null or past: free to claim. */
  claimed_until: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: string;
}
