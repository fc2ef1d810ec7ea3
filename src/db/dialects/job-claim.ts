// The one statement where the job queue differs between the databases: claiming ready jobs.
// PostgreSQL lets any number of workers claim concurrently without waiting on each other
// (FOR UPDATE SKIP LOCKED); SQLite serializes writers anyway, so the same statement without the
// locking clause is already atomic there.
import { sql, type Kysely } from "kysely";
import type { DB, JobsTable } from "../schema.ts";
import type { DatabaseKind } from "../database.ts";

export async function claimJobs(
  db: Kysely<DB>,
  kind: DatabaseKind,
  options: { queue: string; worker: string; limit: number; leaseMs: number },
): Promise<JobsTable[]> {
  const now = new Date().toISOString();
  const until = new Date(Date.now() + options.leaseMs).toISOString();
  const lock = kind === "postgres" ? sql`for update skip locked` : sql``;
  // A job with an ordering key waits until every earlier job with that key is done (deleted).
  const result = await sql<JobsTable>`
    update jobs set locked_by = ${options.worker}, locked_until = ${until}, attempts = attempts + 1
    where id in (
      select j.id from jobs j
      where j.queue = ${options.queue} and j.run_at <= ${now}
        and (j.locked_until is null or j.locked_until < ${now})
        and (j.ordering_key is null or not exists (
          select 1 from jobs e where e.queue = j.queue and e.ordering_key = j.ordering_key and e.id < j.id))
      order by j.run_at, j.id
      limit ${options.limit}
      ${lock})
    returning *`.execute(db);
  return result.rows.map((row) => ({ ...row, id: String(row.id) }));
}
