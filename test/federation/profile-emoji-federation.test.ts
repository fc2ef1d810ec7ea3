// Avatars and custom emojis across two Skein instances over HTTPS: an account with an avatar and
// an emoji in its name on pe-a.test is seen on pe-b.test with both; its post with `:blobcat:`
// arrives with the emoji (stored for pe-a.test), and a new avatar reaches the follower's server
// through the profile Update.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { queryRows } from "../support/server-db.ts";

const A = "pe-a.test";
const B = "pe-b.test";
let fleet: Fleet;
let alice: TestUser; // on A
let bob: TestUser; // on B
let dir: string;
const contracts: ContractLog[] = [];

async function api(user: TestUser, server: string, pathname: string, init: RequestInit = {}) {
  const response = await fetch(`https://${server}${pathname}`, { ...init, headers: { Authorization: `Bearer ${user.token}`, "Content-Type": "application/json", ...(init.headers ?? {}) } });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

async function picture(color: string, width: number, height: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${color}"/><circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="#fff"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

async function setAvatar(color: string): Promise<string> {
  const form = new FormData();
  form.append("avatar", new Blob([new Uint8Array(await picture(color, 800, 600))], { type: "image/png" }), "me.png");
  const response = await fetch(`https://${A}/api/v1/accounts/update_credentials`, { method: "PATCH", headers: { Authorization: `Bearer ${alice.token}` }, body: form });
  assert.equal(response.status, 200);
  return ((await response.json()) as { avatar: string }).avatar;
}

before(async () => {
  fleet = await startFleet([A, B], { firstAddress: 224 });
  for (const name of [A, B]) contracts.push(installContractCheck(fleet.servers[name].url));
  alice = await signUp(fleet.servers[A], "alice");
  bob = await signUp(fleet.servers[B], "bob");
  dir = await mkdtemp(path.join(tmpdir(), "skein-pe-"));
  const file = path.join(dir, "blobcat.png");
  await writeFile(file, await picture("#f5c542", 128, 128));
  const added = await fleet.servers[A].cli(["emoji", "add", "blobcat", file]);
  assert.equal(added.code, 0, added.stderr);
  await eventually(async () => (await api(alice, A, "/api/v1/custom_emojis")).body.some((e: { shortcode: string }) => e.shortcode === "blobcat"), 10_000, "blobcat on A");
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("an account's avatar and name emoji, and a post's emoji, are seen on the other server", async () => {
  const avatarOnA = await setAvatar("#3366cc");
  const named = await api(alice, A, "/api/v1/accounts/update_credentials", { method: "PATCH", body: JSON.stringify({ display_name: "Alice :blobcat:" }) });
  assert.deepEqual(named.body.emojis.map((e: { shortcode: string }) => e.shortcode), ["blobcat"]);

  const found = await api(bob, B, `/api/v1/accounts/lookup?acct=alice@${A}`);
  assert.equal(found.status, 200);
  const aliceOnB = found.body;
  assert.doesNotMatch(aliceOnB.avatar, /missing\.png$/, "the avatar came with the actor");
  const avatar = await fetch(aliceOnB.avatar);
  assert.equal(avatar.status, 200);
  const meta = await sharp(Buffer.from(await avatar.arrayBuffer())).metadata();
  assert.deepEqual([meta.width, meta.height], [400, 400]);
  assert.equal(aliceOnB.avatar === avatarOnA || !aliceOnB.avatar.startsWith(`https://${A}/`), true, "A's file, or B's copy of it");
  const accountEmojis = await eventually(async () => {
    const account = await api(bob, B, `/api/v1/accounts/${aliceOnB.id}`);
    return account.body.emojis.length ? account.body.emojis : null;
  }, 10_000, "the name's emoji on B");
  assert.deepEqual(accountEmojis.map((e: { shortcode: string }) => e.shortcode), ["blobcat"]);

  await api(bob, B, `/api/v1/accounts/${aliceOnB.id}/follow`, { method: "POST" });
  await eventually(async () => (await api(bob, B, `/api/v1/accounts/relationships?id[]=${aliceOnB.id}`)).body[0]?.following, 20_000, "the Accept from A");

  const post = await api(alice, A, "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "purr :blobcat: :unknownthing:" }) });
  assert.deepEqual(post.body.emojis.map((e: { shortcode: string }) => e.shortcode), ["blobcat"]);
  const arrived = await eventually(async () => (await api(bob, B, "/api/v1/timelines/home")).body.find((s: { uri: string }) => s.uri === post.body.uri), 20_000, "the post on B");
  assert.deepEqual(arrived.emojis.map((e: { shortcode: string }) => e.shortcode), ["blobcat"]);
  const image = await fetch(arrived.emojis[0].url);
  assert.equal(image.status, 200);
  assert.match(image.headers.get("content-type") ?? "", /^image\//);
  assert.deepEqual(arrived.account.emojis.map((e: { shortcode: string }) => e.shortcode), ["blobcat"]);

  // B keeps the emoji as pe-a.test's, with its object id and image on A.
  const rows = await queryRows(fleet.servers[B], "SELECT shortcode, domain, uri, image_remote_url FROM custom_emojis");
  assert.equal(rows.length, 1);
  assert.equal(rows[0].shortcode, "blobcat");
  assert.equal(rows[0].domain, A);
  assert.match(rows[0].uri ?? "", new RegExp(`^https://${A}/emojis/\\d+$`));
  assert.match(rows[0].image_remote_url ?? "", new RegExp(`^https://${A}/`));
});

test("a new avatar reaches the follower's server (the profile Update)", async () => {
  const aliceOnB = (await api(bob, B, `/api/v1/accounts/lookup?acct=alice@${A}`)).body;
  const before = aliceOnB.avatar;
  await setAvatar("#cc3333");
  const after = await eventually(async () => {
    const account = await api(bob, B, `/api/v1/accounts/${aliceOnB.id}`);
    return account.body.avatar !== before ? account.body.avatar : null;
  }, 20_000, "the new avatar on B");
  const avatar = await fetch(after);
  assert.equal(avatar.status, 200);
  const { dominant } = await sharp(Buffer.from(await avatar.arrayBuffer())).stats();
  assert.ok(dominant.r > dominant.b, "the red one");
});
