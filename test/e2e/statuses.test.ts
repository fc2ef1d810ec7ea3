// Posting and acting on statuses through masto.js: create, read, thread, edit with history,
// delete-and-redraft, boosts, favourites, bookmarks, pins, idempotency, and the errors for bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../support/server.ts";
import { anonymous, type TestUser } from "../support/clients.ts";
import { contractCheckedServer } from "../support/e2e.ts";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;

contractCheckedServer(["alice", "bob"], async (ready) => {
  server = ready.server;
  ({ alice, bob } = ready.users);
});

test("posting renders mentions, hashtags and links, and the status can be read back", async () => {
  const before = (await alice.client.v1.accounts.verifyCredentials()).statusesCount;
  const status = await alice.client.v1.statuses.create({ status: "Hello @bob, see https://example.com/x #Skein #skein", language: "en" });
  assert.equal(status.account.username, "alice");
  assert.equal(status.visibility, "public");
  assert.equal(status.language, "en");
  assert.deepEqual(status.mentions.map((m) => m.acct), ["bob"]);
  assert.deepEqual(status.tags.map((t) => t.name), ["skein"]);
  assert.match(status.content, /<a href="[^"]+\/@bob" class="u-url mention">@<span>bob<\/span><\/a>/);
  assert.match(status.content, /<a href="https:\/\/example.com\/x"/);
  assert.equal(status.application?.name, "tests");

  const fetched = await anonymous(server).v1.statuses.$select(status.id).fetch();
  assert.equal(fetched.content, status.content);
  // The author's count and last post day move with the post.
  const after = await alice.client.v1.accounts.verifyCredentials();
  assert.equal(after.statusesCount, before + 1);
  assert.equal(after.lastStatusAt, status.createdAt.slice(0, 10));
  assert.deepEqual((await anonymous(server).v1.timelines.tag.$select("skein").list()).map((s) => s.id).includes(status.id), true, "found by its hashtag");
});

test("the answer to a post is the status exactly as its author reads it back", async () => {
  const as = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });
  /** Posts, then reads the status back at once: the two must be the same. */
  const post = async (body: Record<string, unknown>) => {
    const response = await fetch(`${server.url}/api/v1/statuses`, { method: "POST", headers: { ...as(alice), "Content-Type": "application/json" }, body: JSON.stringify(body) });
    assert.equal(response.status, 200, await response.clone().text());
    const answered = (await response.json()) as Record<string, unknown>;
    const read = await (await fetch(`${server.url}/api/v1/statuses/${answered.id}`, { headers: as(alice) })).json();
    assert.deepEqual(answered, read, `status ${answered.id} (${answered.content})`);
    return answered;
  };
  const root = await post({ status: "the thread's first post" });
  const tagged = await post({ status: "Hi @bob and @alice #Answers #MoreTags", language: "en", spoiler_text: "a warning" });
  assert.deepEqual((tagged.mentions as { acct: string }[]).map((m) => m.acct), ["bob"], "one's own mention is not listed");
  assert.deepEqual((tagged.tags as { name: string }[]).map((t) => t.name), ["answers", "moretags"]);
  await post({ status: "followers only", visibility: "private" });
  await post({ status: "only mentioned @bob", visibility: "direct" });
  const quotable = await post({ status: "quotable by followers", quote_approval_policy: "followers", visibility: "unlisted" });
  assert.deepEqual(quotable.quote_approval, { automatic: ["followers"], manual: [], current_user: "automatic" });
  await post({ status: "a reply, read back", in_reply_to_id: root.id });
  // The author shown with the post has its new count.
  const last = (await post({ status: "the last one" })).account as { statuses_count: number };
  assert.equal(last.statuses_count, (await alice.client.v1.accounts.verifyCredentials()).statusesCount);
});

test("replies form a thread with ancestors and descendants", async () => {
  const root = await alice.client.v1.statuses.create({ status: "root" });
  const reply = await bob.client.v1.statuses.create({ status: "@alice a reply", inReplyToId: root.id });
  const nested = await alice.client.v1.statuses.create({ status: "@bob nested", inReplyToId: reply.id });
  assert.equal(reply.inReplyToId, root.id);
  assert.equal(reply.inReplyToAccountId, alice.id);

  const context = await anonymous(server).v1.statuses.$select(reply.id).context.fetch();
  assert.deepEqual(context.ancestors.map((s) => s.id), [root.id]);
  assert.deepEqual(context.descendants.map((s) => s.id), [nested.id]);
  assert.equal((await anonymous(server).v1.statuses.$select(root.id).fetch()).repliesCount, 1);

  await assert.rejects(bob.client.v1.statuses.create({ status: "to nowhere", inReplyToId: "123456789" }), (e: { statusCode?: number }) => e.statusCode === 404);
});

test("edits keep a history and the source; delete returns the text for redrafting", async () => {
  const status = await alice.client.v1.statuses.create({ status: "first version", spoilerText: "cw" });
  assert.equal(status.sensitive, true, "a content warning marks the status sensitive");
  const edited = await alice.client.v1.statuses.$select(status.id).update({ status: "second version #edited" });
  assert.ok(edited.editedAt);
  assert.match(edited.content, /second version/);
  const history = await alice.client.v1.statuses.$select(status.id).history.list();
  assert.deepEqual(history.map((h) => h.content.replace(/<[^>]+>/g, "")), ["first version", "second version #edited"]);
  const source = await alice.client.v1.statuses.$select(status.id).source.fetch();
  assert.equal(source.text, "second version #edited");

  await assert.rejects(bob.client.v1.statuses.$select(status.id).update({ status: "hijack" }), (e: { statusCode?: number }) => e.statusCode === 404);
  await assert.rejects(bob.client.v1.statuses.$select(status.id).remove(), (e: { statusCode?: number }) => e.statusCode === 404);

  const deleted = await alice.client.v1.statuses.$select(status.id).remove();
  assert.equal(deleted.text, "second version #edited");
  await assert.rejects(anonymous(server).v1.statuses.$select(status.id).fetch(), (e: { statusCode?: number }) => e.statusCode === 404);
});

test("boosts, favourites, bookmarks and pins change counters and the reader's flags", async () => {
  const status = await alice.client.v1.statuses.create({ status: "boost me" });
  const boost = await bob.client.v1.statuses.$select(status.id).reblog();
  assert.equal(boost.reblog?.id, status.id);
  assert.equal(boost.reblog?.reblogged, true);
  assert.equal(boost.reblog?.reblogsCount, 1);
  const again = await bob.client.v1.statuses.$select(status.id).reblog();
  assert.equal(again.id, boost.id, "boosting twice keeps one boost");

  const faved = await bob.client.v1.statuses.$select(status.id).favourite();
  assert.equal(faved.favourited, true);
  assert.equal(faved.favouritesCount, 1);
  const rebloggers = await anonymous(server).v1.statuses.$select(status.id).rebloggedBy.list();
  assert.deepEqual(rebloggers.map((a) => a.username), ["bob"]);
  const favers = await anonymous(server).v1.statuses.$select(status.id).favouritedBy.list();
  assert.deepEqual(favers.map((a) => a.username), ["bob"]);

  const bookmarked = await bob.client.v1.statuses.$select(status.id).bookmark();
  assert.equal(bookmarked.bookmarked, true);
  assert.deepEqual((await bob.client.v1.bookmarks.list()).map((s) => s.id), [status.id]);
  assert.deepEqual((await bob.client.v1.favourites.list()).map((s) => s.id), [status.id]);

  const pinned = await alice.client.v1.statuses.$select(status.id).pin();
  assert.equal(pinned.pinned, true);
  const pins = await anonymous(server).v1.accounts.$select(alice.id).statuses.list({ pinned: true });
  assert.deepEqual(pins.map((s) => s.id), [status.id]);
  await assert.rejects(bob.client.v1.statuses.$select(status.id).pin(), (e: { statusCode?: number }) => e.statusCode === 404);

  const unboosted = await bob.client.v1.statuses.$select(status.id).unreblog();
  assert.equal(unboosted.reblogged, false);
  assert.equal(unboosted.reblogsCount, 0);
  const unfaved = await bob.client.v1.statuses.$select(status.id).unfavourite();
  assert.equal(unfaved.favouritesCount, 0);
});

test("an Idempotency-Key makes a retried post create one status", async () => {
  const post = () =>
    fetch(`${server.url}/api/v1/statuses`, {
      method: "POST",
      headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/json", "Idempotency-Key": "retry-1" },
      body: JSON.stringify({ status: "only once" }),
    }).then((r) => r.json());
  const first = await post();
  const second = await post();
  assert.equal(first.id, second.id);
});

test("bad input gets 422 with Mastodon's error shape", async () => {
  const send = (body: unknown) =>
    fetch(`${server.url}/api/v1/statuses`, { method: "POST", headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
  for (const body of [{ status: "" }, { status: "x".repeat(5001) }, { status: "hi", visibility: "everyone" }, { status: "hi", language: "english" }]) {
    const response = await send(body);
    assert.equal(response.status, 422, JSON.stringify(body).slice(0, 80));
    assert.equal(typeof (await response.json()).error, "string");
  }
  const unauth = await fetch(`${server.url}/api/v1/statuses`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ status: "x" }) });
  assert.equal(unauth.status, 401);
  const notAnId = await fetch(`${server.url}/api/v1/statuses/not-an-id`);
  assert.equal(notAnId.status, 404);
});
