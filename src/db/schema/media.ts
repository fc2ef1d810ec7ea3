// Media tables (issue 13): custom emojis, the remote-media cache's accounting, and the daily
// counters of what was served (the cost report). media_attachments and the accounts' avatar and
// header keys are in schema.ts with their tables.
import type { ColumnType } from "kysely";

/** A custom emoji: this server's own (domain "") or one seen in a remote post or profile. */
export interface CustomEmojisTable {
  id: string;
  shortcode: string;
  /** "" for this server's own emojis. */
  domain: string;
  /** The remote Emoji object's id (null for local ones). */
  uri: string | null;
  /** Where a remote emoji's image lives on its origin. */
  image_remote_url: string | null;
  /** Local emojis: the image's key in the media storage (remote ones are served through the cache). */
  image_key: string | null;
  /** A still image for animated emojis (static_url); null: the image is already still. */
  static_key: string | null;
  image_size: number;
  content_type: string | null;
  category: string | null;
  visible_in_picker: 0 | 1;
  disabled: 0 | 1;
  created_at: string;
  updated_at: string;
}

/** One file in the remote-media cache: what it is a copy of, its size and when it was last viewed. */
export interface RemoteMediaCacheTable {
  /** The object's key in the media storage. */
  key: string;
  source_url: string;
  variant: "original" | "small";
  content_type: string;
  bytes: number;
  last_viewed_at: string;
  created_at: string;
  /** 0 while the file is being stored (never evicted then), 1 once it is whole (migration 0023). */
  ready: ColumnType<number, number | undefined, number>;
}

/** The cache's one accounting row (id 1): bytes reserved or on disk, never above the budget (migration 0023). */
export interface RemoteMediaCacheUsageTable {
  id: number;
  used_bytes: ColumnType<string | number, number | undefined, number>;
}

/**
 * Bytes and requests served per day and kind of media. bigint columns: PostgreSQL returns them as
 * strings, SQLite as numbers; read them with Number().
 */
export interface MediaUsageDailyTable {
  /** YYYY-MM-DD, UTC. */
  day: string;
  kind: string;
  bytes: ColumnType<string | number, number | undefined, number>;
  requests: ColumnType<string | number, number | undefined, number>;
}
