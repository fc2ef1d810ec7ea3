// The rules under custom emojis and uploads, in-process: which `:shortcode:`s a text uses, which
// Emoji tags of a remote object are kept (bounded, http(s) images, valid shortcodes), how an
// emoji becomes a CustomEmoji entity (local file, remote through the cache, rejected media),
// and multipart uploads streamed to disk with a limit per file and cleaned up.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { Hono } from "hono";
import { Emoji, Image, Note } from "@fedify/vocab";
import { shortcodesIn, MAX_SHORTCODES } from "../../src/domain/emojis/shortcodes.ts";
import { emojisOf } from "../../src/convert/activitypub/emoji.ts";
import { MAX_EMOJI_TAGS } from "../../src/domain/emojis/emoji-service.ts";
import { toCustomEmoji } from "../../src/convert/mastodon/custom-emoji.ts";
import type { CustomEmojiRow } from "../../src/store/media/emojis.ts";
import { receiveUploads } from "../../src/http/uploads.ts";
import { handleError } from "../../src/http/errors.ts";

test("shortcodes: Mastodon's rule — 2+ of [a-zA-Z0-9_] between colons, not glued to words or colons", () => {
  assert.deepEqual(shortcodesIn(["hi :blobcat: and :blob_cat_2:!"]), ["blobcat", "blob_cat_2"]);
  assert.deepEqual(shortcodesIn(["<p>:blobcat:</p>", ":blobcat: again"]), ["blobcat"], "once each, HTML around is fine");
  assert.deepEqual(shortcodesIn(["12:30:45", "a:blobcat:b", ":x:", "::", ":has space:", ":émoji:"]), []);
  assert.deepEqual(shortcodesIn([":one::two:"]), [], "glued to another colon: neither");
  assert.deepEqual(shortcodesIn([null, undefined, ""]), []);
  const many = Array.from({ length: 500 }, (_, i) => `:code${i}:`).join(" ");
  assert.equal(shortcodesIn([many]).length, MAX_SHORTCODES, "one text names a bounded number");
});

const icon = (url: string, mediaType = "image/png") => new Image({ url: new URL(url), mediaType });

test("Emoji tags of a remote object: valid ones kept, bounded, fetched references and odd URLs ignored", async () => {
  const note = new Note({
    id: new URL("https://remote.example/notes/1"),
    tags: [
      new Emoji({ id: new URL("https://remote.example/emojis/1"), name: ":blobcat:", icon: icon("https://remote.example/files/blobcat.png") }),
      new Emoji({ name: ":no_id:", icon: icon("https://remote.example/files/no_id.gif", "image/gif") }),
      new Emoji({ name: ":bad code:", icon: icon("https://remote.example/x.png") }),
      new Emoji({ name: ":ftp:", icon: icon("ftp://remote.example/x.png") }),
      new Emoji({ name: ":noicon:" }),
    ],
  });
  const emojis = await emojisOf(note.getTags());
  assert.deepEqual(emojis, [
    { shortcode: "blobcat", uri: "https://remote.example/emojis/1", url: "https://remote.example/files/blobcat.png", mediaType: "image/png" },
    { shortcode: "no_id", uri: null, url: "https://remote.example/files/no_id.gif", mediaType: "image/gif" },
  ]);
  const flood = new Note({ id: new URL("https://remote.example/notes/2"), tags: Array.from({ length: 300 }, (_, i) => new Emoji({ name: `:e${i}x:`, icon: icon(`https://remote.example/${i}.png`) })) });
  assert.equal((await emojisOf(flood.getTags())).length, MAX_EMOJI_TAGS);
});

const row = (over: Partial<CustomEmojiRow>): CustomEmojiRow => ({
  id: "100", shortcode: "blobcat", domain: "", uri: null, image_remote_url: null, image_key: "emojis/100-abc.png", static_key: "emojis/100-abc-static.png",
  image_size: 10, content_type: "image/png", category: "Blobs", visible_in_picker: 1, disabled: 0, created_at: "2026-01-01T00:00:00.000Z", updated_at: "2026-01-01T00:00:00.000Z", ...over,
});
const media = { stored: (key: string) => `https://files.example/${key}`, proxied: (kind: string, id: string, variant: string, source: string) => `https://local.example/proxy/${kind}/${id}/${variant}?src=${encodeURIComponent(source)}` };

test("CustomEmoji entity: a local emoji's stored files, a remote one through the cache, none for rejected media", () => {
  const ctx = { origin: "https://local.example", media, mediaRejected: (domain: string | null) => domain === "rejected.example" };
  assert.deepEqual(toCustomEmoji(row({}), ctx), { shortcode: "blobcat", url: "https://files.example/emojis/100-abc.png", static_url: "https://files.example/emojis/100-abc-static.png", visible_in_picker: true, category: "Blobs" });
  const remote = toCustomEmoji(row({ domain: "remote.example", image_key: null, static_key: null, image_remote_url: "https://remote.example/b.png", visible_in_picker: 0, category: null }), ctx)!;
  assert.equal(remote.url, `https://local.example/proxy/emoji/100/original?src=${encodeURIComponent("https://remote.example/b.png")}`);
  assert.equal(remote.static_url, remote.url);
  assert.equal(toCustomEmoji(row({ domain: "rejected.example", image_key: null, image_remote_url: "https://rejected.example/b.png" }), ctx), null);
  assert.equal(toCustomEmoji(row({ image_key: null }), ctx), null, "a local emoji without a file names nothing");
});

function uploadApp(limits: Record<string, number>, seen: { paths: string[] }) {
  const app = new Hono();
  app.onError(handleError);
  app.post("/upload", async (c) => {
    const upload = await receiveUploads(c, limits);
    try {
      const files = Object.fromEntries(Object.entries(upload.files).map(([k, f]) => [k, f && { size: f.size, text: readFileSync(f.path, "utf8"), filename: f.filename }]));
      seen.paths.push(...Object.values(upload.files).map((f) => f!.path));
      return c.json({ files, params: upload.params });
    } finally {
      await upload.cleanup();
    }
  });
  return app;
}

test("uploads: files to disk under their limits, text fields as parameters, temporary files removed", async () => {
  const seen = { paths: [] as string[] };
  const app = uploadApp({ avatar: 20, header: 100 }, seen);
  const form = new FormData();
  form.append("avatar", new Blob(["small file"]), "a.png");
  form.append("ignored", new Blob(["a file in a field nobody asked for"]), "x.bin");
  form.append("display_name", "Alice");
  form.append("fields_attributes[0][name]", "site");
  form.append("source[privacy]", "unlisted");
  const ok = await app.request("/upload", { method: "POST", body: form });
  assert.equal(ok.status, 200);
  const body = (await ok.json()) as { files: Record<string, { size: number; text: string; filename: string }>; params: Record<string, unknown> };
  assert.deepEqual(body.files, { avatar: { size: 10, text: "small file", filename: "a.png" } });
  assert.deepEqual(body.params, { display_name: "Alice", fields_attributes: { 0: { name: "site" } }, source: { privacy: "unlisted" } });
  assert.ok(seen.paths.length === 1 && !existsSync(seen.paths[0]), "the temporary file is gone after cleanup");

  const big = new FormData();
  big.append("avatar", new Blob(["x".repeat(21)]), "a.png");
  const tooLarge = await app.request("/upload", { method: "POST", body: big });
  assert.equal(tooLarge.status, 413);
  assert.match(((await tooLarge.json()) as { error: string }).error, /avatar is too large/);

  // Far past the limit of the only file field (the parser's own limit, with back-pressure): 413, no hang.
  const single = uploadApp({ avatar: 64 * 1024 }, seen);
  const huge = new FormData();
  huge.append("avatar", new Blob([new Uint8Array(4 * 1024 * 1024)]), "a.png");
  huge.append("display_name", "after the file");
  assert.equal((await single.request("/upload", { method: "POST", body: huge })).status, 413);

  const broken = await app.request("/upload", { method: "POST", headers: { "Content-Type": "multipart/form-data; boundary=xyz" }, body: "--xyz\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"a\"\r\n\r\nunterminated" });
  assert.equal(broken.status, 400);
  // A multipart type without a boundary (found by the API fuzz test: it was a 500).
  const noBoundary = await app.request("/upload", { method: "POST", headers: { "Content-Type": "multipart/form-data" }, body: "{}" });
  assert.equal(noBoundary.status, 400);
  assert.match(((await noBoundary.json()) as { error: string }).error, /not a valid form/);

  const nul = new FormData();
  nul.append("display_name", "a\u0000b");
  assert.equal((await app.request("/upload", { method: "POST", body: nul })).status, 422);

  // Not multipart: the ordinary parameters, no files.
  const json = await app.request("/upload", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ display_name: "Bob" }) });
  assert.deepEqual(await json.json(), { files: {}, params: { display_name: "Bob" } });
});
