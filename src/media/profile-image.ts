// Avatars, headers and custom emoji: small images shown very often (every post in every timeline
// shows an avatar, every :shortcode: an emoji), so they are cut to the size clients show and
// encoded compactly; metadata is stripped like every other image.
//
// - Avatar: 400×400, header: 1500×500 (Mastodon's sizes), cover-cropped around the centre, WebP at
//   quality 85 (alpha kept). An animated GIF/WebP stays animated (animated WebP) and gets a still
//   first frame for `avatar_static`/`header_static`.
// - Emoji: at most 256 KiB uploaded and PNG/GIF/WebP only (Mastodon 4.x's rules), bounded to
//   128×128, never enlarged (Mastodon keeps the uploaded size; clients draw emoji at 1-2 em, so 128
//   pixels still cover a 4× display); a still emoji is a PNG (lossless, what every server accepts in an Emoji tag), an
//   animated one keeps its format (GIF or WebP) and gets a still PNG for `static_url`.
import fs from "node:fs/promises";
import path from "node:path";
import type { Sharp } from "sharp";
import { sharp } from "./sharp.ts";
import { imageGate } from "./gate.ts";
import { decodeOptions, imageError, outputPath, readImageHeader } from "./image.ts";
import { MEDIA_LIMITS } from "./limits.ts";
import { sniffAccepted } from "./sniff.ts";
import { MediaError, type EmojiResult, type OutputFile, type ProfileImageResult } from "./types.ts";

export const PROFILE_SIZES = {
  avatar: { width: 400, height: 400 },
  header: { width: 1500, height: 500 },
  quality: 85,
  /** Pixels over all frames an animated avatar/header may have (decoded whole for the crop). */
  animatedPixels: 30_000_000,
} as const;

export const EMOJI_LIMITS = {
  bytes: MEDIA_LIMITS.emojiBytes,
  side: 128,
  types: ["image/png", "image/gif", "image/webp"],
  animatedPixels: 20_000_000,
} as const;

async function checkInput(inputPath: string, workDir: string, maxBytes: number): Promise<{ mime: string }> {
  if (!path.isAbsolute(workDir) || !(await fs.stat(workDir)).isDirectory()) throw new Error("media pipeline: workDir must be an existing absolute directory");
  const sniffed = await sniffAccepted(inputPath);
  if (sniffed.kind !== "image") throw new MediaError("unsupported", "This must be an image (JPEG, PNG, GIF, WebP or AVIF).");
  const size = (await fs.stat(inputPath)).size;
  if (size > maxBytes) throw new MediaError("too_large", `The image is ${(size / 1024).toFixed(0)} KiB; at most ${(maxBytes / 1024).toFixed(0)} KiB are accepted.`);
  return sniffed;
}

async function write(pipeline: Sharp, out: string, contentType: string, ext: string): Promise<OutputFile> {
  try {
    const info = await pipeline.toFile(out);
    return { path: out, contentType, ext, size: info.size, width: info.width, height: info.pageHeight ?? info.height };
  } catch (error) {
    await fs.rm(out, { force: true });
    throw imageError(error);
  }
}

/** An avatar or header upload → the image to serve, and a still variant when it is animated. */
export async function processProfileImage(inputPath: string, workDir: string, which: "avatar" | "header"): Promise<ProfileImageResult> {
  const sniffed = await checkInput(inputPath, workDir, MEDIA_LIMITS.profileImageBytes);
  const { width, height } = PROFILE_SIZES[which];
  return imageGate.run(async () => {
    const header = await readImageHeader(inputPath, MEDIA_LIMITS.imageDecodePixels);
    const animated = header.pages > 1 && (sniffed.mime === "image/gif" || sniffed.mime === "image/webp");
    const resize = { width, height, fit: "cover" as const, position: "centre" };
    const still = await write(
      sharp()(inputPath, decodeOptions()).rotate().resize(resize).webp({ quality: PROFILE_SIZES.quality, effort: 4 }),
      outputPath(workDir, animated ? `${which}-static` : which, "webp"),
      "image/webp",
      "webp",
    );
    if (!animated) return { image: still, static: null };
    if (header.width * header.height * header.pages > PROFILE_SIZES.animatedPixels) {
      // Too many frames to crop within bounds: the still frame is the avatar.
      return { image: still, static: null };
    }
    const moving = await write(
      sharp()(inputPath, decodeOptions({ animated: true })).resize(resize).webp({ quality: PROFILE_SIZES.quality, effort: 4 }),
      outputPath(workDir, which, "webp"),
      "image/webp",
      "webp",
    );
    return { image: moving, static: still };
  });
}

/** A custom emoji upload → the emoji (animated if it was) and its still PNG. For a still emoji,
 * `image` and `static` are the same file (same path): store it once. */
export async function processEmoji(inputPath: string, workDir: string): Promise<EmojiResult> {
  const sniffed = await checkInput(inputPath, workDir, EMOJI_LIMITS.bytes);
  if (!(EMOJI_LIMITS.types as readonly string[]).includes(sniffed.mime)) throw new MediaError("unsupported", "A custom emoji must be a PNG, GIF or WebP image.");
  return imageGate.run(async () => {
    const header = await readImageHeader(inputPath, MEDIA_LIMITS.imageDecodePixels);
    const resize = { width: EMOJI_LIMITS.side, height: EMOJI_LIMITS.side, fit: "inside" as const, withoutEnlargement: true };
    const still = await write(sharp()(inputPath, decodeOptions()).resize(resize).png({ compressionLevel: 9, effort: 10 }), outputPath(workDir, "emoji-static", "png"), "image/png", "png");
    const animated = header.pages > 1 && sniffed.mime !== "image/png";
    if (!animated) return { image: still, static: still };
    if (header.width * header.height * header.pages > EMOJI_LIMITS.animatedPixels) throw new MediaError("too_large", "The animated emoji has too many frames.");
    const moving =
      sniffed.mime === "image/gif"
        ? await write(sharp()(inputPath, decodeOptions({ animated: true })).resize(resize).gif({ effort: 7 }), outputPath(workDir, "emoji", "gif"), "image/gif", "gif")
        : await write(sharp()(inputPath, decodeOptions({ animated: true })).resize(resize).webp({ quality: 90, effort: 4 }), outputPath(workDir, "emoji", "webp"), "image/webp", "webp");
    return { image: moving, static: still };
  });
}
