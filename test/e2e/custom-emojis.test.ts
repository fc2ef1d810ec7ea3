// Custom emojis: added with `./skein emoji add` beside a running server, listed by
// GET /api/v1/custom_emojis, named in `emojis` of statuses, polls and accounts when their text
// uses `:shortcode:`, disabled and removed from the command line; the Emoji object other servers
// fetch at its id.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import type { TestServer } from "../support/server.ts";
import type { TestUser } from "../support/clients.ts";
import { anonymous } from "../support/clients.ts";
import { contractCheckedServer } from "../support/e2e.ts";
import { eventually } from "../support/federation-fleet.ts";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let dir: string;

contractCheckedServer(["alice", "bob"], (ready) => {
  server = ready.server;
  ({ alice, bob } = ready.users);
});
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "skein-emoji-test-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A small round face, drawn as an emoji would be: transparent corners. */
async function emojiPng(color: string, name: string): Promise<string> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160"><circle cx="80" cy="80" r="70" fill="${color}"/><circle cx="55" cy="65" r="10" fill="#000"/><circle cx="105" cy="65" r="10" fill="#000"/></svg>`;
  const file = path.join(dir, name);
  await writeFile(file, await sharp(Buffer.from(svg)).png().toBuffer());
  return file;
}

/** An animated GIF of two frames (the emoji stays animated; its static_url is a still PNG). */
async function emojiGif(name: string): Promise<string> {
  const frame = (color: string) => sharp({ create: { width: 64, height: 64, channels: 4, background: color } }).raw().toBuffer();
  const frames = Buffer.concat([await frame("#ff0000"), await frame("#0000ff")]);
  const file = path.join(dir, name);
  await writeFile(file, await sharp(frames, { raw: { width: 64, height: 128, channels: 4, pageHeight: 64 } as never }).gif({ delay: [200, 200], loop: 0 }).toBuffer());
  return file;
}

async function listed(shortcode: string) {
  const emojis = await anonymous(server).v1.customEmojis.list();
  return emojis.find((e) => e.shortcode === shortcode) ?? null;
}

test("./skein emoji add → GET /api/v1/custom_emojis lists it (schema-valid) and its image is served", async () => {
  const added = await server.cli(["emoji", "add", "blobcat", await emojiPng("#f5c542", "blobcat.png"), "--category", "Blobs"]);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /Added :blobcat: \(Blobs\)/);
  const emoji = await eventually(() => listed("blobcat"), 10_000, "blobcat in the list");
  assert.equal(emoji.category, "Blobs");
  assert.equal(emoji.visibleInPicker, true);
  const image = await fetch(emoji.url);
  assert.equal(image.status, 200);
  const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
  assert.ok(meta.width! <= 128 && meta.height! <= 128, `an emoji is small (${meta.width}×${meta.height})`);
  assert.equal((await fetch(emoji.staticUrl)).status, 200);

  // The same shortcode twice, a bad shortcode, a file that is no image: refused with a reason.
  const again = await server.cli(["emoji", "add", "blobcat", await emojiPng("#000", "other.png")]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists/);
  const badName = await server.cli(["emoji", "add", "a", await emojiPng("#000", "a.png")]);
  assert.equal(badName.code, 1);
  const text = path.join(dir, "notes.png");
  await writeFile(text, "just words, not a picture");
  const badFile = await server.cli(["emoji", "add", "words", text]);
  assert.equal(badFile.code, 1);
  assert.match(badFile.stderr, /skein: /);
  assert.equal(await listed("words"), null);
});

test("an animated emoji stays animated; its static_url is a still image", async () => {
  const added = await server.cli(["emoji", "add", "party_parrot", await emojiGif("parrot.gif")]);
  assert.equal(added.code, 0, added.stderr);
  const emoji = await eventually(() => listed("party_parrot"), 10_000, "party_parrot in the list");
  assert.notEqual(emoji.staticUrl, emoji.url);
  const animated = await sharp(Buffer.from(await (await fetch(emoji.url)).arrayBuffer()), { animated: true }).metadata();
  assert.ok((animated.pages ?? 1) > 1, "the image keeps its frames");
  const still = await sharp(Buffer.from(await (await fetch(emoji.staticUrl)).arrayBuffer()), { animated: true }).metadata();
  assert.equal(still.pages ?? 1, 1);
});

test(":shortcode: in a status, its spoiler and poll, and in a display name → emojis[]; unknown ones → none", async () => {
  await eventually(() => listed("blobcat"), 10_000, "blobcat in the list");
  const status = await alice.client.v1.statuses.create({ status: "hello :blobcat: and :nosuchemoji: and 12:30:45", spoilerText: "cw :party_parrot:" });
  assert.deepEqual(status.emojis.map((e) => e.shortcode).sort(), ["blobcat", "party_parrot"]);
  const blobcat = status.emojis.find((e) => e.shortcode === "blobcat")!;
  assert.equal((await fetch(blobcat.url)).status, 200);

  const plain = await alice.client.v1.statuses.create({ status: "no emoji :nosuchemoji: here, nor in a:blobcat:b" });
  assert.deepEqual(plain.emojis, []);

  const poll = await alice.client.v1.statuses.create({ status: "vote", poll: { options: [":blobcat: yes", "no"], expiresIn: 3600 } });
  // masto.js's Poll type leaves out `emojis`, which Mastodon's Poll entity has.
  assert.deepEqual((poll.poll as unknown as { emojis: { shortcode: string }[] }).emojis.map((e) => e.shortcode), ["blobcat"]);
  assert.deepEqual(poll.emojis.map((e) => e.shortcode), ["blobcat"]);
  const fetched = (await (await fetch(`${server.url}/api/v1/polls/${poll.poll!.id}`)).json()) as { emojis: { shortcode: string }[] };
  assert.deepEqual(fetched.emojis.map((e) => e.shortcode), ["blobcat"], "GET /api/v1/polls/:id too");

  const me = await alice.client.v1.accounts.updateCredentials({ displayName: ":blobcat: Alice", note: "I like :party_parrot:" });
  assert.deepEqual(me.emojis.map((e) => e.shortcode).sort(), ["blobcat", "party_parrot"]);
  const seen = await bob.client.v1.accounts.$select(alice.id).fetch();
  assert.deepEqual(seen.emojis.map((e) => e.shortcode).sort(), ["blobcat", "party_parrot"]);
  // In a timeline too (the status's account carries them).
  const timeline = await bob.client.v1.timelines.public.list({ local: true });
  const inTimeline = timeline.find((s) => s.id === status.id)!;
  assert.deepEqual(inTimeline.emojis.map((e) => e.shortcode).sort(), ["blobcat", "party_parrot"]);
  assert.deepEqual(inTimeline.account.emojis.map((e) => e.shortcode).sort(), ["blobcat", "party_parrot"]);
});

test("the Emoji object is served at its id, as other servers fetch it", async () => {
  const status = await alice.client.v1.statuses.create({ status: "object :blobcat:" });
  type Tag = { type: string; id: string; name: string; icon: { url: string; mediaType: string } };
  const note = (await (await fetch(`${server.url}/users/alice/statuses/${status.id}`, { headers: { Accept: "application/activity+json" } })).json()) as { tag: Tag | Tag[] };
  // Compact JSON-LD: one tag is an object, several an array.
  const tag = (Array.isArray(note.tag) ? note.tag : [note.tag]).find((t) => t.type === "Emoji");
  assert.ok(tag, "the Note carries an Emoji tag");
  assert.equal(tag.name, ":blobcat:");
  assert.match(tag.id, new RegExp(`^${server.url}/emojis/\\d+$`));
  assert.equal(tag.icon.mediaType, "image/png");
  const object = await fetch(tag.id, { headers: { Accept: "application/activity+json" } });
  assert.equal(object.status, 200);
  const body = (await object.json()) as { type: string; name: string; icon: { url: string } };
  assert.equal(body.type, "Emoji");
  assert.equal(body.name, ":blobcat:");
  assert.equal(body.icon.url, tag.icon.url);
  assert.equal((await fetch(`${server.url}/emojis/123`)).status, 404);
});

test("./skein emoji list, disable, enable, remove", async () => {
  const list = await server.cli(["emoji", "list"]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /:blobcat:\s+Blobs\s+enabled/);
  assert.match(list.stdout, /:party_parrot:/);

  assert.equal((await server.cli(["emoji", "disable", "blobcat"])).code, 0);
  await eventually(async () => (await listed("blobcat")) === null, 10_000, "blobcat gone from the list");
  const hidden = await alice.client.v1.statuses.create({ status: "disabled :blobcat:" });
  assert.deepEqual(hidden.emojis, []);
  assert.match((await server.cli(["emoji", "list", "--all"])).stdout, /:blobcat:\s+Blobs\s+disabled/);
  assert.doesNotMatch((await server.cli(["emoji", "list"])).stdout, /:blobcat:/);

  assert.equal((await server.cli(["emoji", "enable", "blobcat"])).code, 0);
  await eventually(() => listed("blobcat"), 10_000, "blobcat back in the list");

  const parrot = (await listed("party_parrot"))!;
  const removed = await server.cli(["emoji", "remove", "party_parrot"]);
  assert.equal(removed.code, 0, removed.stderr);
  await eventually(async () => (await listed("party_parrot")) === null, 10_000, "party_parrot removed");
  assert.equal((await fetch(parrot.url)).status, 404, "its file is deleted");
  const missing = await server.cli(["emoji", "remove", "party_parrot"]);
  assert.equal(missing.code, 1);
  assert.equal((await server.cli(["emoji", "frobnicate"])).code, 2);
});
