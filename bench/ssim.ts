// SSIM (Wang, Bovik, Sheikh, Simoncelli 2004) on luma, for `./skein bench media`: how close a
// processed image is to its source at the same size. The standard parameters: an 11×11 Gaussian
// window with σ = 1.5, K1 = 0.01, K2 = 0.03, L = 255, mean over the "valid" positions (where the
// window fits entirely). Unlike the paper's reference code, images are NOT first downsampled to
// ~256 px: the figure is measured at the size the file is served, which is stricter for
// originals. Work goes in strips of rows so an 8-megapixel comparison needs a few MB, not 200.
import sharp from "sharp";

const WINDOW = 11;
const RADIUS = 5;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;
const STRIP = 64;

const KERNEL = (() => {
  const k = new Float64Array(WINDOW);
  let sum = 0;
  for (let i = 0; i < WINDOW; i++) sum += k[i] = Math.exp(-((i - RADIUS) ** 2) / (2 * 1.5 * 1.5));
  for (let i = 0; i < WINDOW; i++) k[i] /= sum;
  return k;
})();

/** A greyscale image: one byte of luma per pixel, row by row. */
export interface Luma {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Mean SSIM of two luma images of the same size (1 = identical). */
export function ssim(a: Luma, b: Luma): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`SSIM needs equal sizes: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  const { width, height } = a;
  if (width < WINDOW || height < WINDOW) throw new Error(`SSIM needs at least ${WINDOW}×${WINDOW} pixels`);
  const outWidth = width - 2 * RADIUS;
  const outHeight = height - 2 * RADIUS;
  // Horizontal pass of x, y, x², y², xy for one strip of rows (plus the window's halo).
  const rows = STRIP + 2 * RADIUS;
  const h = Array.from({ length: 5 }, () => new Float64Array(rows * outWidth));
  let total = 0;
  for (let top = 0; top < outHeight; top += STRIP) {
    const stripRows = Math.min(STRIP, outHeight - top);
    for (let r = 0; r < stripRows + 2 * RADIUS; r++) {
      const base = (top + r) * width;
      const o = r * outWidth;
      for (let x = 0; x < outWidth; x++) {
        let mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
        for (let k = 0; k < WINDOW; k++) {
          const w = KERNEL[k];
          const pa = a.data[base + x + k];
          const pb = b.data[base + x + k];
          mx += w * pa;
          my += w * pb;
          xx += w * pa * pa;
          yy += w * pb * pb;
          xy += w * pa * pb;
        }
        h[0][o + x] = mx;
        h[1][o + x] = my;
        h[2][o + x] = xx;
        h[3][o + x] = yy;
        h[4][o + x] = xy;
      }
    }
    for (let r = 0; r < stripRows; r++) {
      for (let x = 0; x < outWidth; x++) {
        let mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
        for (let k = 0; k < WINDOW; k++) {
          const w = KERNEL[k];
          const i = (r + k) * outWidth + x;
          mx += w * h[0][i];
          my += w * h[1][i];
          xx += w * h[2][i];
          yy += w * h[3][i];
          xy += w * h[4][i];
        }
        const vx = xx - mx * mx;
        const vy = yy - my * my;
        const cov = xy - mx * my;
        total += ((2 * mx * my + C1) * (2 * cov + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
      }
    }
  }
  return total / (outWidth * outHeight);
}

/** BT.601 luma of interleaved 8-bit RGB (3 channels), the same weights for every decoder. */
export function lumaOfRgb(rgb: Uint8Array | Buffer, width: number, height: number): Luma {
  const data = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < data.length; i++, p += 3) data[i] = (77 * rgb[p] + 150 * rgb[p + 1] + 29 * rgb[p + 2] + 128) >> 8;
  return { width, height, data };
}

/**
 * Luma of a still image file, optionally resized to exactly width×height with Lanczos-3 (no
 * DCT shrink-on-load: the reference must be as good as the resampler can make it). Transparent
 * pixels are composited on white — how a client's light theme shows them — so an encoder that
 * mishandles alpha is penalised rather than hidden.
 */
export async function lumaOfFile(file: string, size?: { width: number; height: number }): Promise<Luma> {
  let image = sharp(file, { limitInputPixels: 200_000_000 }).flatten({ background: "#ffffff" }).removeAlpha().toColourspace("srgb");
  if (size) image = image.resize(size.width, size.height, { fit: "fill", kernel: "lanczos3", fastShrinkOnLoad: false });
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected RGB from ${file}, got ${info.channels} channels`);
  return lumaOfRgb(data, info.width, info.height);
}
