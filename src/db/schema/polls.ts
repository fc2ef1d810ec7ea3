// Tables of polls (migrations 0004, 0034): a poll per status, its options with their counts,
// the votes (local voters', and remote votes in local polls).
import type { ColumnType } from "kysely";
import type { Flag } from "../schema.ts";

export interface PollsTable {
  id: string;
  status_id: string;
  account_id: string;
  multiple: Flag;
  hide_totals: Flag;
  votes_count: number;
  voters_count: number;
  expires_at: string | null;
  /** When voters and the author were told the poll ended; null until then. */
  expiry_notified_at: string | null;
  created_at: string;
  updated_at: string;
  /** When the poll's new counts are due to go out (Update(Question)); null when nothing is pending. */
  update_due_at: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PollOptionsTable {
  poll_id: string;
  position: number;
  title: string;
  votes_count: number;
}

export interface PollVotesTable {
  id: string;
  poll_id: string;
  account_id: string;
  /** Index into the poll's options. */
  choice: number;
  uri: string | null;
  created_at: string;
}

export interface PollsDB {
  polls: PollsTable;
  poll_options: PollOptionsTable;
  poll_votes: PollVotesTable;
}
