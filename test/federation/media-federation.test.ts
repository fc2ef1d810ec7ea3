// Uploaded media across two Skein instances over HTTPS: a post with a picture on mf-a.test
// reaches mf-b.test as a Document (Mastodon's shape: url, mediaType, name, blurhash, focalPoint,
// width, height), and B shows the attachment with its alt text, blurhash, focus and dimensions;
// an edit that changes the alt text and adds a picture reaches B through the Update.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { mediaFixtures } from "../support/media-uploads.ts";

const A = "mf-a.test";
const B = "mf-b.test";
let fleet: Fleet;
let alice: TestUser; // on A
let bob: TestUser; // on B
const contracts: ContractLog[] = [];
const media = mediaFixtures(() => fleet.servers[A]);

async function api(user: TestUser, server: string, pathname: string, init: RequestInit = {}) {
  const response = await fetch(`https://${server}${pathname}`, { ...init, headers: { Authorization: `Bearer ${user.token}`, "Content-Type": "application/json", ...(init.headers ?? {}) } });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

before(async () => {
  fleet = await startFleet([A, B], { firstAddress: 220 });
  for (const name of [A, B]) contracts.push(installContractCheck(fleet.servers[name].url));
  alice = await signUp(fleet.servers[A], "alice");
  bob = await signUp(fleet.servers[B], "bob");
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

test("a post with a picture arrives on the other server with alt text, blurhash, focus and size; its edit too", async () => {
  const aliceOnB = (await api(bob, B, `/api/v1/accounts/lookup?acct=alice@${A}`)).body;
  assert.ok(aliceOnB?.id, "B found alice");
  await api(bob, B, `/api/v1/accounts/${aliceOnB.id}/follow`, { method: "POST" });
  await eventually(async () => (await api(bob, B, `/api/v1/accounts/relationships?id[]=${aliceOnB.id}`)).body[0]?.following, 20_000, "the Accept from A");

  const uploaded = await media.upload(alice, 2, { file: media.blob(await media.photo(1200, 800), "image/jpeg"), description: "A noisy gradient that says Skein", focus: "0.25,-0.5" });
  const ready = await media.untilProcessed(alice, uploaded.body.id);
  const post = await api(alice, A, "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "look", media_ids: [ready.id] }) });
  assert.equal(post.status, 200, JSON.stringify(post.body));

  // The Note as A serves it: Mastodon's Document shape.
  const served = await fetch(post.body.uri, { headers: { Accept: "application/activity+json" } });
  const note = (await served.json()) as { attachment: Record<string, unknown> | Record<string, unknown>[] };
  const [document] = Array.isArray(note.attachment) ? note.attachment : [note.attachment];
  assert.equal(document.type, "Document");
  assert.equal(document.url, ready.url);
  assert.equal(document.name, "A noisy gradient that says Skein");
  assert.equal(document.blurhash, ready.blurhash);
  assert.deepEqual(document.focalPoint, [0.25, -0.5]);
  assert.deepEqual([document.width, document.height], [1200, 800]);
  assert.match(String(document.mediaType), /^image\//);

  const arrived = await eventually(async () => (await api(bob, B, "/api/v1/timelines/home")).body.find((s: { uri: string }) => s.uri === post.body.uri), 20_000, "the post on B");
  assert.equal(arrived.media_attachments.length, 1);
  const [attachment] = arrived.media_attachments;
  assert.equal(attachment.type, "image");
  assert.equal(attachment.description, "A noisy gradient that says Skein");
  assert.equal(attachment.blurhash, ready.blurhash);
  assert.deepEqual(attachment.meta.focus, { x: 0.25, y: -0.5 });
  assert.deepEqual([attachment.meta.original?.width, attachment.meta.original?.height], [1200, 800]);
  assert.equal(attachment.remote_url, ready.url, "B knows the file's origin");
  const file = await fetch(attachment.url);
  assert.equal(file.status, 200, "B's URL for the file answers");

  // An edit: new alt text on the first picture and a second picture, carried by the Update.
  const second = await media.untilProcessed(alice, (await media.upload(alice, 2, { file: media.blob(await media.photo(300, 500, "png"), "image/png"), description: "a tall one" })).body.id);
  const edited = await api(alice, A, `/api/v1/statuses/${post.body.id}`, {
    method: "PUT",
    body: JSON.stringify({ status: "look again", media_ids: [ready.id, second.id], media_attributes: [{ id: ready.id, description: "Better alt text" }] }),
  });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  const updated = await eventually(async () => {
    const status = await api(bob, B, `/api/v1/statuses/${arrived.id}`);
    return status.body.media_attachments?.length === 2 ? status.body : null;
  }, 20_000, "the edit on B");
  assert.deepEqual(updated.media_attachments.map((m: { description: string }) => m.description), ["Better alt text", "a tall one"]);
  assert.deepEqual([updated.media_attachments[1].meta.original?.width, updated.media_attachments[1].meta.original?.height], [300, 500]);
});
