// Chooses the media driver from the configuration: an S3-compatible bucket when S3_BUCKET is
// set, else the folder DATA_DIR/media. The rest of Skein holds a MediaStorage and never asks which.
import path from "node:path";
import type { Config } from "../config/config.ts";
import type { MediaStorage } from "./media-storage.ts";
import { LocalMediaStorage } from "./local-storage.ts";
import { S3MediaStorage } from "./s3-storage.ts";

export type { MediaStorage } from "./media-storage.ts";

/** DATA_DIR/media: the local driver's folder (and what the nginx snippet serves at /system/). */
export function localMediaRoot(config: Pick<Config, "dataDir">): string {
  return path.join(config.dataDir, "media");
}

export function createMediaStorage(config: Pick<Config, "dataDir" | "origin" | "media">): MediaStorage {
  if (config.media.s3) return new S3MediaStorage(config.media.s3, { spoolDir: path.join(config.dataDir, "tmp") });
  return new LocalMediaStorage(localMediaRoot(config), config.origin);
}
