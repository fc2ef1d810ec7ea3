// A local poll's counts reach other servers: each vote marks the poll's Update(Question) as due,
// and one update per POLL_UPDATE_DELAY goes to the poll's audience (followers' servers) and to
// remote voters' servers, even those where nobody follows the author — as Mastodon does.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";

const [A, B, C] = ["a.test", "b.test", "c.test"];
let fleet: Fleet;
let alice: TestUser; // a.test: the poll's author
let bob: TestUser; // b.test: follows alice
let carol: TestUser; // c.test: follows nobody, votes
const contracts: ContractLog[] = [];
const fast = { POLL_UPDATE_DELAY: "0.5", POLL_SWEEP_INTERVAL: "0.5" };

async function api(user: TestUser, server: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${server}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${user.token}`, "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

before(async () => {
  fleet = await startFleet([A, B, C], { firstAddress: 115, env: { [A]: fast, [B]: fast, [C]: fast } });
  for (const name of [A, B, C]) contracts.push(installContractCheck(fleet.servers[name].url));
  alice = await signUp(fleet.servers[A], "alice");
  bob = await signUp(fleet.servers[B], "bob");
  carol = await signUp(fleet.servers[C], "carol");
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

test("votes from two servers come back to both as the poll's new counts", async () => {
  const aliceOnB = (await api(bob, B, `/api/v1/accounts/lookup?acct=alice@${A}`)).body.id;
  assert.equal((await api(bob, B, `/api/v1/accounts/${aliceOnB}/follow`, { method: "POST" })).status, 200);
  await eventually(async () => (await api(bob, B, `/api/v1/accounts/relationships?id[]=${aliceOnB}`)).body[0]?.following, 20_000, "the Accept from a.test");

  const created = await api(alice, A, "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Tea or coffee?", poll: { options: ["tea", "coffee"], expires_in: 3600 } }) });
  assert.equal(created.status, 200);
  const onB = await eventually(async () => (await api(bob, B, "/api/v1/timelines/home")).body.find((s: { uri: string }) => s.uri === created.body.uri), 20_000, "the poll on b.test");
  assert.equal(onB.poll.votes_count, 0);

  // Carol finds the poll by its URL and votes; nobody on c.test follows alice.
  const found = await api(carol, C, `/api/v2/search?resolve=true&type=statuses&q=${encodeURIComponent(created.body.uri)}`);
  const onC = found.body.statuses[0];
  assert.ok(onC?.poll, "the poll is found on c.test");
  assert.equal((await api(carol, C, `/api/v1/polls/${onC.poll.id}/votes`, { method: "POST", body: JSON.stringify({ choices: [1] }) })).status, 200);
  assert.equal((await api(bob, B, `/api/v1/polls/${onB.poll.id}/votes`, { method: "POST", body: JSON.stringify({ choices: [0] }) })).status, 200);

  // a.test counts both votes, then tells b.test (alice's follower) and c.test (a voter).
  await eventually(async () => (await api(alice, A, `/api/v1/polls/${created.body.poll.id}`)).body.votes_count === 2, 20_000, "both votes counted on a.test");
  const counts = (poll: { options: { votes_count: number }[] }) => poll.options.map((o) => o.votes_count).join(",");
  const onBAfter = await eventually(async () => {
    const poll = (await api(bob, B, `/api/v1/polls/${onB.poll.id}`)).body;
    return poll.votes_count === 2 ? poll : null;
  }, 20_000, "the new counts on b.test");
  assert.equal(counts(onBAfter), "1,1");
  assert.deepEqual(onBAfter.own_votes, [0]);
  const onCAfter = await eventually(async () => {
    const poll = (await api(carol, C, `/api/v1/polls/${onC.poll.id}`)).body;
    return poll.votes_count === 2 ? poll : null;
  }, 20_000, "the new counts on c.test");
  assert.equal(counts(onCAfter), "1,1");
  // Counts are not edits: no "edited" mark and no edit history on the receiving servers.
  const status = (await api(bob, B, `/api/v1/statuses/${onB.id}`)).body;
  assert.equal(status.edited_at, null);
});
