// Claiming deliveries: the statement where the delivery engine differs between the databases.
// PostgreSQL lets any number of workers claim at once without waiting on each other (FOR UPDATE
// SKIP LOCKED); SQLite serializes writers, so the same statement without the clause is atomic.
import { sql, type Kysely } from "kysely";
import type { DB, DeliveriesTable } from "../schema.ts";
import type { DatabaseKind } from "../database.ts";

export interface ClaimRequest {
  lane: 0 | 1;
  worker: string;
  limit: number;
  leaseMs: number;
  /** Hosts this worker already holds enough deliveries for: leave theirs to others, or to later. */
  skipHosts: string[];
}

export async function claimDeliveries(db: Kysely<DB>, kind: DatabaseKind, request: ClaimRequest): Promise<DeliveriesTable[]> {
  const now = new Date().toISOString();
  const until = new Date(Date.now() + request.leaseMs).toISOString();
  const lock = kind === "postgres" ? sql`for update skip locked` : sql``;
  const skip = request.skipHosts.length > 0 ? sql`and d.host not in (${sql.join(request.skipHosts)})` : sql``;
  const result = await sql<DeliveriesTable>`
    update deliveries set locked_by = ${request.worker}, locked_until = ${until}
    where id in (
      select d.id from deliveries d
      where d.lane = ${request.lane} and d.run_at <= ${now} and d.gave_up_at is null
        and (d.locked_until is null or d.locked_until < ${now})
        ${skip}
      order by d.run_at, d.id
      limit ${request.limit}
      ${lock})
    returning *`.execute(db);
  return result.rows.map((row) => ({ ...row, id: String(row.id), activity_id: String(row.activity_id) }));
}
