// The three-instance test: an image posted on a.test is displayed on b.test and c.test
// through each one's own proxy. The attachment's URL on B points at B (a signed /media_proxy/
// URL), fetching it returns the very bytes A serves, readers of B never talk to A, and C does the
// same on its own. Every response is checked against the Mastodon contract.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { queryRows } from "../support/server-db.ts";

let fleet: Fleet;
let alice: TestUser; // a.test
let bob: TestUser; // b.test
let carol: TestUser; // c.test
const contracts: ContractLog[] = [];

async function api(user: TestUser, server: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${server}${path}`, { ...init, headers: { Authorization: `Bearer ${user.token}`, ...(init.headers ?? {}) } });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}
const json = (body: unknown): RequestInit => ({ method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });

before(async () => {
  fleet = await startFleet(["a.test", "b.test", "c.test"], { firstAddress: 228 });
  for (const name of ["a.test", "b.test", "c.test"]) contracts.push(installContractCheck(fleet.servers[name].url));
  alice = await signUp(fleet.servers["a.test"], "alice");
  bob = await signUp(fleet.servers["b.test"], "bob");
  carol = await signUp(fleet.servers["c.test"], "carol");
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

test("an image posted on a.test is shown on b.test and c.test through their own proxies", async () => {
  // B and C follow alice.
  for (const [user, server] of [[bob, "b.test"], [carol, "c.test"]] as const) {
    const found = await api(user, server, `/api/v1/accounts/lookup?acct=${encodeURIComponent("alice@a.test")}`);
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.equal((await api(user, server, `/api/v1/accounts/${found.body.id}/follow`, { method: "POST" })).status, 200);
    await eventually(async () => (await api(user, server, `/api/v1/accounts/relationships?id[]=${found.body.id}`)).body[0]?.following, 20_000, `the Accept on ${server}`);
  }

  // Alice uploads a photo-like image and posts it.
  const width = 900;
  const height = 600;
  const noise = await sharp({ create: { width, height, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: "gaussian", mean: 128, sigma: 40 } } }).png().toBuffer();
  const photo = await sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#3a7"/><text x="40" y="300" font-size="90">a.test</text></svg>`))
    .composite([{ input: noise, blend: "overlay" }])
    .jpeg({ quality: 85 })
    .toBuffer();
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(photo)], { type: "image/jpeg" }), "photo.jpg");
  form.append("description", "A green card with noise");
  const uploaded = await api(alice, "a.test", "/api/v2/media", { method: "POST", body: form });
  assert.ok(uploaded.status === 200 || uploaded.status === 202, JSON.stringify(uploaded.body));
  const ready = await eventually(async () => {
    const media = await api(alice, "a.test", `/api/v1/media/${uploaded.body.id}`);
    return media.status === 200 && media.body.url ? media.body : null;
  }, 30_000, "the upload to be processed");
  const post = await api(alice, "a.test", "/api/v1/statuses", json({ status: "A picture for my followers", media_ids: [ready.id], visibility: "public" }));
  assert.equal(post.status, 200, JSON.stringify(post.body));
  const servedByA = await fetch(post.body.media_attachments[0].url);
  assert.equal(servedByA.status, 200);
  const bytesOfA = Buffer.from(await servedByA.arrayBuffer());

  for (const [user, server] of [[bob, "b.test"], [carol, "c.test"]] as const) {
    const arrived = await eventually(async () => {
      const home = await api(user, server, "/api/v1/timelines/home");
      return home.body.find((s: { uri: string }) => s.uri === post.body.uri);
    }, 20_000, `alice's post on ${server}`);
    assert.equal(arrived.media_attachments.length, 1);
    const attachment = arrived.media_attachments[0];
    assert.equal(attachment.type, "image");
    assert.equal(attachment.description, "A green card with noise");
    assert.equal(attachment.remote_url, post.body.media_attachments[0].url, "remote_url names the file on a.test");
    // The URLs readers get are this server's own, not a.test's.
    assert.ok(attachment.url.startsWith(`https://${server}/media_proxy/attachment/${attachment.id}/original?`), attachment.url);
    assert.ok(attachment.preview_url.startsWith(`https://${server}/media_proxy/attachment/${attachment.id}/small?`), attachment.preview_url);
    assert.ok(arrived.account.avatar.startsWith(`https://${server}/`), "the author's avatar is not linked at a.test either");

    const original = await fetch(attachment.url);
    assert.equal(original.status, 200);
    assert.equal(original.headers.get("content-type"), servedByA.headers.get("content-type"));
    assert.deepEqual(Buffer.from(await original.arrayBuffer()), bytesOfA, `${server} serves the bytes a.test serves`);
    const preview = await fetch(attachment.preview_url);
    assert.equal(preview.status, 200);
    const previewBytes = Buffer.from(await preview.arrayBuffer());
    const size = await sharp(previewBytes).metadata();
    assert.ok(size.width! > 0 && size.width! < width, `a preview smaller than the original (${size.width})`);

    // Kept in this server's cache, counted within its budget.
    const rows = await queryRows(fleet.servers[server], "select variant, bytes from remote_media_cache order by variant");
    assert.deepEqual(rows.map((r) => r.variant), ["original", "small"]);
    assert.equal(Number(rows[0].bytes), bytesOfA.length);
  }
});
