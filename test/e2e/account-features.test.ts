// What accounts say about other accounts and about themselves (issue 14): private notes,
// GET /api/v1/accounts?id[]=, endorsements (+ pin/unpin), featured tags (API and the actor's
// featuredTags collection), and /api/v1/profile. Collections are in collections.test.ts.
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
let sam: TestUser;
const api = apiCaller(() => server.url);

contractCheckedServer(["alice", "bob", "carol", "sam"], async (ready) => {
  server = ready.server;
  ({ alice, bob, carol, sam } = ready.users);
});

test("a private note is in its writer's relationship only, bounded, and cleared by an empty comment", async () => {
  const rel = await alice.client.v1.accounts.$select(bob.id).note.create({ comment: "met at the conference" });
  assert.equal(rel.note, "met at the conference");
  const [again] = await alice.client.v1.accounts.relationships.fetch({ id: [bob.id] });
  assert.equal(again.note, "met at the conference");

  // Nobody else sees it: not bob about alice, not carol about bob.
  const [bobsView] = await bob.client.v1.accounts.relationships.fetch({ id: [alice.id] });
  assert.equal(bobsView.note, "");
  const [carolsView] = await carol.client.v1.accounts.relationships.fetch({ id: [bob.id] });
  assert.equal(carolsView.note, "");

  const tooLong = await api(alice, "POST", `/api/v1/accounts/${bob.id}/note`, { comment: "x".repeat(2001) });
  assert.equal(tooLong.status, 422);
  assert.equal((await api(alice, "POST", `/api/v1/accounts/${bob.id}/note`, { comment: "é".repeat(2000) })).body.note.length, 2000);
  assert.equal((await api(alice, "POST", "/api/v1/accounts/999999999/note", { comment: "who?" })).status, 404);
  assert.equal((await api(null, "POST", `/api/v1/accounts/${bob.id}/note`, { comment: "anon" })).status, 401);

  const cleared = await alice.client.v1.accounts.$select(bob.id).note.create({ comment: "" });
  assert.equal(cleared.note, "");
  const [gone] = await alice.client.v1.accounts.relationships.fetch({ id: [bob.id] });
  assert.equal(gone.note, "");
});

test("GET /api/v1/accounts?id[]= returns the known accounts in order and refuses more than 40", async () => {
  const found = await api(null, "GET", `/api/v1/accounts?id[]=${bob.id}&id[]=999999999&id[]=${alice.id}&id[]=nonsense`);
  assert.equal(found.status, 200);
  assert.deepEqual(found.body.map((a: { username: string }) => a.username), ["bob", "alice"]);
  const many = Array.from({ length: 41 }, (_, i) => `id[]=${i + 1}`).join("&");
  assert.equal((await api(null, "GET", `/api/v1/accounts?${many}`)).status, 422);
});

test("featured tags count their author's public posts, stay within ten, and are offered from the posts' tags", async () => {
  await alice.client.v1.statuses.create({ status: "first #Cats post", visibility: "public" });
  const last = await alice.client.v1.statuses.create({ status: "more #cats and #dogs", visibility: "unlisted" });
  await alice.client.v1.statuses.create({ status: "private #cats", visibility: "private" });
  await bob.client.v1.statuses.create({ status: "bob's #cats do not count for alice" });

  const suggested = await alice.client.v1.featuredTags.suggestions.list();
  assert.deepEqual(suggested.map((t) => t.name.toLowerCase()).sort(), ["cats", "dogs"]);

  const featured = await alice.client.v1.featuredTags.create({ name: "#cats" });
  assert.equal(featured.statusesCount, "2", "public and unlisted posts, not private ones nor other authors'");
  assert.equal(featured.lastStatusAt, last.createdAt.slice(0, 10));
  assert.match(featured.url, /\/@alice\/tagged\/cats$/);
  const again = await alice.client.v1.featuredTags.create({ name: "cats" });
  assert.equal(again.id, featured.id, "featuring again changes nothing");

  assert.deepEqual((await alice.client.v1.featuredTags.suggestions.list()).map((t) => t.name), ["dogs"], "featured tags are no longer suggested");
  const invalid = await api(alice, "POST", "/api/v1/featured_tags", { name: "not a tag!" });
  assert.equal(invalid.status, 422);

  // The Tag routes: feature by name, `featuring` in the Tag entity.
  const dogs = await api(alice, "POST", "/api/v1/tags/dogs/feature");
  assert.equal(dogs.status, 200);
  assert.equal(dogs.body.featuring, true);
  assert.equal((await api(alice, "GET", "/api/v1/tags/dogs")).body.featuring, true);
  assert.equal((await api(bob, "GET", "/api/v1/tags/dogs")).body.featuring, false, "featuring is the viewer's");

  const publicList = await anonymous(server).v1.accounts.$select(alice.id).featuredTags.list();
  assert.deepEqual(publicList.map((t) => t.name.toLowerCase()), ["cats", "dogs"]);

  for (let i = 3; i <= 10; i++) await alice.client.v1.featuredTags.create({ name: `topic${i}` });
  const eleventh = await api(alice, "POST", "/api/v1/featured_tags", { name: "onetoomany" });
  assert.equal(eleventh.status, 422);
  assert.equal((await alice.client.v1.featuredTags.list()).length, 10);

  const unfeatured = await api(alice, "POST", "/api/v1/tags/dogs/unfeature");
  assert.equal(unfeatured.body.featuring, false);
  // Only one's own featured tags can be removed.
  assert.equal((await api(bob, "DELETE", `/api/v1/featured_tags/${featured.id}`)).status, 404);
  assert.equal((await api(alice, "DELETE", `/api/v1/featured_tags/${featured.id}`)).status, 200);
  assert.equal((await alice.client.v1.featuredTags.list()).some((t) => t.id === featured.id), false);
});

test("the actor serves its featured tags as Mastodon's featuredTags collection", async () => {
  await alice.client.v1.featuredTags.create({ name: "cats" });
  const headers = { Accept: "application/activity+json" };
  const actor = await (await fetch(`${server.url}/users/alice`, { headers })).json();
  assert.equal(typeof actor.featuredTags, "string");
  const collection = await (await fetch(actor.featuredTags, { headers })).json();
  const items = collection.orderedItems ?? collection.items ?? [];
  const names = items.map((t: { name: string }) => t.name.toLowerCase());
  assert.ok(names.includes("#cats"), `featured hashtags listed: ${names.join(", ")}`);
  assert.equal(items.find((t: { name: string }) => t.name.toLowerCase() === "#cats").type, "Hashtag");
});

test("endorsements: only followed accounts, listed publicly and paginated, gone with the follow, public as on Mastodon", async () => {
  const notFollowing = await api(alice, "POST", `/api/v1/accounts/${carol.id}/endorse`);
  assert.equal(notFollowing.status, 422);

  for (const who of [bob, carol, sam]) await alice.client.v1.accounts.$select(who.id).follow();
  assert.equal((await alice.client.v1.accounts.$select(bob.id).endorse()).endorsed, true);
  assert.equal((await alice.client.v1.accounts.$select(carol.id).pin()).endorsed, true, "the older pin is the same thing");
  assert.equal((await alice.client.v1.accounts.$select(sam.id).endorse()).endorsed, true);
  const [rel] = await alice.client.v1.accounts.relationships.fetch({ id: [bob.id] });
  assert.equal(rel.endorsed, true);
  const [bobsRel] = await bob.client.v1.accounts.relationships.fetch({ id: [alice.id] });
  assert.equal(bobsRel.endorsed, false, "endorsed is the viewer's own");

  const listed = await api(null, "GET", `/api/v1/accounts/${alice.id}/endorsements`);
  assert.deepEqual(listed.body.map((a: { username: string }) => a.username), ["sam", "carol", "bob"]);

  // Own list, one per page, with Link headers to follow.
  const first = await api(alice, "GET", "/api/v1/endorsements?limit=1");
  assert.deepEqual(first.body.map((a: { username: string }) => a.username), ["sam"]);
  const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("link") ?? "")?.[1];
  assert.ok(next);
  const second = await api(alice, "GET", new URL(next).pathname + new URL(next).search);
  assert.deepEqual(second.body.map((a: { username: string }) => a.username), ["carol"]);

  // A suspended account is left out.
  await server.cli(["accounts", "suspend", "sam", "--no-notify"]);
  const afterSuspension = await api(null, "GET", `/api/v1/accounts/${alice.id}/endorsements`);
  assert.deepEqual(afterSuspension.body.map((a: { username: string }) => a.username), ["carol", "bob"]);
  const ids = await api(null, "GET", `/api/v1/accounts?id[]=${sam.id}&id[]=${bob.id}`);
  assert.deepEqual(ids.body.map((a: { username: string }) => a.username), ["bob"], "suspended accounts are left out of ?id[]= too");

  // As on Mastodon the list is public: someone alice blocks reads the same list as anyone signed out.
  assert.equal((await alice.client.v1.accounts.$select(bob.id).unendorse()).endorsed, false);
  assert.equal((await alice.client.v1.accounts.$select(bob.id).endorse()).endorsed, true);
  assert.equal((await alice.client.v1.accounts.$select(carol.id).unpin()).endorsed, false);
  await alice.client.v1.accounts.$select(carol.id).block();
  const blocked = await api(carol, "GET", `/api/v1/accounts/${alice.id}/endorsements`);
  assert.deepEqual(blocked.body.map((a: { username: string }) => a.username), ["bob"]);
  assert.deepEqual((await api(null, "GET", `/api/v1/accounts/${alice.id}/endorsements`)).body, blocked.body);

  // Unfollowing ends the endorsement.
  await alice.client.v1.accounts.$select(bob.id).unfollow();
  const [afterUnfollow] = await alice.client.v1.accounts.relationships.fetch({ id: [bob.id] });
  assert.equal(afterUnfollow.endorsed, false);
  assert.deepEqual((await api(alice, "GET", "/api/v1/endorsements")).body, []);
  await assert.rejects(alice.client.v1.accounts.$select("999999999").endorse(), rejectsWith(404));
});

test("GET/PATCH /api/v1/profile: the editable values as written, changed through the same rules as update_credentials", async () => {
  const before = await carol.client.v1.profile.fetch();
  assert.equal(before.id, carol.id);
  assert.equal(before.avatar, null, "no avatar set");

  const updated = await api(carol, "PATCH", "/api/v1/profile", {
    display_name: "Carol C.",
    note: "Plain *text* <b>bio</b>",
    discoverable: true,
    fields_attributes: [{ name: "site", value: "example.org" }],
  });
  assert.equal(updated.status, 200);
  assert.equal(updated.body.display_name, "Carol C.");
  assert.equal(updated.body.note, "Plain *text* <b>bio</b>", "the note as written, not its HTML");
  assert.equal(updated.body.discoverable, true);
  assert.equal(updated.body.fields[0].name, "site");

  const account = await carol.client.v1.accounts.verifyCredentials();
  assert.equal(account.displayName, "Carol C.");
  assert.equal(account.discoverable, true);

  // masto.js sends the update as multipart PUT (Rails routes both verbs to it).
  const viaClient = await carol.client.v1.profile.update({ displayName: "Carol", locked: true });
  assert.equal(viaClient.displayName, "Carol");
  assert.equal(viaClient.locked, true);
  assert.equal(viaClient.note, "Plain *text* <b>bio</b>", "fields not sent are kept");

  const tooLong = await api(carol, "PATCH", "/api/v1/profile", { display_name: "x".repeat(200) });
  assert.equal(tooLong.status, 422, "the display name limit of update_credentials applies");
  assert.equal((await api(null, "GET", "/api/v1/profile")).status, 401);
});

test("POST /api/v1/tags/:name/feature past ten featured tags is a 422 with details", async () => {
  for (let i = 1; i <= 10; i++) await bob.client.v1.featuredTags.create({ name: `bobtopic${i}` });
  const refused = await api(bob, "POST", "/api/v1/tags/eleven/feature");
  assert.equal(refused.status, 422);
  assert.equal((await api(bob, "POST", "/api/v1/tags/not%20a%20tag/feature")).status, 404);
});
