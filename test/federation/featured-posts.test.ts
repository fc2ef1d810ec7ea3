// Pinned posts across servers: a remote profile shows its pins from the moment the account is
// first seen (its featured collection is read), and later pins and unpins arrive as Add and
// Remove activities targeting that collection — as between Mastodon servers.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";

const A = "a.test";
const B = "b.test";
let fleet: Fleet;
let alice: TestUser; // a.test
let bob: TestUser; // b.test
const contracts: ContractLog[] = [];

async function api(user: TestUser, server: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${server}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${user.token}`, "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

async function post(text: string, visibility = "public"): Promise<{ id: string; uri: string }> {
  const created = await api(alice, A, "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: text, visibility }) });
  assert.equal(created.status, 200);
  return created.body;
}

async function pin(id: string, on = true): Promise<void> {
  const done = await api(alice, A, `/api/v1/statuses/${id}/${on ? "pin" : "unpin"}`, { method: "POST" });
  assert.equal(done.status, 200, JSON.stringify(done.body));
}

/** The URIs of the posts bob's server shows as alice's pins. */
async function pinsOnB(aliceOnB: string): Promise<string[]> {
  const pinned = await api(bob, B, `/api/v1/accounts/${aliceOnB}/statuses?pinned=true`);
  assert.equal(pinned.status, 200);
  return pinned.body.map((s: { uri: string }) => s.uri).sort();
}

before(async () => {
  fleet = await startFleet([A, B], { firstAddress: 100 });
  for (const name of [A, B]) contracts.push(installContractCheck(fleet.servers[name].url));
  alice = await signUp(fleet.servers[A], "alice");
  bob = await signUp(fleet.servers[B], "bob");
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

test("a remote profile shows its pins from the first look, then follows pins and unpins", async () => {
  // Before b.test has ever heard of alice: two pins (public, unlisted), a followers-only pin
  // that her featured collection does not serve, and a post left unpinned.
  const pinnedPublic = await post("Start here: what this account is about");
  const pinnedUnlisted = await post("An unlisted note worth keeping on top", "unlisted");
  const pinnedPrivate = await post("For followers only, pinned", "private");
  await post("An ordinary post");
  for (const p of [pinnedPublic, pinnedUnlisted, pinnedPrivate]) await pin(p.id);

  const lookup = await api(bob, B, `/api/v1/accounts/lookup?acct=alice@${A}`);
  assert.equal(lookup.status, 200);
  const aliceOnB = lookup.body.id;
  const expected = [pinnedPublic.uri, pinnedUnlisted.uri].sort();
  await eventually(async () => JSON.stringify(await pinsOnB(aliceOnB)) === JSON.stringify(expected), 20_000, "alice's two public pins on b.test");

  // Bob follows; a new pin arrives as an Add, an unpin as a Remove.
  const follow = await api(bob, B, `/api/v1/accounts/${aliceOnB}/follow`, { method: "POST" });
  assert.equal(follow.status, 200);
  await eventually(async () => (await api(bob, B, `/api/v1/accounts/relationships?id[]=${aliceOnB}`)).body[0]?.following, 20_000, "the Accept from a.test");
  const later = await post("A newer post, pinned after bob followed");
  await eventually(async () => (await api(bob, B, "/api/v1/timelines/home")).body.some((s: { uri: string }) => s.uri === later.uri), 20_000, "the newer post on b.test");
  await pin(later.id);
  await eventually(async () => (await pinsOnB(aliceOnB)).includes(later.uri), 20_000, "the Add of the newer pin");

  await pin(pinnedPublic.id, false);
  await eventually(async () => !(await pinsOnB(aliceOnB)).includes(pinnedPublic.uri), 20_000, "the Remove of the first pin");
  assert.deepEqual(await pinsOnB(aliceOnB), [pinnedUnlisted.uri, later.uri].sort());

  // The pins are alice's posts as b.test stores them, readable by anyone there.
  const anonymous = await fetch(`https://${B}/api/v1/accounts/${aliceOnB}/statuses?pinned=true`);
  assert.equal(anonymous.status, 200);
  const shown = (await anonymous.json()) as { uri: string; account: { acct: string } }[];
  assert.deepEqual(shown.map((s) => s.uri).sort(), [pinnedUnlisted.uri, later.uri].sort());
  assert.ok(shown.every((s) => s.account.acct === `alice@${A}`));
});
