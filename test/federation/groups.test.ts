// Groups as Lemmy, Mbin and Friendica run them: a local user follows a community (a peer actor
// on g.test); the community passes its members' posts on as Announce(Create(…)), edits as
// Announce(Update(…)) and deletions as Announce(Delete(…)). Only the Announce is the group's
// word: the post is fetched from its author's server, so embedded content that differs from it
// is not believed, and a delete counts only once that server says the post is gone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Announce, Create, Delete, Like, Note, PUBLIC_COLLECTION, Update, type Actor } from "@fedify/vocab";
import { Temporal as Polyfill } from "@js-temporal/polyfill";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { startFedifyPeer, type FedifyPeer } from "../support/fedify-peer.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";

const A = "a.test";
const G = "g.test";
let fleet: Fleet;
let group: FedifyPeer;
let alice: TestUser;
let aliceActor: Actor;
const contracts: ContractLog[] = [];

async function api(path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${A}${path}`, { ...init, headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/json", ...(init.headers ?? {}) } });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

function memberNote(id: URL, text: string): Note {
  return new Note({ id, attribution: group.actors.member.uri, content: `<p>${text}</p>`, to: PUBLIC_COLLECTION, ccs: [group.actors.community.uri], published: Polyfill.Now.instant() as unknown as Temporal.Instant });
}

/** The community announces `activity` to alice, as Lemmy does for its followers. */
async function announce(activity: Create | Update | Delete | Like): Promise<void> {
  await group.send("community", aliceActor, new Announce({ id: group.newId("community", "announces"), actor: group.actors.community.uri, object: activity, to: PUBLIC_COLLECTION, published: Polyfill.Now.instant() as unknown as Temporal.Instant }));
}

async function homeEntry(uri: string) {
  const home = await api("/api/v1/timelines/home");
  return (home.body as any[]).find((s) => s.reblog?.uri === uri);
}

before(async () => {
  fleet = await startFleet([A], { firstAddress: 122, extraHosts: { [G]: "127.0.0.123" } });
  contracts.push(installContractCheck(fleet.servers[A].url));
  group = await startFedifyPeer({ host: G, address: "127.0.0.123", tls: fleet.tls, identifiers: ["community", "member", "stranger"] });
  alice = await signUp(fleet.servers[A], "alice");
  aliceActor = await group.lookup(`alice@${A}`);
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await group?.stop();
  await fleet?.stop();
});

test("a community's announced posts, edits and deletions, each checked with the author's server", async () => {
  const community = await api(`/api/v1/accounts/lookup?acct=community@${G}`);
  assert.equal((await api(`/api/v1/accounts/${community.body.id}/follow`, { method: "POST" })).status, 200);
  await eventually(async () => (await api(`/api/v1/accounts/relationships?id[]=${community.body.id}`)).body[0]?.following, 20_000, "the community accepted");

  // A member's post, announced with content that differs from what the member's server serves.
  const id = group.newId("member", "notes");
  group.notes.set(id.href, memberNote(id, "What the author really wrote"));
  await announce(new Create({ id: new URL(`${id.href}/activity`), actor: group.actors.member.uri, object: memberNote(id, "FORGED by whoever relayed it"), to: PUBLIC_COLLECTION }));
  const shown = await eventually(() => homeEntry(id.href), 20_000, "the member's post in alice's home, boosted by the community");
  assert.equal(shown.account.acct, `community@${G}`);
  assert.equal(shown.reblog.account.acct, `member@${G}`);
  assert.match(shown.reblog.content, /What the author really wrote/);

  // An edit: the announced Update only says "look again"; the author's server has the new text.
  group.notes.set(id.href, memberNote(id, "Edited by the author"));
  await announce(new Update({ id: new URL(`${id.href}#updates/1`), actor: group.actors.member.uri, object: memberNote(id, "FORGED edit"), to: PUBLIC_COLLECTION }));
  await eventually(async () => /Edited by the author/.test((await homeEntry(id.href))?.reblog.content ?? ""), 20_000, "the edit on a.test");

  // A Delete while the post still exists on its server changes nothing; once it is gone, it goes.
  await announce(new Delete({ id: new URL(`${id.href}#delete/1`), actor: group.actors.member.uri, object: id, to: PUBLIC_COLLECTION }));
  const second = group.newId("member", "notes");
  group.notes.set(second.href, memberNote(second, "A second post"));
  await announce(new Create({ id: new URL(`${second.href}/activity`), actor: group.actors.member.uri, object: memberNote(second, "A second post"), to: PUBLIC_COLLECTION }));
  await eventually(() => homeEntry(second.href), 20_000, "the second post");
  assert.ok(await homeEntry(id.href), "a Delete the author's server does not confirm is ignored");
  group.notes.delete(id.href);
  await announce(new Delete({ id: new URL(`${id.href}#delete/2`), actor: group.actors.member.uri, object: id, to: PUBLIC_COLLECTION }));
  await eventually(async () => !(await homeEntry(id.href)), 20_000, "the deleted post gone from a.test");
});

test("a member's Like passed on by the community counts once the member's server serves it", async () => {
  const post = await api("/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "A post for the community" }) });
  assert.equal(post.status, 200);
  const favourites = async () => (await api(`/api/v1/statuses/${post.body.id}/favourited_by`)).body as { acct: string }[];
  // A Like its author's server does not serve (forged by whoever announces it) is ignored…
  const forged = new Like({ id: group.newId("stranger", "likes"), actor: group.actors.stranger.uri, object: new URL(post.body.uri) });
  await announce(forged);
  // …one it serves counts.
  const real = new Like({ id: group.newId("member", "likes"), actor: group.actors.member.uri, object: new URL(post.body.uri) });
  group.likes.set(real.id!.href, real);
  await announce(real);
  await eventually(async () => (await favourites()).length > 0, 20_000, "the member's favourite on a.test");
  assert.deepEqual((await favourites()).map((a) => a.acct), [`member@${G}`]);
  const notification = ((await api("/api/v1/notifications?types[]=favourite")).body as any[]).find((n) => n.status?.id === post.body.id);
  assert.equal(notification?.account.acct, `member@${G}`);
});

test("posting to a community: a post mentioning it goes to its inbox, addressed to it", async () => {
  const post = await api("/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: `@community@${G} Hello, community` }) });
  assert.equal(post.status, 200);
  const created = await eventually(async () => group.received.find((r) => r.type === "Create" && r.object?.id?.href === post.body.uri), 20_000, "the post at the community's server");
  const audience = [...created.activity.toIds, ...created.activity.ccIds].map((u) => u.href);
  assert.ok(audience.includes(group.actors.community.uri.href), `the community is addressed: ${audience.join(", ")}`);
});
