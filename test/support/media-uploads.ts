// Uploading media in tests: photo-like images made with sharp (noise, a gradient, text, and
// EXIF that must not survive), raw multipart calls to /api/v1|v2/media (for the status codes
// masto.js hides), and polling an upload until it is processed.
import assert from "node:assert/strict";
import sharp from "sharp";
import type { TestServer } from "./server.ts";
import type { TestUser } from "./clients.ts";
import { eventually } from "./federation-fleet.ts";

/** A MediaAttachment as the API sends it (snake_case). */
export interface Attachment {
  id: string;
  type: string;
  url: string | null;
  preview_url: string | null;
  remote_url: string | null;
  description: string | null;
  blurhash: string | null;
  meta: Record<string, unknown> | null;
  error?: string;
  [key: string]: unknown;
}

export function mediaFixtures(server: () => Pick<TestServer, "url">) {
  /** A photo-like image with EXIF naming a camera and a place. */
  async function photo(width: number, height: number, format: "jpeg" | "png" = "jpeg"): Promise<Buffer> {
    const noise = await sharp({ create: { width, height, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } }).png().toBuffer();
    const overlay = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g"><stop offset="0" stop-color="#c33" stop-opacity="0.6"/><stop offset="1" stop-color="#33c" stop-opacity="0.6"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><text x="10" y="${Math.floor(height / 2)}" font-size="${Math.max(8, Math.floor(height / 6))}" fill="white">Skein</text></svg>`,
    );
    const image = sharp(noise)
      .composite([{ input: overlay }])
      .withExif({ IFD0: { Make: "SecretCam", Model: "GPS-9000", Copyright: "where I live" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 2964/100", GPSLongitudeRef: "E", GPSLongitude: "2/1 17/1 4032/100" } });
    return format === "jpeg" ? image.jpeg({ quality: 90 }).toBuffer() : image.png().toBuffer();
  }

  const blob = (bytes: Buffer, type: string) => new Blob([new Uint8Array(bytes)], { type });

  /** Any API call with a token: JSON in and out. */
  async function call(user: Pick<TestUser, "token">, method: string, pathname: string, json?: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${server().url}${pathname}`, {
      method,
      headers: { Authorization: `Bearer ${user.token}`, ...(json ? { "Content-Type": "application/json" } : {}) },
      body: json ? JSON.stringify(json) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async function multipart(user: Pick<TestUser, "token">, method: string, pathname: string, parts: Record<string, Blob | string>): Promise<{ status: number; body: Attachment }> {
    const form = new FormData();
    for (const [name, value] of Object.entries(parts)) {
      if (value instanceof Blob) form.append(name, value, "upload.bin");
      else form.append(name, value);
    }
    const response = await fetch(`${server().url}${pathname}`, { method, headers: { Authorization: `Bearer ${user.token}` }, body: form });
    return { status: response.status, body: (await response.json()) as Attachment };
  }

  return {
    photo,
    blob,
    call,
    /** POST /api/v{1,2}/media with these form parts (file, thumbnail, description, focus). */
    upload: (user: Pick<TestUser, "token">, version: 1 | 2, parts: Record<string, Blob | string>) => multipart(user, "POST", `/api/v${version}/media`, parts),
    put: (user: Pick<TestUser, "token">, id: string, parts: Record<string, Blob | string>) => multipart(user, "PUT", `/api/v1/media/${id}`, parts),
    /** Polls GET /api/v1/media/:id (206 while processing) until it answers 200 with a url. */
    async untilProcessed(user: Pick<TestUser, "token">, id: string, timeoutMs = 30_000): Promise<Attachment> {
      let last: { status: number; body: Record<string, unknown> } | null = null;
      await eventually(
        async () => {
          last = await call(user, "GET", `/api/v1/media/${id}`);
          assert.ok(last.status === 200 || last.status === 206, `GET /api/v1/media/${id}: ${last.status} ${JSON.stringify(last.body)}`);
          return last.status === 200 && typeof last.body.url === "string";
        },
        timeoutMs,
        `upload ${id} processed`,
      );
      return last!.body as Attachment;
    },
  };
}
