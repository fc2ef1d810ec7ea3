// The images `./skein bench media` feeds to both pipelines, generated from a seeded PRNG so every
// run sees the same bytes and nothing binary is committed. They stand for what people post:
//
//   photo-12mp          4032×3024 camera JPEG (quality 92, 4:2:0, with EXIF): gradients, shapes,
//                       texture at several scales and sensor noise
//   photo-1080p         1920×1080 JPEG, the same kind of content
//   phone-screenshot    1170×2532 PNG (an iPhone's size): flat UI colours, text, one photo in a post
//   desktop-screenshot  2560×1440 PNG: window chrome, sidebar, code, a picture
//   logo-alpha          1024×1024 PNG with an alpha channel (soft edges, a drop shadow)
//   animated-gif        480×270 GIF, 30 frames at 25 fps: a panning "camera" plus moving shapes
//
// Text is rendered by librsvg with the machine's fonts (DejaVu here), so bytes are the same from
// run to run on one machine, not necessarily across machines.
import fs from "node:fs";
import path from "node:path";
import sharp, { type OverlayOptions } from "sharp";

export interface CorpusImage {
  name: string;
  /** What it stands for, for the report. */
  kind: string;
  path: string;
  width: number;
  height: number;
  format: "jpeg" | "png" | "gif";
  bytes: number;
  frames: number;
}

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A smooth random field of `channels` bands: a coarse random grid upscaled with a cubic kernel. */
async function smoothNoise(width: number, height: number, cell: number, channels: 1 | 3, random: () => number): Promise<Buffer> {
  const gw = Math.max(2, Math.ceil(width / cell) + 1);
  const gh = Math.max(2, Math.ceil(height / cell) + 1);
  const grid = Buffer.alloc(gw * gh * channels);
  for (let i = 0; i < grid.length; i++) grid[i] = Math.floor(random() * 256);
  return sharp(grid, { raw: { width: gw, height: gh, channels } }).resize(width, height, { fit: "fill", kernel: "cubic" }).raw().toBuffer();
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** Photo-like RGB pixels: colour gradients, texture at 4 scales, soft shapes, a sign, sensor noise. */
export async function photoPixels(width: number, height: number, seed: number): Promise<Buffer> {
  const random = prng(seed);
  const base = await smoothNoise(width, height, Math.max(width, height) / 3, 3, random);
  const octaves = [
    { buf: await smoothNoise(width, height, Math.max(8, width / 16), 1, random), amp: 0.35 },
    { buf: await smoothNoise(width, height, Math.max(4, width / 80), 1, random), amp: 0.25 },
    { buf: await smoothNoise(width, height, 12, 1, random), amp: 0.18 },
    { buf: await smoothNoise(width, height, 3, 1, random), amp: 0.1 },
  ];
  const px = Buffer.alloc(width * height * 3);
  for (let i = 0, p = 0; i < width * height; i++, p += 3) {
    let texture = 0;
    for (const o of octaves) texture += (o.buf[i] - 128) * o.amp;
    const y = Math.floor(i / width) / height;
    for (let c = 0; c < 3; c++) {
      // a sky-to-ground vertical gradient under the random colours, as most photos have
      const gradient = c === 2 ? 70 * (1 - y) : c === 1 ? 30 * (0.5 - Math.abs(y - 0.5)) : 40 * y;
      px[p + c] = Math.max(0, Math.min(255, base[p + c] * 0.55 + 40 + gradient + texture));
    }
  }
  const shapes: string[] = [];
  for (let i = 0; i < 14; i++) {
    const cx = random() * width, cy = random() * height, r = (0.03 + random() * 0.12) * width;
    const colour = `rgb(${Math.floor(random() * 255)},${Math.floor(random() * 255)},${Math.floor(random() * 255)})`;
    shapes.push(
      random() < 0.5
        ? `<circle cx="${cx}" cy="${cy}" r="${r}" fill="url(#g${i % 3})" opacity="${0.5 + random() * 0.4}"/>`
        : `<rect x="${cx}" y="${cy}" width="${r * 1.6}" height="${r}" rx="${r / 8}" fill="${colour}" opacity="${0.5 + random() * 0.4}" transform="rotate(${random() * 40 - 20} ${cx} ${cy})"/>`,
    );
  }
  const gradients = [0, 1, 2].map((i) => `<radialGradient id="g${i}"><stop offset="0" stop-color="hsl(${i * 120 + 20},70%,70%)"/><stop offset="1" stop-color="hsl(${i * 120 + 60},60%,25%)"/></radialGradient>`);
  const font = Math.round(width / 18);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs>${gradients.join("")}<filter id="soft"><feGaussianBlur stdDeviation="${width / 900}"/></filter></defs>
    <g filter="url(#soft)">${shapes.join("")}
    <rect x="${width * 0.1}" y="${height * 0.62}" width="${font * 7}" height="${font * 1.5}" fill="#2a2622" opacity="0.85"/>
    <text x="${width * 0.1 + font * 0.3}" y="${height * 0.62 + font * 1.1}" font-family="DejaVu Serif" font-size="${font}" fill="#f3e6c8">${escapeXml("CAFÉ 1987")}</text></g></svg>`;
  const composed = await sharp(px, { raw: { width, height, channels: 3 } }).composite([{ input: Buffer.from(svg) }]).removeAlpha().raw().toBuffer();
  // Sensor noise (triangular, about ±6 levels): what makes real photos expensive to compress.
  for (let i = 0; i < composed.length; i++) composed[i] = Math.max(0, Math.min(255, composed[i] + Math.round((random() + random() - 1) * 6)));
  return composed;
}

async function photoJpeg(file: string, width: number, height: number, seed: number): Promise<void> {
  const pixels = await photoPixels(width, height, seed);
  await sharp(pixels, { raw: { width, height, channels: 3 } })
    .withExif({ IFD0: { Make: "BenchCam", Model: "Synthetic 12", Software: "skein bench media" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 2400/100" } })
    .jpeg({ quality: 92, chromaSubsampling: "4:2:0" })
    .toFile(file);
}

const WORDS = "the a of to and in is it you that was for on are with as I his they be at one have this from or had by hot word but what some we can out other were all there when up use your how said an each she which do their time if will way about many then them write would like so these her long make thing see him two has look more day could go come did number sound no most people my over know water than call first who may down side been now find any new work part take get place made live where after back little only round man year came show every good me give our under name very through just form sentence great think say help low line differ turn cause much mean before move right boy old too same tell does set three want air well also play small end put home read hand port large spell add even land here must big high such follow act why ask men change went light kind off need house picture try us again animal point mother world near build self earth father".split(" ");

function sentence(random: () => number, words: number): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" ");
}

async function phoneScreenshot(file: string, width: number, height: number, seed: number): Promise<void> {
  const random = prng(seed);
  const s = width / 1170;
  const parts: string[] = [`<rect width="${width}" height="${height}" fill="#ffffff"/>`, `<rect width="${width}" height="${150 * s}" fill="#f7f7f9"/>`];
  parts.push(`<text x="${60 * s}" y="${100 * s}" font-family="DejaVu Sans" font-weight="bold" font-size="${44 * s}" fill="#000">9:41</text>`);
  parts.push(`<rect y="${150 * s}" width="${width}" height="${140 * s}" fill="#563acc"/><text x="${60 * s}" y="${240 * s}" font-family="DejaVu Sans" font-weight="bold" font-size="${56 * s}" fill="#fff">Home</text>`);
  let y = 330 * s;
  let photoAt = -1;
  for (let post = 0; y < height - 300 * s; post++) {
    const hue = Math.floor(random() * 360);
    parts.push(`<circle cx="${100 * s}" cy="${y + 60 * s}" r="${50 * s}" fill="hsl(${hue},55%,55%)"/>`);
    parts.push(`<text x="${180 * s}" y="${y + 50 * s}" font-family="DejaVu Sans" font-weight="bold" font-size="${40 * s}" fill="#14161a">${escapeXml(sentence(random, 2))}</text>`);
    parts.push(`<text x="${180 * s}" y="${y + 100 * s}" font-family="DejaVu Sans" font-size="${34 * s}" fill="#606984">@${WORDS[post % WORDS.length]}@example.social</text>`);
    y += 160 * s;
    for (let line = 0; line < 2 + Math.floor(random() * 3); line++, y += 54 * s)
      parts.push(`<text x="${60 * s}" y="${y}" font-family="DejaVu Sans" font-size="${40 * s}" fill="#282c37">${escapeXml(sentence(random, 6))}</text>`);
    if (post === 1) {
      photoAt = y;
      y += 620 * s;
    }
    for (let icon = 0; icon < 4; icon++) parts.push(`<rect x="${(60 + icon * 260) * s}" y="${y}" width="${44 * s}" height="${44 * s}" rx="${10 * s}" fill="#8c8dff"/>`);
    y += 90 * s;
    parts.push(`<rect x="0" y="${y}" width="${width}" height="${2 * s}" fill="#dadaf3"/>`);
    y += 40 * s;
  }
  parts.push(`<rect y="${height - 250 * s}" width="${width}" height="${250 * s}" fill="#f7f7f9"/>`);
  for (let tab = 0; tab < 5; tab++) parts.push(`<circle cx="${(117 + tab * 234) * s}" cy="${height - 160 * s}" r="${36 * s}" fill="${tab === 0 ? "#563acc" : "#9baec8"}"/>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join("")}</svg>`;
  const layers: OverlayOptions[] = [{ input: Buffer.from(svg) }];
  if (photoAt >= 0) {
    const pw = Math.round(1050 * s), ph = Math.round(590 * s);
    const photo = await sharp(await photoPixels(pw, ph, seed + 1), { raw: { width: pw, height: ph, channels: 3 } }).png().toBuffer();
    layers.push({ input: photo, left: Math.round(60 * s), top: Math.round(photoAt) });
  }
  await sharp({ create: { width, height, channels: 3, background: "#fff" } }).composite(layers).png().toFile(file);
}

async function desktopScreenshot(file: string, width: number, height: number, seed: number): Promise<void> {
  const random = prng(seed);
  const s = width / 2560;
  const parts: string[] = [`<rect width="${width}" height="${height}" fill="#2b3a55"/>`];
  parts.push(`<rect x="${40 * s}" y="${30 * s}" width="${width - 80 * s}" height="${height - 140 * s}" rx="${12 * s}" fill="#1e1e1e"/>`);
  parts.push(`<rect x="${40 * s}" y="${30 * s}" width="${width - 80 * s}" height="${56 * s}" rx="${12 * s}" fill="#3c3c3c"/>`);
  for (const [i, c] of ["#ff5f57", "#febc2e", "#28c840"].entries()) parts.push(`<circle cx="${(80 + i * 36) * s}" cy="${58 * s}" r="${11 * s}" fill="${c}"/>`);
  parts.push(`<rect x="${40 * s}" y="${86 * s}" width="${420 * s}" height="${height - 196 * s}" fill="#252526"/>`);
  for (let i = 0; i < 28; i++)
    parts.push(`<text x="${80 * s}" y="${(140 + i * 42) * s}" font-family="DejaVu Sans" font-size="${24 * s}" fill="${i === 5 ? "#ffffff" : "#cccccc"}">${escapeXml(WORDS[Math.floor(random() * WORDS.length)])}-${WORDS[i]}.ts</text>`);
  const palette = ["#569cd6", "#ce9178", "#9cdcfe", "#dcdcaa", "#6a9955", "#c586c0", "#d4d4d4"];
  for (let line = 0; line < 30; line++) {
    const indent = (Math.floor(random() * 4) * 32 + 520) * s;
    let x = indent;
    parts.push(`<text x="${480 * s}" y="${(140 + line * 38) * s}" font-family="DejaVu Sans Mono" font-size="${22 * s}" fill="#858585">${line + 1}</text>`);
    for (let token = 0; token < 2 + Math.floor(random() * 6); token++) {
      const word = WORDS[Math.floor(random() * WORDS.length)];
      parts.push(`<text x="${x}" y="${(140 + line * 38) * s}" font-family="DejaVu Sans Mono" font-size="${24 * s}" fill="${palette[Math.floor(random() * palette.length)]}">${escapeXml(word)}</text>`);
      x += (word.length + 1) * 14.5 * s;
    }
  }
  parts.push(`<rect y="${height - 70 * s}" width="${width}" height="${70 * s}" fill="#111827"/>`);
  for (let i = 0; i < 9; i++) parts.push(`<rect x="${(900 + i * 84) * s}" y="${height - 58 * s}" width="${46 * s}" height="${46 * s}" rx="${10 * s}" fill="hsl(${i * 40},60%,55%)"/>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join("")}</svg>`;
  const pw = Math.round(820 * s), ph = Math.round(560 * s);
  const photo = await sharp(await photoPixels(pw, ph, seed + 1), { raw: { width: pw, height: ph, channels: 3 } }).png().toBuffer();
  await sharp({ create: { width, height, channels: 3, background: "#000" } })
    .composite([{ input: Buffer.from(svg) }, { input: photo, left: Math.round(1640 * s), top: Math.round(140 * s) }])
    .png()
    .toFile(file);
}

async function logo(file: string, size: number): Promise<void> {
  const u = size / 1024;
  const star = Array.from({ length: 10 }, (_, i) => {
    const r = (i % 2 ? 130 : 300) * u, a = (Math.PI / 5) * i - Math.PI / 2;
    return `${512 * u + r * Math.cos(a)},${430 * u + r * Math.sin(a)}`;
  }).join(" ");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#6364ff"/><stop offset="1" stop-color="#563acc"/></linearGradient>
    <filter id="shadow"><feGaussianBlur in="SourceAlpha" stdDeviation="${18 * u}"/><feOffset dy="${14 * u}"/><feComponentTransfer><feFuncA type="linear" slope="0.45"/></feComponentTransfer><feMerge><feMergeNode/><feMergeNode in="SourceGraphic"/></feMerge></filter></defs>
    <g filter="url(#shadow)"><rect x="${112 * u}" y="${100 * u}" width="${800 * u}" height="${800 * u}" rx="${180 * u}" fill="url(#bg)"/>
    <circle cx="${512 * u}" cy="${430 * u}" r="${330 * u}" fill="none" stroke="#ffffff" stroke-opacity="0.55" stroke-width="${28 * u}"/>
    <polygon points="${star}" fill="#ffd166"/>
    <text x="${512 * u}" y="${840 * u}" text-anchor="middle" font-family="DejaVu Sans" font-weight="bold" font-size="${150 * u}" fill="#ffffff">SKEIN</text></g></svg>`;
  await sharp(Buffer.from(svg)).png().toFile(file);
}

async function animatedGif(file: string, width: number, height: number, frames: number, seed: number): Promise<void> {
  // A panning camera over a larger photo, with a ball and a caption moving over it.
  const big = { width: width + frames * 4, height };
  const scene = await photoPixels(big.width, big.height, seed);
  const tall = Buffer.alloc(width * height * frames * 3);
  for (let f = 0; f < frames; f++) {
    const frame = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) scene.copy(frame, y * width * 3, (y * big.width + f * 4) * 3, (y * big.width + f * 4 + width) * 3);
    const cx = width * (0.15 + (0.7 * f) / frames), cy = height * (0.3 + 0.4 * Math.abs(Math.sin((f / frames) * Math.PI * 2)));
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><circle cx="${cx}" cy="${cy}" r="${height / 9}" fill="#ff4d6d"/>
      <text x="${width / 2}" y="${height * 0.92}" text-anchor="middle" font-family="DejaVu Sans" font-weight="bold" font-size="${height / 8}" fill="#fff" stroke="#000" stroke-width="${height / 120}">${f < frames / 2 ? "WAIT FOR IT" : "THERE IT IS"}</text></svg>`;
    const composed = await sharp(frame, { raw: { width, height, channels: 3 } }).composite([{ input: Buffer.from(svg) }]).removeAlpha().raw().toBuffer();
    composed.copy(tall, f * width * height * 3);
  }
  await sharp(tall, { raw: { width, height: height * frames, channels: 3, pageHeight: height } }).gif({ delay: 40, loop: 0 }).toFile(file);
}

/** Generates the corpus into `dir`. `scale` (0 < scale ≤ 1) shrinks every size, for quick runs. */
export async function generateCorpus(dir: string, options: { scale?: number; only?: string[] } = {}): Promise<CorpusImage[]> {
  fs.mkdirSync(dir, { recursive: true });
  const scale = options.scale ?? 1;
  const dim = (n: number) => Math.max(64, Math.round(n * scale));
  const specs: Array<{ name: string; kind: string; ext: "jpeg" | "png" | "gif"; make: (file: string) => Promise<void>; frames: number }> = [
    { name: "photo-12mp", kind: "camera photo 4032×3024 JPEG q92", ext: "jpeg", frames: 1, make: (f) => photoJpeg(f, dim(4032), dim(3024), 11) },
    { name: "photo-1080p", kind: "photo 1920×1080 JPEG q92", ext: "jpeg", frames: 1, make: (f) => photoJpeg(f, dim(1920), dim(1080), 22) },
    { name: "phone-screenshot", kind: "phone screenshot 1170×2532 PNG", ext: "png", frames: 1, make: (f) => phoneScreenshot(f, dim(1170), dim(2532), 33) },
    { name: "desktop-screenshot", kind: "desktop screenshot 2560×1440 PNG", ext: "png", frames: 1, make: (f) => desktopScreenshot(f, dim(2560), dim(1440), 44) },
    { name: "logo-alpha", kind: "logo 1024×1024 PNG with alpha", ext: "png", frames: 1, make: (f) => logo(f, dim(1024)) },
    { name: "animated-gif", kind: "animated GIF 480×270, 30 frames", ext: "gif", frames: 30, make: (f) => animatedGif(f, dim(480), dim(270), 30, 55) },
  ];
  const chosen = options.only?.length ? specs.filter((s) => options.only!.includes(s.name)) : specs;
  const images: CorpusImage[] = [];
  for (const spec of chosen) {
    const file = path.join(dir, `${spec.name}.${spec.ext === "jpeg" ? "jpg" : spec.ext}`);
    await spec.make(file);
    const meta = await sharp(file).metadata();
    images.push({ name: spec.name, kind: spec.kind, path: file, width: meta.width!, height: meta.pageHeight ?? meta.height!, format: spec.ext, bytes: fs.statSync(file).size, frames: meta.pages ?? 1 });
  }
  return images;
}

export const CORPUS_NAMES = ["photo-12mp", "photo-1080p", "phone-screenshot", "desktop-screenshot", "logo-alpha", "animated-gif"] as const;
