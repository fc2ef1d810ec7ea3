// The privacy matrix: for each visibility, each kind of reader, and each endpoint that returns
// statuses, a status is shown exactly when Mastodon's rules allow it:
//   public, unlisted → everyone (unlisted stays out of public and hashtag timelines);
//   private → the author, mentioned accounts, accepted followers;
//   direct → the author and mentioned accounts;
//   and nobody sees the statuses of someone who blocked them.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestServer } from "../support/server.ts";
import type { TestUser } from "../support/clients.ts";
import { contractCheckedServer } from "../support/e2e.ts";

type Visibility = "public" | "unlisted" | "private" | "direct";
type Reader = "author" | "follower" | "mentioned" | "stranger" | "blocked" | "anonymous";
const VISIBILITIES: Visibility[] = ["public", "unlisted", "private", "direct"];
const READERS: Reader[] = ["author", "follower", "mentioned", "stranger", "blocked", "anonymous"];

/** May `reader` read a status of this visibility (when reading it directly)? */
function allowed(visibility: Visibility, reader: Reader): boolean {
  if (reader === "blocked") return false;
  if (reader === "author" || reader === "mentioned") return true;
  if (visibility === "public" || visibility === "unlisted") return true;
  if (visibility === "private") return reader === "follower";
  return false;
}

let server: TestServer;
const users = {} as Record<Exclude<Reader, "anonymous">, TestUser>;
const posts = {} as Record<Visibility, string>;
const replies = {} as Record<Visibility, string>;
let root: string;

async function get(reader: Reader, path: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = reader === "anonymous" ? {} : { Authorization: `Bearer ${users[reader].token}` };
  const response = await fetch(`${server.url}${path}`, { headers });
  return { status: response.status, body: await response.json() };
}

async function post(reader: Exclude<Reader, "anonymous">, path: string, body: unknown = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${users[reader].token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const ids = (body: { id: string }[]) => new Set(body.map((s) => s.id));

contractCheckedServer(["author", "follower", "mentioned", "stranger", "blocked"], async (ready) => {
  server = ready.server;
  Object.assign(users, ready.users);
  await users.follower.client.v1.accounts.$select(users.author.id).follow();
  await users.author.client.v1.accounts.$select(users.blocked.id).block();
  for (const visibility of VISIBILITIES) {
    posts[visibility] = (await users.author.client.v1.statuses.create({ status: `@mentioned a ${visibility} post #matrix`, visibility })).id;
  }
  root = (await users.stranger.client.v1.statuses.create({ status: "a public thread for replies" })).id;
  for (const visibility of VISIBILITIES) {
    replies[visibility] = (await users.author.client.v1.statuses.create({ status: `@mentioned @stranger a ${visibility} reply`, visibility, inReplyToId: root })).id;
  }
});

test("GET /api/v1/statuses/:id and /context of the status itself", async () => {
  for (const visibility of VISIBILITIES) {
    for (const reader of READERS) {
      const expected = allowed(visibility, reader);
      const { status } = await get(reader, `/api/v1/statuses/${posts[visibility]}`);
      assert.equal(status, expected ? 200 : 404, `${reader} reading a ${visibility} status`);
      const context = await get(reader, `/api/v1/statuses/${posts[visibility]}/context`);
      assert.equal(context.status, expected ? 200 : 404, `${reader} reading the context of a ${visibility} status`);
      for (const path of ["favourited_by", "reblogged_by", "history"]) {
        assert.equal((await get(reader, `/api/v1/statuses/${posts[visibility]}/${path}`)).status, expected ? 200 : 404, `${reader} ${path} of ${visibility}`);
      }
    }
  }
});

test("a thread's descendants show only the replies each reader may see", async () => {
  for (const reader of READERS) {
    const { body } = await get(reader, `/api/v1/statuses/${root}/context`);
    const seen = ids(body.descendants);
    for (const visibility of VISIBILITIES) {
      // The stranger is mentioned in the replies, so replies reach them like the mentioned reader.
      const expected = reader === "stranger" ? allowed(visibility, "mentioned") : allowed(visibility, reader);
      assert.equal(seen.has(replies[visibility]), expected, `${reader} sees the ${visibility} reply in the thread`);
    }
  }
});

test("an account's statuses, the multi-status fetch, and search by tag", async () => {
  for (const reader of READERS) {
    const profile = ids((await get(reader, `/api/v1/accounts/${users.author.id}/statuses?limit=40`)).body);
    const tagged = ids((await get(reader, `/api/v1/accounts/${users.author.id}/statuses?tagged=matrix`)).body);
    const many = ids((await get(reader, `/api/v1/statuses?${VISIBILITIES.map((v) => `id[]=${posts[v]}`).join("&")}`)).body);
    for (const visibility of VISIBILITIES) {
      const expected = allowed(visibility, reader);
      assert.equal(profile.has(posts[visibility]), expected, `${reader} sees the ${visibility} post on the profile`);
      assert.equal(tagged.has(posts[visibility]), expected, `${reader} sees the ${visibility} post tagged`);
      assert.equal(many.has(posts[visibility]), expected, `${reader} gets the ${visibility} post from /statuses?id[]`);
    }
  }
});

test("public and hashtag timelines carry public statuses only", async () => {
  for (const reader of READERS) {
    const publicTimeline = ids((await get(reader, "/api/v1/timelines/public?limit=40")).body);
    const local = ids((await get(reader, "/api/v1/timelines/public?local=true&limit=40")).body);
    const tag = ids((await get(reader, "/api/v1/timelines/tag/matrix?limit=40")).body);
    for (const visibility of VISIBILITIES) {
      const expected = visibility === "public" && reader !== "blocked";
      assert.equal(publicTimeline.has(posts[visibility]), expected, `${reader}: ${visibility} in the public timeline`);
      assert.equal(local.has(posts[visibility]), expected, `${reader}: ${visibility} in the local timeline`);
      assert.equal(tag.has(posts[visibility]), expected, `${reader}: ${visibility} in the hashtag timeline`);
    }
  }
});

test("home timelines and notifications reach exactly the audience", async () => {
  const home = {
    author: ids((await get("author", "/api/v1/timelines/home?limit=40")).body),
    follower: ids((await get("follower", "/api/v1/timelines/home?limit=40")).body),
    mentioned: ids((await get("mentioned", "/api/v1/timelines/home?limit=40")).body),
    stranger: ids((await get("stranger", "/api/v1/timelines/home?limit=40")).body),
    blocked: ids((await get("blocked", "/api/v1/timelines/home?limit=40")).body),
  };
  for (const visibility of VISIBILITIES) {
    assert.equal(home.author.has(posts[visibility]), true, `author's home has the ${visibility} post`);
    assert.equal(home.follower.has(posts[visibility]), visibility !== "direct", `follower's home and the ${visibility} post`);
    assert.equal(home.mentioned.has(posts[visibility]), visibility === "direct", `mentioned non-follower's home and the ${visibility} post`);
    assert.equal(home.stranger.has(posts[visibility]), false);
    assert.equal(home.blocked.has(posts[visibility]), false);
  }
  const mentionedNotes = (await get("mentioned", "/api/v1/notifications?types[]=mention&limit=40")).body as { status: { id: string } }[];
  const noted = new Set(mentionedNotes.map((n) => n.status.id));
  for (const visibility of VISIBILITIES) assert.equal(noted.has(posts[visibility]), visibility !== "direct", `mentioned is notified of the ${visibility} post`);
  // A direct mention from someone one does not follow waits as a notification request (Mastodon's
  // default for_private_mentions: filter): the direct post and the direct reply.
  const requests = (await get("mentioned", "/api/v1/notifications/requests")).body as { account: { id: string }; notifications_count: string }[];
  assert.deepEqual(requests.map((r) => [r.account.id, r.notifications_count]), [[users.author.id, "2"]]);
  const blockedNotes = (await get("blocked", "/api/v1/notifications?limit=40")).body as unknown[];
  assert.deepEqual(blockedNotes, []);
});

test("acting on a status needs to be able to read it; private and direct posts cannot be boosted", async () => {
  for (const visibility of VISIBILITIES) {
    for (const reader of ["follower", "mentioned", "stranger", "blocked"] as const) {
      const expected = allowed(visibility, reader);
      for (const action of ["favourite", "bookmark"]) {
        assert.equal((await post(reader, `/api/v1/statuses/${posts[visibility]}/${action}`)).status, expected ? 200 : 404, `${reader} ${action}s a ${visibility} post`);
      }
      const boost = await post(reader, `/api/v1/statuses/${posts[visibility]}/reblog`);
      const boostable = expected && (visibility === "public" || visibility === "unlisted");
      assert.equal(boost.status, boostable ? 200 : expected ? 403 : 404, `${reader} boosts a ${visibility} post`);
      const reply = await post(reader, "/api/v1/statuses", { status: "replying", in_reply_to_id: posts[visibility] });
      assert.equal(reply.status, expected ? 200 : 404, `${reader} replies to a ${visibility} post`);
    }
  }
  // A boost of a public post by the follower is seen by others, but never reveals a private one.
  const strangerHome = await get("stranger", `/api/v1/accounts/${users.follower.id}/statuses?limit=40`);
  for (const s of strangerHome.body as { reblog: { id: string } | null }[]) {
    if (s.reblog) assert.ok([posts.public, posts.unlisted].includes(s.reblog.id));
  }
});

test("losing follower status hides private posts again, bookmarks included", async () => {
  assert.equal((await get("follower", `/api/v1/statuses/${posts.private}`)).status, 200);
  assert.equal(ids((await get("follower", "/api/v1/bookmarks")).body).has(posts.private), true);
  await users.author.client.v1.accounts.$select(users.follower.id).removeFromFollowers();
  assert.equal((await get("follower", `/api/v1/statuses/${posts.private}`)).status, 404);
  assert.equal(ids((await get("follower", "/api/v1/bookmarks")).body).has(posts.private), false);
  assert.equal(ids((await get("follower", "/api/v1/favourites")).body).has(posts.private), false);
  assert.equal(ids((await get("follower", "/api/v1/timelines/home?limit=40")).body).has(posts.private), false);
});
