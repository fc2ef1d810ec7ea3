// Collections (Mastodon 4.6, FEP-7aa9): up to 25 accounts that opted in to being featured, the
// seven operations, revoking by the featured account, and what blocks hide.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../support/server.ts";
import { anonymous, type TestUser } from "../support/clients.ts";
import { apiCaller } from "../support/api.ts";
import { contractCheckedServer, rejectsWith } from "../support/e2e.ts";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let dan: TestUser;
const api = apiCaller(() => server.url);

contractCheckedServer(["alice", "bob", "carol", "dan"], async (ready) => {
  server = ready.server;
  ({ alice, bob, carol, dan } = ready.users);
  // Bob and carol opt in to being featured ("discoverable", as Mastodon decides it); dan does not.
  await bob.client.v1.accounts.updateCredentials({ discoverable: true });
  await api(carol, "PATCH", "/api/v1/profile", { discoverable: true });
});

test("a collection holds accounts that opted in, is shown to others with its accounts, and is edited by its owner only", async () => {
  const refused = await api(alice, "POST", "/api/v1/collections", { name: "Friends", account_ids: [bob.id, dan.id] });
  assert.equal(refused.status, 403, "dan did not opt in to being featured");
  assert.equal((await api(alice, "GET", `/api/v1/accounts/${alice.id}/collections`)).body.collections.length, 0, "nothing was created");

  const { collection } = await alice.client.v1.collections.create({ name: "Friends", description: "Worth following", tagName: "fediverse", accountIds: [bob.id], language: "en" });
  assert.equal(collection.name, "Friends");
  assert.equal(collection.itemCount, 1);
  assert.equal(collection.tag?.name, "fediverse");
  assert.deepEqual(collection.items.map((i) => [i.accountId, i.state]), [[bob.id, "accepted"]]);

  const added = await alice.client.v1.collections.$select(collection.id).items.create({ accountId: carol.id });
  assert.equal(added.collectionItem.state, "accepted");
  assert.equal((await api(alice, "POST", `/api/v1/collections/${collection.id}/items`, { account_id: carol.id })).status, 422, "already in it");
  assert.equal((await api(alice, "POST", `/api/v1/collections/${collection.id}/items`, { account_id: dan.id })).status, 403);
  assert.equal((await api(alice, "POST", `/api/v1/collections/${collection.id}/items`, {})).status, 422);

  const shown = await anonymous(server).v1.collections.$select(collection.id).fetch();
  assert.deepEqual(shown.accounts.map((a) => a.username).sort(), ["alice", "bob", "carol"]);
  assert.equal(shown.collection.itemCount, 2);

  // Only the owner edits, removes items, deletes.
  assert.equal((await api(bob, "PATCH", `/api/v1/collections/${collection.id}`, { name: "Mine now" })).status, 403);
  assert.equal((await api(bob, "DELETE", `/api/v1/collections/${collection.id}`)).status, 403);
  assert.equal((await api(bob, "DELETE", `/api/v1/collections/${collection.id}/items/${added.collectionItem.id}`)).status, 403);
  const renamed = await alice.client.v1.collections.$select(collection.id).update({ name: "Good people", discoverable: false });
  assert.equal(renamed.collection.name, "Good people");
  assert.equal(renamed.collection.discoverable, false);

  // A collection that is not discoverable is listed for its owner only.
  assert.equal((await api(null, "GET", `/api/v1/accounts/${alice.id}/collections`)).body.collections.length, 0);
  assert.equal((await api(alice, "GET", `/api/v1/accounts/${alice.id}/collections`)).body.collections.length, 1);
  assert.equal((await fetch(collection.uri, { headers: { Accept: "application/activity+json" } })).status, 404, "nor served to other servers");
  await alice.client.v1.collections.$select(collection.id).update({ discoverable: true });
  const listed = await anonymous(server).v1.accounts.$select(alice.id).collections.list();
  assert.deepEqual(listed.collections.map((c) => c.id), [collection.id]);
  const inCollections = await anonymous(server).v1.accounts.$select(carol.id).inCollections.list();
  assert.deepEqual(inCollections.collections.map((c) => c.id), [collection.id]);

  // Its uri is its FEP-7aa9 document: a FeaturedCollection of FeaturedItems naming the actors.
  const document = await fetch(collection.uri, { headers: { Accept: "application/activity+json" } });
  assert.equal(document.status, 200);
  const featured = await document.json();
  assert.equal(featured.type, "FeaturedCollection");
  assert.equal(featured.attributedTo, `${server.url}/users/alice`);
  assert.equal(featured.totalItems, 2);
  assert.deepEqual(featured.orderedItems.map((i: { type: string; featuredObject: string }) => [i.type, i.featuredObject]).sort(), [
    ["FeaturedItem", `${server.url}/users/bob`],
    ["FeaturedItem", `${server.url}/users/carol`],
  ]);
  assert.equal(featured.topic.name, "#fediverse");

  await alice.client.v1.collections.$select(collection.id).items.$select(added.collectionItem.id).remove();
  assert.equal((await anonymous(server).v1.collections.$select(collection.id).fetch()).collection.itemCount, 1);

  await alice.client.v1.collections.$select(collection.id).remove();
  await assert.rejects(anonymous(server).v1.collections.$select(collection.id).fetch(), rejectsWith(404));
});

test("the featured account revokes itself; nobody else can", async () => {
  const { collection } = await alice.client.v1.collections.create({ name: "Recommended", accountIds: [bob.id, carol.id] });
  const bobsItem = collection.items.find((i) => i.accountId === bob.id)!;
  assert.equal((await api(carol, "POST", `/api/v1/collections/${collection.id}/items/${bobsItem.id}/revoke`)).status, 403);
  assert.equal((await api(alice, "POST", `/api/v1/collections/${collection.id}/items/${bobsItem.id}/revoke`)).status, 403, "the owner removes items, it does not revoke them");
  await bob.client.v1.collections.$select(collection.id).items.$select(bobsItem.id).revoke();

  const shown = await anonymous(server).v1.collections.$select(collection.id).fetch();
  assert.deepEqual(shown.collection.items.map((i) => i.accountId), [carol.id]);
  assert.equal(shown.collection.itemCount, 1);
  assert.deepEqual((await anonymous(server).v1.accounts.$select(bob.id).inCollections.list()).collections, []);
  // Once revoked, the owner cannot put bob back.
  assert.equal((await api(alice, "POST", `/api/v1/collections/${collection.id}/items`, { account_id: bob.id })).status, 403);
  await alice.client.v1.collections.$select(collection.id).remove();
});

test("limits: a name of 40 characters; blocks keep accounts out and hide the collection", async () => {
  const longName = await api(alice, "POST", "/api/v1/collections", { name: "x".repeat(41) });
  assert.equal(longName.status, 422);
  assert.equal(typeof longName.body.error.error, "string");
  assert.ok(Array.isArray(longName.body.error.details.name));
  // The 25-account limit is shown in test/unit/collection-limits.test.ts.
  assert.equal((await api(alice, "POST", "/api/v1/collections", { name: "Unknown", account_ids: ["999999999"] })).status, 404);

  const { collection } = await alice.client.v1.collections.create({ name: "Blocked test", accountIds: [carol.id] });
  // Carol blocks alice: alice can no longer add her, and carol does not see alice's collection.
  await carol.client.v1.accounts.$select(alice.id).block();
  const second = await alice.client.v1.collections.create({ name: "Second" });
  assert.equal((await api(alice, "POST", `/api/v1/collections/${second.collection.id}/items`, { account_id: carol.id })).status, 403);
  await alice.client.v1.accounts.$select(bob.id).block();
  assert.equal((await api(bob, "GET", `/api/v1/collections/${collection.id}`)).status, 403, "alice blocks bob: her collection is closed to him");
  assert.deepEqual((await api(bob, "GET", `/api/v1/accounts/${alice.id}/collections`)).body.collections, []);
  // Someone carol blocks does not see her in collections.
  const bobsCollection = await bob.client.v1.collections.create({ name: "Bob's", accountIds: [carol.id] });
  await carol.client.v1.accounts.$select(dan.id).block();
  const asDan = await api(dan, "GET", `/api/v1/collections/${bobsCollection.collection.id}`);
  assert.deepEqual(asDan.body.collection.items, []);
  assert.deepEqual(asDan.body.accounts.map((a: { username: string }) => a.username), ["bob"]);
});
