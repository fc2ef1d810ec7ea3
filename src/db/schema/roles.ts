// Table of migration 0039: custom roles (domain/moderation/role-book.ts, role-service.ts).
import type { ColumnType } from "kysely";

export interface RolesTable {
  id: string;
  /** Unique; shown on badges and in the console. */
  name: string;
  /** "#rrggbb", or "" for none. */
  color: string;
  /** Mastodon's permission bits (bigint: PostgreSQL returns it as text). */
  permissions: ColumnType<number | string, number, number>;
  /** Higher outranks lower; below the admin's (100) unless an owner made it. */
  position: number;
  /** 1: shown as a badge on profiles (Account.roles). */
  highlighted: number;
  created_at: string;
  updated_at: string;
}

export interface RolesDB {
  roles: RolesTable;
}
