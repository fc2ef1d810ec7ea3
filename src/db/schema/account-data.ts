// Account data tables: CSV imports and account archives (see domain/account-data/).

/** A CSV import (issue 12): its parsed rows and its progress; see domain/account-data/imports.ts. */
export interface AccountImportsTable {
  id: string;
  account_id: string;
  type: AccountImportType;
  mode: "merge" | "overwrite";
  state: "queued" | "running" | "finished" | "failed";
  filename: string;
  /** JSON array of parsed rows; "[]" once finished. */
  rows: string;
  total_rows: number;
  processed_rows: number;
  imported_rows: number;
  failed_rows: number;
  created_at: string;
  finished_at: string | null;
}

export type AccountImportType = "following" | "blocks" | "mutes" | "domain_blocks" | "bookmarks" | "lists";

/** An archive of an account (actor, outbox, likes, bookmarks) built in the background. */
export interface AccountArchivesTable {
  id: string;
  account_id: string;
  state: "pending" | "ready" | "failed";
  /** Its name in the archive storage (DATA_DIR/archives/), once built. */
  file_key: string | null;
  size_bytes: number;
  created_at: string;
  finished_at: string | null;
  expires_at: string;
}
