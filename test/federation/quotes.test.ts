// Quote posts (FEP-044f) and interaction policies between three Skein servers (a.test, b.test,
// c.test): a quote of a remote post is asked for (QuoteRequest), accepted with a verified
// QuoteAuthorization or refused by the quoted post's policy, and a reply that a post's policy
// refuses is neither stored nor notified on its author's server — while the policy, announced on
// the Note, already stops local attempts on the replier's server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { fleetQueueState } from "../support/queue-state.ts";
import type { ContractLog } from "../support/openapi.ts";
import { installQuoteAwareContractCheck } from "../support/quote-contract.ts";

let fleet: Fleet;
let alice: TestUser; // a.test
let bob: TestUser; // b.test
let carol: TestUser; // c.test
const contracts: ContractLog[] = [];

async function api(user: TestUser, server: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`https://${server}${path}`, {
    method: init.method ?? "GET",
    headers: { Authorization: `Bearer ${user.token}`, "Content-Type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

const post = (user: TestUser, server: string, body: Record<string, unknown>) => api(user, server, "/api/v1/statuses", { method: "POST", body });

/** The id on `server` of a post known by its URI there (fetched through search if needed). */
async function localIdOf(user: TestUser, server: string, uri: string): Promise<string> {
  const found = await api(user, server, `/api/v2/search?type=statuses&resolve=true&q=${encodeURIComponent(uri)}`);
  assert.equal(found.body?.statuses?.length, 1, `search for ${uri} on ${server}: ${JSON.stringify(found.body)}`);
  return found.body.statuses[0].id;
}

before(async () => {
  fleet = await startFleet(["a.test", "b.test", "c.test"], { firstAddress: 232 });
  for (const name of ["a.test", "b.test", "c.test"]) contracts.push(installQuoteAwareContractCheck(fleet.servers[name].url));
  alice = await signUp(fleet.servers["a.test"], "alice");
  bob = await signUp(fleet.servers["b.test"], "bob");
  carol = await signUp(fleet.servers["c.test"], "carol");
});

after(async () => {
  await fleet?.stop();
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
});

test("a quote of a public remote post is requested, accepted with a verified authorization, and seen so on both servers", async () => {
  const original = (await post(bob, "b.test", { status: "quote me, fediverse" })).body;
  assert.deepEqual(original.quote_approval.automatic, ["public"]);
  const onA = await localIdOf(alice, "a.test", original.uri);
  // b.test announced its policy on the Note: a.test expects the quote to be approved.
  assert.equal((await api(alice, "a.test", `/api/v1/statuses/${onA}`)).body.quote_approval.current_user, "automatic");

  const quote = (await post(alice, "a.test", { status: "worth reading", quoted_status_id: onA })).body;
  assert.equal(quote.quote.state, "pending", "asked of b.test, not yet answered");
  assert.equal(quote.quote.quoted_status, null);

  const accepted = await eventually(async () => {
    const q = (await api(alice, "a.test", `/api/v1/statuses/${quote.id}`)).body.quote;
    return q.state === "accepted" ? q : null;
  }, 20_000, "b.test's Accept of the QuoteRequest");
  assert.equal(accepted.quoted_status.id, onA);
  assert.match(accepted.quoted_status.content, /quote me, fediverse/);

  // On b.test: bob was told, lists the quote, and sees it accepted.
  const notification = await eventually(async () => (await api(bob, "b.test", "/api/v1/notifications?types[]=quote")).body[0], 20_000, "the quote notification");
  assert.equal(notification.account.acct, "alice@a.test");
  assert.match(notification.status.content, /worth reading/);
  const quotes = (await api(bob, "b.test", `/api/v1/statuses/${original.id}/quotes`)).body;
  assert.deepEqual(quotes.map((s: any) => s.uri), [quote.uri]);
  assert.equal(quotes[0].quote.state, "accepted");
  assert.equal(quotes[0].quote.quoted_status.id, original.id);
  assert.equal((await api(bob, "b.test", `/api/v1/statuses/${original.id}`)).body.quotes_count, 1);

  // The authorization b.test serves names both posts; a.test's Note now carries it.
  const note = await (await fetch(quote.uri, { headers: { Accept: "application/activity+json" } })).json();
  assert.equal(note.quote, original.uri);
  assert.equal(note._misskey_quote, original.uri);
  assert.equal(note.quoteUri, original.uri);
  const authorization = await (await fetch(note.quoteAuthorization, { headers: { Accept: "application/activity+json" } })).json();
  assert.equal(authorization.type, "QuoteAuthorization");
  assert.equal(authorization.attributedTo, original.account.url.replace("/@bob", "/users/bob"));
  assert.equal(authorization.interactingObject, quote.uri);
  assert.equal(authorization.interactionTarget, original.uri);

  // bob revokes it: the authorization is gone and a.test shows the quote revoked.
  assert.equal((await api(bob, "b.test", `/api/v1/statuses/${original.id}/quotes/${quotes[0].id}/revoke`, { method: "POST" })).status, 200);
  await eventually(async () => (await api(alice, "a.test", `/api/v1/statuses/${quote.id}`)).body.quote.state === "revoked", 20_000, "the revocation on a.test");
  assert.equal((await fetch(note.quoteAuthorization, { headers: { Accept: "application/activity+json" } })).status, 404);

  // alice deletes her quote: b.test (which follows nobody on a.test) is told, as the quoted server.
  assert.equal((await api(alice, "a.test", `/api/v1/statuses/${quote.id}`, { method: "DELETE" })).status, 200);
  await eventually(async () => (await api(bob, "b.test", "/api/v1/notifications?types[]=quote")).body.length === 0, 20_000, "the Delete on b.test");
});

test("a quote refused by the quoted post's policy is rejected and shows no quoted post", async () => {
  const closed = (await post(bob, "b.test", { status: "nobody quotes this", quote_approval_policy: "nobody" })).body;
  const followersOnly = (await post(bob, "b.test", { status: "followers may quote", quote_approval_policy: "followers" })).body;
  const closedOnA = await localIdOf(alice, "a.test", closed.uri);
  const followersOnA = await localIdOf(alice, "a.test", followersOnly.uri);
  assert.equal((await api(alice, "a.test", `/api/v1/statuses/${closedOnA}`)).body.quote_approval.current_user, "denied");

  const q1 = (await post(alice, "a.test", { status: "quoting anyway", quoted_status_id: closedOnA })).body;
  const q2 = (await post(alice, "a.test", { status: "not a follower", quoted_status_id: followersOnA })).body;
  for (const q of [q1, q2]) {
    const refused = await eventually(async () => {
      const body = (await api(alice, "a.test", `/api/v1/statuses/${q.id}`)).body;
      return body.quote.state === "rejected" ? body.quote : null;
    }, 20_000, "b.test's Reject");
    assert.equal(refused.quoted_status, null);
  }
  // Nothing reached bob's notifications or quotes list.
  assert.deepEqual((await api(bob, "b.test", "/api/v1/notifications?types[]=quote")).body, []);
  assert.deepEqual((await api(bob, "b.test", `/api/v1/statuses/${closed.id}/quotes`)).body, []);
});

test("a reply the post's policy refuses is not stored or notified by its author's server", async () => {
  // c.test learns of the post while anyone may reply; then alice limits replies to her
  // followers (c.test, following nobody here, is not told).
  const open = (await post(alice, "a.test", { status: "replies welcome, for now" })).body;
  const onC = await localIdOf(carol, "c.test", open.uri);
  assert.equal((await api(alice, "a.test", `/api/v1/statuses/${open.id}`, { method: "PUT", body: { status: "followers only may reply", reply_policy: "followers" } })).status, 200);
  assert.equal((await post(carol, "c.test", { status: "@alice@a.test my reply", in_reply_to_id: onC })).status, 200, "c.test still has the old policy");

  // A post c.test learns of with the policy already set: carol's own server refuses her reply.
  const closed = (await post(alice, "a.test", { status: "followers may reply", reply_policy: "followers" })).body;
  const closedOnC = await localIdOf(carol, "c.test", closed.uri);
  const refused = await post(carol, "c.test", { status: "@alice@a.test let me in", in_reply_to_id: closedOnC });
  assert.equal(refused.status, 422);
  assert.match(refused.body.error, /does not allow you to reply/);

  // A reply that is allowed arrives; the refused one (sent before it) never does.
  const welcome = (await post(alice, "a.test", { status: "anyone may reply here" })).body;
  const welcomeOnC = await localIdOf(carol, "c.test", welcome.uri);
  const allowed = await post(carol, "c.test", { status: "@alice@a.test allowed reply", in_reply_to_id: welcomeOnC });
  assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
  await eventually(async () => (await api(alice, "a.test", `/api/v1/statuses/${welcome.id}/context`)).body.descendants.length === 1, 30_000, "the allowed reply", () => fleetQueueState(fleet.servers));
  assert.deepEqual((await api(alice, "a.test", `/api/v1/statuses/${open.id}/context`)).body.descendants, []);
  assert.equal((await api(alice, "a.test", `/api/v1/statuses/${open.id}`)).body.replies_count, 0);
  const mentions = (await api(alice, "a.test", "/api/v1/notifications?types[]=mention")).body;
  assert.deepEqual(mentions.map((n: any) => n.status.content.replace(/<[^>]+>/g, "")), ["@alice allowed reply"]);
});
