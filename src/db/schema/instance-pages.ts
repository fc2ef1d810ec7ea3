// Tables of the instance's own pages and messages (issue 14): the server's rules, announcements
// by admins with their reactions and dismissals, and users' annual reports. The admin-set texts
// (privacy policy, terms of service, extended description) live in the settings table
// (domain/instance/instance-texts.ts).
import type { ColumnType } from "kysely";

export interface InstanceRulesTable {
  id: string;
  text: string;
  hint: string;
  /** Order shown to users (ascending). */
  position: number;
  created_at: string;
  updated_at: string;
  /** Removed rules stay for the reports that name them, but are no longer listed. */
  deleted_at: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AnnouncementsTable {
  id: string;
  /** What the admin wrote (plain text); `content` is its HTML. */
  text: string;
  content: string;
  starts_at: string | null;
  ends_at: string | null;
  all_day: 0 | 1;
  /** Unpublished announcements are drafts, shown to nobody. */
  published: 0 | 1;
  published_at: string | null;
  created_at: string;
  updated_at: string;
  /** When streaming clients were told about it (domain/announcements/announcement-sweep.ts); null until then. */
  announced_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** Removed: kept only until streaming clients were told (then the row goes). */
  deleted_at: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AnnouncementReactionsTable {
  id: string;
  announcement_id: string;
  account_id: string;
  /** A unicode emoji, or a local custom emoji's shortcode. */
  name: string;
  custom_emoji_id: string | null;
  created_at: string;
}

export interface AnnouncementDismissalsTable {
  announcement_id: string;
  account_id: string;
  created_at: string;
}

export interface AnnualReportsTable {
  id: string;
  account_id: string;
  year: number;
  schema_version: number;
  /** The report's data (JSON), as the AnnualReport entity's `data`. */
  data: string;
  /** When the user marked it read (POST …/read). */
  viewed_at: string | null;
  created_at: string;
}
