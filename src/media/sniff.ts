// What a file is, read from its bytes (file-type's magic numbers), never from its name or the MIME
// type a client sent: a JPEG renamed .mp4 is a JPEG, a text file renamed .png is refused.
import fs from "node:fs/promises";
import { heifDecodable } from "./limits.ts";
import { MediaError, type MediaKind, type SniffedType } from "./types.ts";

/** file-type's answer → the accepted type (with one canonical MIME type per format). */
const ACCEPTED: Record<string, { kind: MediaKind; mime: string; ext: string }> = {
  "image/jpeg": { kind: "image", mime: "image/jpeg", ext: "jpg" },
  "image/png": { kind: "image", mime: "image/png", ext: "png" },
  // An animated PNG: libvips reads only its first frame, ffmpeg (apng demuxer) reads them all.
  "image/apng": { kind: "image", mime: "image/apng", ext: "png" },
  "image/gif": { kind: "image", mime: "image/gif", ext: "gif" },
  "image/webp": { kind: "image", mime: "image/webp", ext: "webp" },
  "image/avif": { kind: "image", mime: "image/avif", ext: "avif" },
  "video/mp4": { kind: "video", mime: "video/mp4", ext: "mp4" },
  "video/x-m4v": { kind: "video", mime: "video/x-m4v", ext: "m4v" },
  "video/quicktime": { kind: "video", mime: "video/quicktime", ext: "mov" },
  "video/webm": { kind: "video", mime: "video/webm", ext: "webm" },
  "audio/mpeg": { kind: "audio", mime: "audio/mpeg", ext: "mp3" },
  "audio/ogg": { kind: "audio", mime: "audio/ogg", ext: "ogg" },
  "audio/ogg; codecs=opus": { kind: "audio", mime: "audio/ogg", ext: "opus" },
  "audio/wav": { kind: "audio", mime: "audio/wav", ext: "wav" },
  "audio/flac": { kind: "audio", mime: "audio/flac", ext: "flac" },
  "audio/x-flac": { kind: "audio", mime: "audio/flac", ext: "flac" },
  "audio/x-m4a": { kind: "audio", mime: "audio/mp4", ext: "m4a" },
  "audio/mp4": { kind: "audio", mime: "audio/mp4", ext: "m4a" },
};

const HEIF: Record<string, true> = { "image/heic": true, "image/heif": true };

// file-type (and the tokenizers under it) is imported on the first file sniffed: an idle server
// has received none (docs/PERFORMANCE.md, "Memory").
let fileType: Promise<typeof import("file-type")> | undefined;
const fileTypeFromFile = async (path: string) => (await (fileType ??= import("file-type"))).fileTypeFromFile(path);

/**
 * The accepted type of the file at `path`, or null when its bytes are not a type Skein accepts.
 * A zero-byte file is a MediaError("invalid") (an upload that never arrived); so is one that cannot
 * be read. Whether the content then decodes is the processors' question.
 */
export async function sniffFile(path: string): Promise<SniffedType | null> {
  let size: number;
  try {
    size = (await fs.stat(path)).size;
  } catch {
    throw new MediaError("invalid", "The file could not be read.");
  }
  if (size === 0) throw new MediaError("invalid", "The file is empty.");
  let found: { mime: string } | undefined;
  try {
    found = await fileTypeFromFile(path);
  } catch {
    // file-type throws on some truncated containers; what cannot be recognised is not accepted.
    return null;
  }
  if (!found) return null;
  if (HEIF[found.mime]) return heifDecodable() ? { kind: "image", mime: found.mime, ext: "heic" } : null;
  const accepted = ACCEPTED[found.mime];
  return accepted ? { ...accepted } : null;
}

/** The sniffed type or a MediaError that says what was refused. */
export async function sniffAccepted(path: string): Promise<SniffedType> {
  const sniffed = await sniffFile(path);
  if (sniffed) return sniffed;
  let found: { mime: string } | undefined;
  try {
    found = await fileTypeFromFile(path);
  } catch {
    found = undefined;
  }
  if (found && HEIF[found.mime]) {
    throw new MediaError("unsupported", "HEIC/HEIF photos cannot be decoded on this server; please upload a JPEG (on iPhone: Settings → Camera → Formats → Most Compatible).");
  }
  throw new MediaError("unsupported", found ? `Files of type ${found.mime.split(";")[0]} are not supported.` : "The file is not an image, video or audio file this server supports.");
}
