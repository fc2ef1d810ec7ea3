// Full-text search of posts (issue 15), end to end on one server: who finds what (Mastodon
// 4.2's opt-in and interaction rules), operators, CJK and German text, edits and deletes,
// accounts and hashtags ranking. Every answer is checked against the Mastodon contract.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../support/server.ts";
import type { TestUser } from "../support/clients.ts";
import { contractCheckedServer } from "../support/e2e.ts";
import { apiCaller } from "../support/api.ts";

let server: TestServer;
let alice: TestUser; // opted in (indexable)
let bob: TestUser; // did not opt in
let carol: TestUser; // a reader
const api = apiCaller(() => server.url);

contractCheckedServer(["alice", "bob", "carol"], async ({ server: s, users }) => {
  server = s;
  ({ alice, bob, carol } = users);
  assert.equal((await api(alice, "PATCH", "/api/v1/accounts/update_credentials", { indexable: true })).status, 200);
});

async function post(user: TestUser, body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await api(user, "POST", "/api/v1/statuses", body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

/** Ids of the statuses `user` finds for `q`. */
async function found(user: TestUser | null, q: string, extra = ""): Promise<string[]> {
  const res = await api(user as TestUser, "GET", `/api/v2/search?type=statuses&q=${encodeURIComponent(q)}${extra}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.statuses.map((s: { id: string }) => s.id);
}

test("an author finds their own words; anyone finds public posts of an account that opted in, and only those", async () => {
  const mine = await post(bob, { status: "Quokkas are wonderfully photogenic" });
  assert.deepEqual(await found(bob, "quokkas"), [mine.id]);
  assert.deepEqual(await found(carol, "quokkas"), [], "bob did not opt in");
  const open = await post(alice, { status: "Wombats dig burrows with their claws" });
  const unlisted = await post(alice, { status: "Wombats sleep all day", visibility: "unlisted" });
  const followers = await post(alice, { status: "Wombats secret diary", visibility: "private" });
  assert.deepEqual(await found(carol, "wombats"), [open.id], "only public posts of opted-in accounts");
  assert.deepEqual((await found(alice, "wombats")).sort(), [open.id, unlisted.id, followers.id].sort(), "the author finds all of theirs");
  assert.deepEqual(await found(null, "wombats"), [], "no full-text search signed out");
});
