// Blurhash: the ~30-character placeholder clients paint while the preview loads. Computed from a
// tiny resize (at most 32 pixels a side) of the already-made preview, so it costs a millisecond and
// never decodes the original again. The encoding cost is pixels × components, and a blur needs no
// more than 32 pixels to look the same.
import { sharp } from "./sharp.ts";
import { encode } from "blurhash";

const SAMPLE_SIDE = 32;

/** Components per axis by aspect ratio: 4 along the longer side (Mastodon uses 4×4 for every image),
 * fewer along the shorter one, so a panorama gets horizontal detail and no wasted characters. */
export function blurhashComponents(width: number, height: number): { x: number; y: number } {
  const long = 4;
  const ratio = Math.min(width, height) / Math.max(width, height);
  const short = Math.max(2, Math.min(long, Math.round(long * ratio + 0.49)));
  return width >= height ? { x: long, y: short } : { x: short, y: long };
}

/** The blurhash of an image file the pipeline made (a preview or a poster), or null when it cannot
 * be read (a placeholder is a nicety, never a reason to fail an upload). */
export async function blurhashOf(imagePath: string): Promise<string | null> {
  try {
    const { data, info } = await sharp()(imagePath, { limitInputPixels: 50_000_000, failOn: "error" })
      .resize(SAMPLE_SIDE, SAMPLE_SIDE, { fit: "inside" })
      // Transparent pixels carry arbitrary colour; show them as the white most clients draw behind.
      .flatten({ background: "#ffffff" })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { x, y } = blurhashComponents(info.width, info.height);
    return encode(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height, x, y);
  } catch {
    return null;
  }
}
