// Table of migration 0038: the server's figures sampled every minute (the queues as `./skein queue
// status` reads them, deliveries in the last minute, media storage), kept about a week, for the
// admin console's charts (domain/instance/server-history.ts).
import type { ColumnType } from "kysely";

/** Counts are integers on both engines; byte totals are bigint (PostgreSQL returns them as text). */
type Bytes = ColumnType<number | string | null, number | null, number | null>;

export interface ServerSamplesTable {
  /** The minute sampled, "YYYY-MM-DDTHH:MM" (UTC): one row a minute whichever process samples it. */
  minute: string;
  /** When the figures were read (ISO-8601). */
  sampled_at: string;
  /** Jobs in the durable queues (inbox, outbox, media …) not done: ready, running or delayed. */
  jobs_queued: number;
  /** Of those, ready to run now: the backlog a user feels. */
  jobs_ready: number;
  /** Outgoing deliveries not done (ready, running or waiting for a retry). */
  deliveries_queued: number;
  deliveries_ready: number;
  /** Deliveries made (and failed) in the minute before the sample. */
  delivered: number;
  failed: number;
  /** Local uploads' files (originals and previews) and the remote media cache; null: not measured this minute. */
  media_bytes: Bytes;
  cache_bytes: Bytes;
}

export interface ServerSamplesDB {
  server_samples: ServerSamplesTable;
}
