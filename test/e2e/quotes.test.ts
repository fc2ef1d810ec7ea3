// Quote posts (Mastodon 4.5) on one server: quoting, the Quote and QuoteApproval entities,
// policies (public / followers / nobody), private posts, revoking, the quotes list, the
// quote and quoted_update notifications, a deleted quoted post, and Skein's reply_policy.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../support/server.ts";
import type { ContractLog } from "../support/openapi.ts";
import { installQuoteAwareContractCheck } from "../support/quote-contract.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { apiCaller } from "../support/api.ts";
import { openStream } from "../support/streaming.ts";

let server: TestServer;
let contract: ContractLog;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
const api = apiCaller(() => server.url);

before(async () => {
  server = await startServer();
  // Quotes make the description's Status.quote ambiguous: see quote-contract.ts.
  contract = installQuoteAwareContractCheck(server.url);
  alice = await signUp(server, "alice");
  bob = await signUp(server, "bob");
  carol = await signUp(server, "carol");
});

after(async () => {
  await server?.stop();
  assert.ok(contract.checked > 20);
  assert.deepEqual(contract.violations, []);
});

function quoteShape(quote: any, state: string, quotedId: string | null) {
  assert.equal(quote.state, state);
  assert.deepEqual(Object.keys(quote).sort(), ["quoted_status", "state"]);
  assert.equal(quote.quoted_status?.id ?? null, quotedId);
}

const post = (who: TestUser, body: Record<string, unknown>) => api(who, "POST", "/api/v1/statuses", body);

test("quoting a public post: accepted, shown with the quoted post, the author notified and counting it", async () => {
  const original = (await post(alice, { status: "quote me" })).body;
  assert.deepEqual(original.quote_approval, { automatic: ["public"], manual: [], current_user: "automatic" });
  const bobView = (await api(bob, "GET", `/api/v1/statuses/${original.id}`)).body;
  assert.equal(bobView.quote_approval.current_user, "automatic");
  assert.equal((await api(null, "GET", `/api/v1/statuses/${original.id}`)).body.quote_approval.current_user, "unknown");

  const res = await post(bob, { status: "look at this", quoted_status_id: original.id });
  assert.equal(res.status, 200);
  quoteShape(res.body.quote, "accepted", original.id);
  // A quote inside a quoted post is shallow (ShallowQuote): only the id.
  assert.equal(res.body.quote.quoted_status.quote, null);
  const nested = (await post(carol, { status: "quoting a quote", quoted_status_id: res.body.id })).body;
  assert.deepEqual(nested.quote.quoted_status.quote, { state: "accepted", quoted_status_id: original.id });

  assert.equal((await api(alice, "GET", `/api/v1/statuses/${original.id}`)).body.quotes_count, 1);
  const notes = (await api(alice, "GET", "/api/v1/notifications?types[]=quote")).body;
  assert.equal(notes.length, 1);
  assert.equal(notes[0].type, "quote");
  assert.equal(notes[0].account.id, bob.id);
  assert.equal(notes[0].status.id, res.body.id);

  const quotes = await api(alice, "GET", `/api/v1/statuses/${original.id}/quotes?limit=1`);
  assert.deepEqual(quotes.body.map((s: any) => s.id), [res.body.id]);
  assert.match(quotes.headers.get("link") ?? "", /max_id=/);
  assert.deepEqual((await api(carol, "GET", `/api/v1/statuses/${original.id}/quotes`)).body.map((s: any) => s.id), [res.body.id]);
  // A followers-only quote is listed to nobody outside its audience, not even the quoted author.
  const hidden = (await post(bob, { status: "for my followers", visibility: "private", quoted_status_id: original.id })).body;
  quoteShape(hidden.quote, "accepted", original.id);
  assert.deepEqual((await api(alice, "GET", `/api/v1/statuses/${original.id}/quotes`)).body.map((s: any) => s.id), [res.body.id]);
  assert.equal((await api(alice, "GET", "/api/v1/notifications?types[]=quote")).body.length, 1, "nor is she told of it");
});

test("policies: followers-only and nobody refuse quotes; private posts cannot be quoted at all", async () => {
  const followersOnly = (await post(alice, { status: "followers may quote", quote_approval_policy: "followers" })).body;
  assert.deepEqual(followersOnly.quote_approval.automatic, ["followers"]);
  assert.equal((await api(bob, "GET", `/api/v1/statuses/${followersOnly.id}`)).body.quote_approval.current_user, "denied");
  const refused = (await post(bob, { status: "not allowed", quoted_status_id: followersOnly.id })).body;
  quoteShape(refused.quote, "rejected", null);

  await api(carol, "POST", `/api/v1/accounts/${alice.id}/follow`);
  // A follower may quote: the follow is read for the posts whose policy names followers, on a page too.
  assert.equal((await api(carol, "GET", `/api/v1/statuses/${followersOnly.id}`)).body.quote_approval.current_user, "automatic");
  const page = (who: TestUser) => api(who, "GET", `/api/v1/accounts/${alice.id}/statuses`).then((r) => r.body.find((s: { id: string }) => s.id === followersOnly.id).quote_approval.current_user);
  assert.deepEqual([await page(carol), await page(bob)], ["automatic", "denied"]);
  const allowed = (await post(carol, { status: "as a follower", quoted_status_id: followersOnly.id })).body;
  quoteShape(allowed.quote, "accepted", followersOnly.id);

  const nobody = (await post(alice, { status: "nobody quotes", quote_approval_policy: "nobody" })).body;
  assert.deepEqual(nobody.quote_approval, { automatic: [], manual: [], current_user: "automatic" });
  quoteShape((await post(carol, { status: "try", quoted_status_id: nobody.id })).body.quote, "rejected", null);
  // The author may quote themselves.
  quoteShape((await post(alice, { status: "self", quoted_status_id: nobody.id })).body.quote, "accepted", nobody.id);

  const secret = (await post(alice, { status: "followers only", visibility: "private" })).body;
  assert.equal((await post(carol, { status: "leak", quoted_status_id: secret.id })).status, 422);
  assert.equal((await post(bob, { status: "leak", quoted_status_id: secret.id })).status, 404, "a post one cannot see is not found");
  assert.equal((await post(bob, { status: "bad", quote_approval_policy: "everyone" })).status, 422);

  // The policy can be changed afterwards; past quotes stay.
  const changed = await api(alice, "PUT", `/api/v1/statuses/${followersOnly.id}/interaction_policy`, { quote_approval_policy: "public" });
  assert.equal(changed.status, 200);
  assert.deepEqual(changed.body.quote_approval.automatic, ["public"]);
  quoteShape((await post(bob, { status: "now allowed", quoted_status_id: followersOnly.id })).body.quote, "accepted", followersOnly.id);
  assert.equal((await api(bob, "PUT", `/api/v1/statuses/${followersOnly.id}/interaction_policy`, { quote_approval_policy: "nobody" })).status, 404);
});

test("a post's quote policy is announced on its Note to other servers (canQuote)", async () => {
  const canQuoteOf = async (uri: string) => {
    const response = await fetch(uri, { headers: { Accept: "application/activity+json" } });
    assert.equal(response.status, 200);
    const note = (await response.json()) as { interactionPolicy?: { canQuote?: unknown } };
    return JSON.stringify(note.interactionPolicy?.canQuote ?? null);
  };
  const open = (await post(alice, { status: "anyone may quote" })).body;
  const followers = (await post(alice, { status: "followers may quote", quote_approval_policy: "followers" })).body;
  const nobody = (await post(alice, { status: "nobody may quote", quote_approval_policy: "nobody" })).body;
  assert.match(await canQuoteOf(open.uri), /as:Public|#Public/);
  const forFollowers = await canQuoteOf(followers.uri);
  assert.match(forFollowers, /\/users\/alice\/followers/);
  assert.doesNotMatch(forFollowers, /as:Public|#Public/);
  const forNobody = await canQuoteOf(nobody.uri);
  assert.doesNotMatch(forNobody, /as:Public|#Public|\/followers/);
});

test("the default quote policy comes from the account's settings", async () => {
  const res = await api(carol, "PATCH", "/api/v1/accounts/update_credentials", { source: { quote_policy: "nobody" } });
  assert.equal(res.status, 200);
  assert.equal(res.body.source.quote_policy, "nobody");
  assert.equal((await api(carol, "GET", "/api/v1/preferences")).body["posting:default:quote_policy"], "nobody");
  const refused = await api(carol, "PATCH", "/api/v1/accounts/update_credentials", { display_name: "Carol!", source: { quote_policy: "everyone" } });
  assert.equal(refused.status, 422);
  assert.notEqual((await api(carol, "GET", "/api/v1/accounts/verify_credentials")).body.display_name, "Carol!", "nothing changed");
  const status = (await post(carol, { status: "default policy" })).body;
  assert.deepEqual(status.quote_approval.automatic, []);
  await api(carol, "PATCH", "/api/v1/accounts/update_credentials", { source: { quote_policy: "public" } });
});

test("revoking a quote hides the quoted post; a quote never shows a post the reader may not see", async () => {
  const original = (await post(alice, { status: "revocable" })).body;
  const quote = (await post(bob, { status: "quoting", quoted_status_id: original.id })).body;
  assert.equal((await api(bob, "POST", `/api/v1/statuses/${original.id}/quotes/${quote.id}/revoke`)).status, 403, "only the quoted author revokes");
  // bob's stream is told: his quote changed.
  const stream = await openStream(server.url, { query: { access_token: bob.token, stream: "user" } });
  await stream.subscribe("user");
  const revoked = await api(alice, "POST", `/api/v1/statuses/${original.id}/quotes/${quote.id}/revoke`);
  const update = await stream.next((m) => m.event === "status.update" && JSON.parse(m.payload!).id === quote.id);
  assert.equal(JSON.parse(update.payload!).quote.state, "revoked");
  await stream.close();
  assert.equal(revoked.status, 200);
  assert.equal(revoked.body.id, quote.id);
  quoteShape(revoked.body.quote, "revoked", null);
  quoteShape((await api(null, "GET", `/api/v1/statuses/${quote.id}`)).body.quote, "revoked", null);
  assert.deepEqual((await api(alice, "GET", `/api/v1/statuses/${original.id}/quotes`)).body, []);

  // An accepted quote of a post that a reader cannot see (the reader is blocked by its author).
  const other = (await post(alice, { status: "alice's post" })).body;
  const carolQuote = (await post(carol, { status: "sharing", quoted_status_id: other.id })).body;
  const meta = (await post(carol, { status: "quoting my quote", quoted_status_id: carolQuote.id })).body;
  await api(alice, "POST", `/api/v1/accounts/${bob.id}/block`);
  quoteShape((await api(bob, "GET", `/api/v1/statuses/${carolQuote.id}`)).body.quote, "unauthorized", null);
  // Nested (ShallowQuote): not even the id of the post bob may not see.
  const nestedForBob = (await api(bob, "GET", `/api/v1/statuses/${meta.id}`)).body.quote.quoted_status.quote;
  assert.deepEqual(nestedForBob, { state: "unauthorized", quoted_status_id: null });
  quoteShape((await api(null, "GET", `/api/v1/statuses/${carolQuote.id}`)).body.quote, "accepted", other.id);
  await api(alice, "POST", `/api/v1/accounts/${bob.id}/unblock`);

  // A quoted post that is deleted.
  await api(alice, "DELETE", `/api/v1/statuses/${other.id}`);
  quoteShape((await api(carol, "GET", `/api/v1/statuses/${carolQuote.id}`)).body.quote, "deleted", null);
});

test("an edit of a quoted post notifies the quoters (quoted_update); a quote can be added by an edit", async () => {
  const original = (await post(alice, { status: "will change" })).body;
  const quote = (await post(bob, { status: "quoting it", quoted_status_id: original.id })).body;
  await api(alice, "PUT", `/api/v1/statuses/${original.id}`, { status: "changed" });
  const notes = (await api(bob, "GET", "/api/v1/notifications?types[]=quoted_update")).body;
  assert.equal(notes.length, 1);
  assert.equal(notes[0].type, "quoted_update");
  assert.equal(notes[0].status.id, quote.id);
  assert.match(notes[0].status.quote.quoted_status.content, /changed/);

  const plain = (await post(carol, { status: "no quote yet" })).body;
  const edited = await api(carol, "PUT", `/api/v1/statuses/${plain.id}`, { status: "now quoting", quoted_status_id: original.id });
  assert.equal(edited.status, 200);
  quoteShape(edited.body.quote, "accepted", original.id);
});

test("reply_policy (a Skein extension) limits who may reply, and boosting private posts stays refused", async () => {
  const closed = (await post(alice, { status: "followers may reply", reply_policy: "followers" })).body;
  const refused = await post(bob, { status: "@alice hi", in_reply_to_id: closed.id });
  assert.equal(refused.status, 422);
  assert.match(refused.body.error, /does not allow you to reply/);
  // carol follows alice (above).
  assert.equal((await post(carol, { status: "@alice hello", in_reply_to_id: closed.id })).status, 200);
  assert.equal((await post(alice, { status: "own thread", in_reply_to_id: closed.id })).status, 200);
  assert.equal((await post(bob, { status: "bad", reply_policy: "anyone" })).status, 422);
});
