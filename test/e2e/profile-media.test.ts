// Avatars and headers: set through update_credentials (masto.js, multipart), cropped to
// Mastodon's sizes, stripped of metadata, served from the media storage; replaced files are
// deleted; DELETE /api/v1/profile/avatar|header brings the placeholder back; bad and oversized
// files are refused with Mastodon's error body and change nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import type { TestServer } from "../support/server.ts";
import type { TestUser } from "../support/clients.ts";
import { contractCheckedServer, rejectsWith } from "../support/e2e.ts";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;

contractCheckedServer(["alice", "bob"], (ready) => {
  server = ready.server;
  ({ alice, bob } = ready.users);
});

/** A photo-like image: noise over a gradient, with EXIF (a camera, GPS) that must not survive. */
async function photo(width: number, height: number, format: "jpeg" | "png"): Promise<Buffer> {
  const noise = await sharp({ create: { width, height, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } }).png().toBuffer();
  const gradient = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g"><stop offset="0" stop-color="#c33" stop-opacity="0.6"/><stop offset="1" stop-color="#33c" stop-opacity="0.6"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><text x="20" y="${height / 2}" font-size="${Math.floor(height / 6)}" fill="white">Skein</text></svg>`,
  );
  const image = sharp(noise).composite([{ input: gradient }]).withExif({ IFD0: { Make: "SecretCam", Model: "GPS-9000", Copyright: "where I live" } });
  return format === "jpeg" ? image.jpeg({ quality: 90 }).toBuffer() : image.png().toBuffer();
}

const blob = (bytes: Buffer, type: string) => new Blob([new Uint8Array(bytes)], { type });

async function fetchImage(url: string): Promise<{ status: number; bytes: Buffer; type: string | null }> {
  const response = await fetch(url);
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), type: response.headers.get("content-type") };
}

/** update_credentials as a raw multipart request (for status codes masto.js would hide). */
async function patchProfile(user: TestUser, parts: Record<string, Blob | string>) {
  const form = new FormData();
  for (const [name, value] of Object.entries(parts)) {
    if (value instanceof Blob) form.append(name, value, "upload.bin");
    else form.append(name, value);
  }
  const response = await fetch(`${server.url}/api/v1/accounts/update_credentials`, { method: "PATCH", headers: { Authorization: `Bearer ${user.token}` }, body: form });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test("avatar and header from update_credentials: cropped to 400×400 and 1500×500, EXIF gone, served", async () => {
  const avatarSource = await photo(1200, 900, "png");
  const headerSource = await photo(3000, 1500, "jpeg");
  assert.ok((await sharp(avatarSource).metadata()).exif, "the source carries EXIF");
  const me = await alice.client.v1.accounts.updateCredentials({
    displayName: "Alice with a face",
    avatar: blob(avatarSource, "image/png"),
    header: blob(headerSource, "image/jpeg"),
  });
  assert.equal(me.displayName, "Alice with a face");
  assert.ok(me.avatar.startsWith(`${server.url}/system/avatars/${alice.id}-`), me.avatar);
  assert.ok(me.header.startsWith(`${server.url}/system/headers/${alice.id}-`), me.header);

  const avatar = await fetchImage(me.avatar);
  assert.equal(avatar.status, 200);
  assert.match(avatar.type ?? "", /^image\//);
  const avatarMeta = await sharp(avatar.bytes).metadata();
  assert.deepEqual([avatarMeta.width, avatarMeta.height], [400, 400]);
  assert.equal(avatarMeta.exif, undefined, "no EXIF in the stored avatar");
  assert.ok(!avatar.bytes.includes(Buffer.from("SecretCam")), "the camera's name is nowhere in the file");
  assert.ok(avatar.bytes.length < avatarSource.length, "smaller than what was sent");

  const header = await fetchImage(me.header);
  assert.equal(header.status, 200);
  const headerMeta = await sharp(header.bytes).metadata();
  assert.deepEqual([headerMeta.width, headerMeta.height], [1500, 500]);
  assert.equal(headerMeta.exif, undefined);
  assert.equal((await fetchImage(me.avatarStatic)).status, 200);
  assert.equal((await fetchImage(me.headerStatic)).status, 200);

  // Everyone sees the same files on the account and on its posts.
  const seen = await bob.client.v1.accounts.$select(alice.id).fetch();
  assert.equal(seen.avatar, me.avatar);
  assert.equal(seen.header, me.header);
  const status = await alice.client.v1.statuses.create({ status: "new face" });
  assert.equal(status.account.avatar, me.avatar);
});

test("a new avatar replaces the old one, whose file is deleted; the header stays", async () => {
  const before = await alice.client.v1.accounts.verifyCredentials();
  const after = await alice.client.v1.accounts.updateCredentials({ avatar: blob(await photo(500, 700, "png"), "image/png") });
  assert.notEqual(after.avatar, before.avatar);
  assert.equal(after.header, before.header);
  assert.equal((await fetchImage(after.avatar)).status, 200);
  assert.equal((await fetchImage(before.avatar)).status, 404, "the replaced avatar is gone from storage");
  assert.equal((await fetchImage(after.header)).status, 200);
});

test("DELETE /api/v1/profile/avatar and /header: the placeholder again, files deleted", async () => {
  const before = await alice.client.v1.accounts.verifyCredentials();
  const noAvatar = await alice.client.v1.profile.avatar.remove();
  assert.match(noAvatar.avatar, /\/avatars\/original\/missing\.png$/);
  assert.equal(noAvatar.avatarStatic, noAvatar.avatar);
  assert.equal(noAvatar.header, before.header, "the header stays");
  assert.equal((await fetchImage(before.avatar)).status, 404);
  const noHeader = await alice.client.v1.profile.header.remove();
  assert.match(noHeader.header, /\/headers\/original\/missing\.png$/);
  assert.equal((await fetchImage(before.header)).status, 404);
  // Removing what is not there is no error.
  const again = await alice.client.v1.profile.avatar.remove();
  assert.match(again.avatar, /missing\.png$/);
  // Needs a token.
  const anonymous = await fetch(`${server.url}/api/v1/profile/avatar`, { method: "DELETE" });
  assert.equal(anonymous.status, 401);
});

test("a file that is no image → 422 with an error, and nothing changes", async () => {
  const before = await bob.client.v1.accounts.verifyCredentials();
  const text = await patchProfile(bob, { display_name: "should not stick", avatar: new Blob(["this is not a picture at all, just some words"], { type: "image/png" }) });
  assert.equal(text.status, 422);
  assert.equal(typeof text.body.error, "string");
  // A truncated PNG: the right magic bytes, no image behind them.
  const png = await photo(300, 300, "png");
  const truncated = await patchProfile(bob, { header: blob(png.subarray(0, 200), "image/png") });
  assert.equal(truncated.status, 422);
  const empty = await patchProfile(bob, { avatar: new Blob([], { type: "image/png" }) });
  assert.equal(empty.status, 422);
  const after = await bob.client.v1.accounts.verifyCredentials();
  assert.equal(after.displayName, before.displayName, "the other changes of a refused request are not made");
  assert.equal(after.avatar, before.avatar);
});

test("a file over 8 MB → 413; masto.js sees the error", async () => {
  const big = blob(Buffer.alloc(8 * 1024 * 1024 + 1, 7), "image/png");
  const response = await patchProfile(bob, { avatar: big });
  assert.equal(response.status, 413);
  assert.equal(typeof response.body.error, "string");
  await assert.rejects(bob.client.v1.accounts.updateCredentials({ header: new Blob(["nope"], { type: "image/gif" }) }), rejectsWith(422));
});

test("text-only update_credentials (JSON and forms) still works beside files", async () => {
  const json = await fetch(`${server.url}/api/v1/accounts/update_credentials`, {
    method: "PATCH",
    headers: { Authorization: `Bearer ${bob.token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ note: "plain note", fields_attributes: [{ name: "site", value: "example" }] }),
  });
  assert.equal(json.status, 200);
  const multipart = await patchProfile(bob, { "fields_attributes[0][name]": "pronouns", "fields_attributes[0][value]": "they", "source[privacy]": "unlisted" });
  assert.equal(multipart.status, 200);
  assert.deepEqual((multipart.body.fields as { name: string }[]).map((f) => f.name), ["pronouns"]);
  assert.equal((multipart.body.source as { privacy: string }).privacy, "unlisted");
});
