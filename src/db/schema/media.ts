// Media tables (issue 13): custom emojis, the remote-media cache's accounting, and the daily
// counters of what was served (the cost report); the attachments of posts. The accounts' avatar
// and header keys are in schema.ts with their table.
import type { ColumnType } from "kysely";

export type MediaType = "image" | "gifv" | "video" | "audio" | "unknown";

export interface MediaAttachmentsTable {
  id: string;
  status_id: string | null;
  account_id: string;
  type: MediaType;
  /** Where the file lives on its origin server (remote media). */
  remote_url: string | null;
  /** Our copy, once media are stored or cached locally. */
  url: string | null;
  preview_url: string | null;
  media_type: string | null;
  description: string | null;
  blurhash: string | null;
  focus_x: number | null;
  focus_y: number | null;
  width: number | null;
  height: number | null;
  position: number;
  created_at: string;
  /** Local uploads: "queued"/"processing" until their files are made; remote ones are "done". */
  processing: ColumnType<MediaProcessing, MediaProcessing | undefined, MediaProcessing>;
  /** The upload as received, in the media storage, until it has been processed. */
  upload_key: ColumnType<string | null, string | null | undefined, string | null>;
  /** Our processed original and preview, in the media storage. */
  file_key: ColumnType<string | null, string | null | undefined, string | null>;
  preview_key: ColumnType<string | null, string | null | undefined, string | null>;
  file_size: ColumnType<number | null, number | null | undefined, number | null>;
  preview_size: ColumnType<number | null, number | null | undefined, number | null>;
  /** JSON: Mastodon's `meta` (original, small, duration, fps …) without focus (kept in focus_x/y). */
  meta: ColumnType<string | null, string | null | undefined, string | null>;
  /** A remote attachment's preview image on its origin (a video's poster), if it sent one. */
  remote_preview_url: ColumnType<string | null, string | null | undefined, string | null>;
  processing_error: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** An upload reserved for a scheduled status (migration 0025): not pruned, not attachable elsewhere. */
  scheduled_status_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export type MediaProcessing = "queued" | "processing" | "done" | "failed";

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
