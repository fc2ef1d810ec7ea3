// The signed proxy URLs of remote media and the served-media kinds: what converters name a
// remote file as, what the proxy accepts back, and how served bytes are counted.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { ProxySigner, proxiedMediaUrls } from "../../src/domain/media/proxy-urls.ts";
import { directMediaUrls } from "../../src/domain/media/media-urls.ts";
import { toMediaAttachment } from "../../src/convert/mastodon/media.ts";
import { usageKindOfKey } from "../../src/domain/media/usage.ts";
import type { Stores } from "../../src/store/stores.ts";
import type { MediaRow } from "../../src/store/media/attachments.ts";

/** A signer whose secret comes from a settings table holding `secret`. */
async function signerWith(secret: string): Promise<ProxySigner> {
  const signer = new ProxySigner("https://skein.example");
  const settings = new Map<string, string>([["media_proxy_secret", secret]]);
  await signer.load({ settings: { getOrCreate: async (key: string, make: () => string) => settings.get(key) ?? make() } } as unknown as Stores);
  return signer;
}

test("remote attachments are named through the signed proxy; the proxy accepts only what was signed", async () => {
  const signer = await signerWith(Buffer.alloc(32, 1).toString("base64url"));
  const media = proxiedMediaUrls(directMediaUrls("https://skein.example"), signer);
  const row = {
    id: "9", status_id: "8", account_id: "1", type: "image", remote_url: "https://media.example/x.png", url: null, preview_url: null, media_type: "image/png",
    description: "a cat", blurhash: null, width: 10, height: 10, focus_x: null, focus_y: null, position: 0, created_at: "",
    processing: "done", upload_key: null, file_key: null, preview_key: null, file_size: null, preview_size: null, meta: null, remote_preview_url: null, processing_error: null, updated_at: null,
  } as MediaRow;
  const shown = toMediaAttachment(row, false, { media });
  assert.match(shown.url!, /^https:\/\/skein\.example\/media_proxy\/attachment\/9\/original\?u=[A-Za-z0-9_-]{16}&s=[A-Za-z0-9_-]{22}$/);
  assert.match(shown.preview_url!, /^https:\/\/skein\.example\/media_proxy\/attachment\/9\/small\?/);
  assert.equal(shown.remote_url, "https://media.example/x.png", "remote_url still names the origin's file");
  assert.equal(media.stored("attachments/original/1-a.webp"), "https://skein.example/system/attachments/original/1-a.webp");

  const url = new URL(shown.url!);
  const [u, s] = [url.searchParams.get("u")!, url.searchParams.get("s")!];
  assert.equal(signer.verify("attachment", "9", "original", u, s), true);
  assert.equal(signer.verify("attachment", "10", "original", u, s), false, "another attachment");
  assert.equal(signer.verify("attachment", "9", "small", u, s), false, "another variant");
  assert.equal(signer.verify("avatar", "9", "original", u, s), false, "another kind");
  assert.equal(signer.verify("attachment", "9", "original", ProxySigner.urlDigest("https://evil.example/y.png"), s), false, "another file");
  assert.equal(signer.verify("attachment", "9", "original", u, `${s.slice(0, -1)}${s.endsWith("A") ? "B" : "A"}`), false, "a changed signature");
  assert.equal(signer.verify("attachment", "9", "original", u, ""), false);
  // Another server's secret signs differently.
  const other = await signerWith(Buffer.alloc(32, 2).toString("base64url"));
  assert.equal(other.verify("attachment", "9", "original", u, s), false);
  // A changed remote file (a new avatar) gets a new URL, so clients' year-long caches never show the old one for it.
  assert.notEqual(signer.url("avatar", "1", "original", "https://r.example/a1.png"), signer.url("avatar", "1", "original", "https://r.example/a2.png"));
});

test("an unloaded signer refuses to name files rather than hot-link them", () => {
  const signer = new ProxySigner("https://skein.example");
  assert.throws(() => signer.url("attachment", "1", "original", "https://r.example/x.png"), /secret is not loaded/);
  assert.equal(signer.verify("attachment", "1", "original", "a".repeat(16), "b".repeat(22)), false);
});

test("served bytes are counted by the kind of their storage key", () => {
  assert.deepEqual(
    ["attachments/original/1-a.webp", "attachments/small/1-a.webp", "avatars/1-a.webp", "headers/1-b.webp", "emojis/2-c.png", "cache/original/ab.png", "cache/small/ab.webp", "uploads/3-x", "weird/x"].map(usageKindOfKey),
    ["attachments/original", "attachments/small", "avatars", "headers", "emojis", "cache/original", "cache/small", "uploads", "other"],
  );
});
