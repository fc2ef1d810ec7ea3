// Full-text search of posts (issue 15), end to end on one server: who finds what (Mastodon
// 4.2's opt-in and interaction rules), operators, CJK and German text, edits and deletes,
// blocks and opting out, accounts and hashtags ranking, paging, signed-out rules,
// `./skein search reindex`, and indexing after the commit (a post is findable a moment after it is
// posted; what a crash left pending is indexed; a status deleted first is dropped). Every answer is
// checked against the Mastodon contract.
import { test } from "node:test";
import assert from "node:assert/strict";
import { databaseKind, startServer, type TestServer } from "../support/server.ts";
import type { TestUser } from "../support/clients.ts";
import { contractCheckedServer } from "../support/e2e.ts";
import { apiCaller } from "../support/api.ts";
import { queryRows } from "../support/server-db.ts";
import { mediaFixtures } from "../support/media-uploads.ts";

let server: TestServer;
let alice: TestUser; // opted in (indexable)
let bob: TestUser; // did not opt in
let carol: TestUser; // a reader
let dave: TestUser; // a stranger
const api = apiCaller(() => server.url);
const media = mediaFixtures(() => server);

contractCheckedServer(["alice", "bob", "carol", "dave"], async ({ server: s, users }) => {
  server = s;
  ({ alice, bob, carol, dave } = users);
  assert.equal((await api(alice, "PATCH", "/api/v1/accounts/update_credentials", { indexable: true })).status, 200);
  // Posts here link to example.com: no preview is fetched (nothing leaves the machine).
}, { env: { PREVIEW_CARDS: "false" } });

async function post(user: TestUser, body: Record<string, unknown>): Promise<{ id: string; uri: string }> {
  const res = await api(user, "POST", "/api/v1/statuses", body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

/**
 * Posts are indexed a moment after they are written (domain/search/indexer.ts): waits until
 * nothing written so far is still waiting, so that what a search does not find is really left out.
 */
async function untilIndexed(): Promise<void> {
  // What no nudge announced (a crash's leftovers) waits for the sweep's interval: 5 s where processes signal each other.
  const deadline = Date.now() + 30_000;
  while ((await queryRows(server, "select status_id from status_search_pending")).length > 0) {
    if (Date.now() > deadline) throw new Error("posts were still waiting to be indexed after 30 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Ids of the statuses `user` (null: signed out) finds for `q`, once what was posted before is indexed. */
async function found(user: TestUser | null, q: string, extra = ""): Promise<string[]> {
  await untilIndexed();
  return foundNow(user, q, extra);
}

/** The same, without waiting. */
async function foundNow(user: TestUser | null, q: string, extra = ""): Promise<string[]> {
  const res = await api(user as TestUser, "GET", `/api/v2/search?type=statuses&q=${encodeURIComponent(q)}${extra}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.statuses.map((s: { id: string }) => s.id);
}

const sorted = (ids: string[]) => [...ids].sort();

test("an author finds their own words; anyone finds public posts of an account that opted in, and only those", async () => {
  const mine = await post(bob, { status: "Quokkas are wonderfully photogenic" });
  assert.deepEqual(await found(bob, "quokkas"), [mine.id]);
  assert.deepEqual(await found(carol, "quokkas"), [], "bob did not opt in");
  const open = await post(alice, { status: "Wombats dig burrows with their claws" });
  const unlisted = await post(alice, { status: "Wombats sleep all day", visibility: "unlisted" });
  const followers = await post(alice, { status: "Wombats secret diary", visibility: "private" });
  assert.deepEqual(await found(carol, "wombats"), [open.id], "only public posts of opted-in accounts");
  assert.deepEqual(sorted(await found(alice, "wombats")), sorted([open.id, unlisted.id, followers.id]), "the author finds all of theirs");
  assert.deepEqual(await found(null, "wombats"), [], "no full-text search signed out");
  // masto.js reads the same answer.
  const viaClient = await carol.client.v2.search.list({ q: "burrows", type: "statuses" });
  assert.deepEqual(viaClient.statuses.map((s) => s.id), [open.id]);
});

test("posts of an account that did not opt in are found by those who favourited, bookmarked, boosted, replied to, voted in or were mentioned in them", async () => {
  const faved = await post(bob, { status: "Pangolin one is scaly" });
  const bookmarked = await post(bob, { status: "Pangolin two is shy" });
  const boosted = await post(bob, { status: "Pangolin three is nocturnal" });
  const replied = await post(bob, { status: "Pangolin four eats ants" });
  const mentioning = await post(bob, { status: "@carol Pangolin five says hello" });
  const direct = await post(bob, { status: "@carol Pangolin six, between us", visibility: "direct" });
  const poll = (await api(bob, "POST", "/api/v1/statuses", { status: "Pangolin seven: ants or termites?", poll: { options: ["ants", "termites"], expires_in: 3600 } })).body;
  assert.deepEqual(sorted(await found(carol, "pangolin")), sorted([mentioning.id, direct.id]), "before any interaction: only where she is mentioned");
  assert.equal((await api(carol, "POST", `/api/v1/statuses/${faved.id}/favourite`)).status, 200);
  assert.equal((await api(carol, "POST", `/api/v1/statuses/${bookmarked.id}/bookmark`)).status, 200);
  assert.equal((await api(carol, "POST", `/api/v1/statuses/${boosted.id}/reblog`)).status, 200);
  await post(carol, { status: "Nice!", in_reply_to_id: replied.id });
  assert.equal((await api(carol, "POST", `/api/v1/polls/${poll.poll.id}/votes`, { choices: [1] })).status, 200);
  assert.deepEqual(sorted(await found(carol, "pangolin")), sorted([faved.id, bookmarked.id, boosted.id, replied.id, mentioning.id, direct.id, poll.id]));
  assert.deepEqual(sorted(await found(carol, "pangolin", "&limit=40")), sorted(await found(carol, "pangolin in:library", "&limit=40")), "all of them are her library");
  assert.deepEqual(await found(carol, "pangolin in:public"), [], "none is public for search");
  assert.deepEqual(await found(dave, "pangolin"), [], "a stranger finds none, the direct message least of all");
  // A boost is not a document of its own: the booster's search shows the original once.
  assert.equal((await found(carol, "nocturnal")).length, 1);
});

test("a followers-only post is found by its author and mentioned readers, never by a stranger or a follower who did not interact", async () => {
  assert.equal((await api(carol, "POST", `/api/v1/accounts/${alice.id}/follow`)).status, 200);
  const privatePost = await post(alice, { status: "Capybara gathering for followers", visibility: "private" });
  const mentioned = await post(alice, { status: "@dave Capybara invitation", visibility: "private" });
  assert.deepEqual(sorted(await found(alice, "capybara")), sorted([privatePost.id, mentioned.id]));
  assert.deepEqual(await found(carol, "capybara"), [], "following is not interacting");
  assert.deepEqual(await found(dave, "capybara"), [mentioned.id]);
  assert.equal((await api(carol, "POST", `/api/v1/statuses/${privatePost.id}/favourite`)).status, 200);
  assert.deepEqual(await found(carol, "capybara"), [privatePost.id], "favourited by a follower who may read it");
  // Unfollowed: she may no longer read it, so she no longer finds it.
  assert.equal((await api(carol, "POST", `/api/v1/accounts/${alice.id}/unfollow`)).status, 200);
  assert.deepEqual(await found(carol, "capybara"), []);
});

/** Polls until `user` finds exactly `ids` for `q` (a post is indexed a moment after it is written), or fails after 30 s. */
async function untilFound(user: TestUser, q: string, ids: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = await foundNow(user, q);
    if (JSON.stringify(sorted(now)) === JSON.stringify(sorted(ids))) return;
    if (Date.now() > deadline) assert.deepEqual(sorted(now), sorted(ids), `found for ${q} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("a post is found a moment after it is posted; what a crash left waiting is indexed by the sweep; a status deleted before its turn is dropped", async () => {
  const status = await post(alice, { status: "Echidnas lay eggs" });
  await untilFound(carol, "echidnas", [status.id]);

  // The post's transaction committed but its process died before indexing it: the index has no
  // row and its id waits in status_search_pending, where no nudge of this server put it.
  await queryRows(server, "delete from status_search where status_id = ?", [status.id]);
  assert.deepEqual(await foundNow(carol, "echidnas"), []);
  await queryRows(server, "insert into status_search_pending (status_id, queued_at) values (?, ?)", [status.id, new Date().toISOString()]);
  await untilFound(carol, "echidnas", [status.id]);

  // Waiting ids of statuses that are gone (one deleted right after posting, one never there) are
  // dropped, and indexing goes on for what comes after them.
  const gone = await post(alice, { status: "Echidnas vanish" });
  assert.equal((await api(alice, "DELETE", `/api/v1/statuses/${gone.id}`)).status, 200);
  await queryRows(server, "insert into status_search_pending (status_id, queued_at) values (?, ?)", ["1", new Date().toISOString()]);
  await untilIndexed();
  assert.deepEqual(await queryRows(server, "select status_id from status_search where status_id in (?, ?)", [gone.id, "1"]), []);
  const later = await post(alice, { status: "Echidnas again" });
  await untilFound(carol, "echidnas", [status.id, later.id]);
});

test("posts in a burst are all found, and one posted right after them too, within seconds", async () => {
  // A sweep that finds 10 or more posts waiting gathers the next ones for up to a second
  // (domain/search/indexer.ts): the post after the burst waits for it, and is still found.
  const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => post(alice, { status: `Numbats forage at dusk, ${i}` })));
  const last = await post(alice, { status: "Numbats and quolls" });
  await untilFound(carol, "quolls", [last.id]);
  await untilIndexed();
  assert.deepEqual(sorted(await foundNow(carol, "numbats", "&limit=40")), sorted([...burst.map((s) => s.id), last.id]));
});

test("edits re-index and deletes remove", async () => {
  const status = await post(alice, { status: "The axolotl regrows limbs" });
  assert.deepEqual(await found(carol, "axolotl"), [status.id]);
  const edited = await api(alice, "PUT", `/api/v1/statuses/${status.id}`, { status: "The salamander regrows limbs" });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  assert.deepEqual(await found(carol, "axolotl"), []);
  assert.deepEqual(await found(carol, "salamander"), [status.id]);
  assert.equal((await api(alice, "DELETE", `/api/v1/statuses/${status.id}`)).status, 200);
  assert.deepEqual(await found(carol, "salamander"), []);
  assert.deepEqual(await queryRows(server, "select status_id from status_search where status_id = ?", [status.id]), [], "the index row went with the post");
});

test("operators: from, has, is, language, in, dates, phrases and exclusions", async () => {
  const plain = await post(alice, { status: "Narwhal tusks are teeth", language: "en" });
  const reply = await post(alice, { status: "Narwhal pods travel together", in_reply_to_id: plain.id, language: "en" });
  const sensitive = await post(alice, { status: "Narwhal facts", spoiler_text: "teeth talk", language: "en" });
  const poll = await post(alice, { status: "Narwhal or unicorn?", poll: { options: ["narwhal", "unicorn"], expires_in: 3600 } });
  const link = await post(alice, { status: "Narwhal article https://example.com/narwhals", language: "en" });
  const german = await post(alice, { status: "Der Narwhal schwimmt unter dem Eis", language: "de" });
  const upload = await media.upload(alice, 2, { file: media.blob(await media.photo(64, 48, "png"), "image/png"), description: "a narwhal drawing" });
  assert.ok(upload.status === 200 || upload.status === 202, JSON.stringify(upload.body));
  const withMedia = await post(alice, { status: "Look at this", media_ids: [(await media.untilProcessed(alice, upload.body.id)).id] });
  const bobs = await post(bob, { status: "Narwhal sighting by bob" });
  const all = [plain, reply, sensitive, poll, link, german, withMedia].map((s) => s.id);

  assert.deepEqual(sorted(await found(carol, "narwhal", "&limit=40")), sorted(all), "media descriptions are searched too");
  assert.deepEqual(await found(bob, "narwhal from:me"), [bobs.id]);
  assert.deepEqual(sorted(await found(bob, "narwhal from:alice", "&limit=40")), sorted(all));
  assert.deepEqual(sorted(await found(bob, `narwhal -from:@alice@${new URL(server.url).host}`, "&limit=40")), [bobs.id]);
  assert.deepEqual(await found(bob, "narwhal from:nobody"), [], "an unknown author matches nothing");
  assert.deepEqual(await found(carol, "narwhal is:reply"), [reply.id]);
  assert.deepEqual(await found(carol, "narwhal is:sensitive"), [sensitive.id]);
  assert.deepEqual(await found(carol, "narwhal has:poll"), [poll.id]);
  assert.deepEqual(await found(carol, "narwhal has:link"), [link.id]);
  assert.deepEqual(await found(carol, "narwhal has:media"), [withMedia.id]);
  assert.deepEqual(await found(carol, "narwhal has:embed"), [], "no post has a video preview yet");
  // The link's page turns out to be a video (as domain/cards would store it).
  const now = new Date().toISOString();
  await queryRows(server, `insert into preview_cards (id, url, state, type, title, description, author_name, author_url, provider_name, provider_url, html, width, height, image_description, embed_url, created_at, updated_at)
    values (?, ?, 'ready', 'video', 'Narwhals', '', '', '', '', '', '', 640, 360, '', '', ?, ?)`, ["4242", "https://example.com/narwhals", now, now]);
  await queryRows(server, "insert into status_cards (status_id, card_id, created_at) values (?, ?, ?)", [link.id, "4242", now]);
  assert.deepEqual(await found(carol, "narwhal has:embed"), [link.id]);
  assert.deepEqual(await found(carol, "narwhal language:de"), [german.id]);
  assert.equal((await found(carol, "narwhal -language:de", "&limit=40")).includes(german.id), false);
  assert.equal((await found(carol, "narwhal -has:media -is:reply", "&limit=40")).some((id) => id === withMedia.id || id === reply.id), false);
  assert.deepEqual(await found(carol, '"tusks are teeth"'), [plain.id]);
  assert.deepEqual(await found(carol, '"teeth are tusks"'), [], "a phrase keeps its order");
  assert.deepEqual(await found(carol, "narwhal teeth -tusks"), [sensitive.id], "an exclusion removes a match; a content warning is searched");
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  assert.deepEqual(await found(carol, `narwhal tusks during:${today}`), [plain.id]);
  assert.deepEqual(await found(carol, `narwhal tusks after:${yesterday} before:${tomorrow}`), [plain.id]);
  assert.deepEqual(await found(carol, `narwhal tusks before:${today}`), []);
  assert.deepEqual(await found(carol, `narwhal tusks after:${today}`), []);
  assert.deepEqual(await found(carol, "narwhal before:someday"), [], "a date that is not one matches nothing");
  // Filters alone, without words.
  assert.deepEqual(await found(dave, "from:me has:poll"), []);
  assert.deepEqual(await found(alice, "from:me has:poll"), [poll.id]);
  // English stems on both databases: "travelling" finds "travel".
  assert.deepEqual(await found(carol, "narwhal travelling"), [reply.id]);

  // Paging: limit, offset, max_id/min_id, account_id.
  const first = await found(carol, "narwhal", "&limit=3");
  const second = await found(carol, "narwhal", "&limit=3&offset=3");
  assert.equal(first.length, 3);
  assert.equal(second.length, 3);
  assert.equal(first.some((id) => second.includes(id)), false, "pages do not overlap");
  const middle = sorted(all)[3]!;
  const older = await found(carol, "narwhal", `&limit=40&max_id=${middle}`);
  assert.ok(older.length > 0 && older.every((id) => BigInt(id) < BigInt(middle)));
  assert.ok((await found(carol, "narwhal", `&limit=40&min_id=${middle}`)).every((id) => BigInt(id) > BigInt(middle)));
  assert.deepEqual(await found(alice, "narwhal", `&account_id=${bob.id}`), [], "bob did not opt in and alice did not interact");
  assert.deepEqual(await found(bob, "narwhal", `&account_id=${bob.id}`), [bobs.id]);
});

test("Japanese (two-character words, one-character prefixes) and German text", async () => {
  const tokyo = await post(alice, { status: "東京都に住んでいます。", language: "ja" });
  const cat = await post(alice, { status: "猫が好きです", language: "ja" });
  const korean = await post(alice, { status: "서울특별시에서 만나요", language: "ko" });
  const german = await post(alice, { status: "Die Straßenbahn fährt über die Brücken", language: "de" });
  assert.deepEqual(await found(carol, "東京"), [tokyo.id], "a two-character word");
  assert.deepEqual(await found(carol, "東京都"), [tokyo.id]);
  assert.deepEqual(await found(carol, "住んで"), [tokyo.id]);
  assert.deepEqual(await found(carol, "大阪"), []);
  assert.deepEqual(await found(carol, "猫"), [cat.id], "a one-character word");
  assert.deepEqual(await found(carol, "서울"), [korean.id]);
  assert.deepEqual(await found(carol, "straßenbahn"), [german.id]);
  assert.deepEqual(await found(carol, "Brücken fährt"), [german.id]);
  if (databaseKind === "postgres") {
    // PostgreSQL stems by the post's language: the German "Brücke" finds "Brücken".
    assert.deepEqual(await found(carol, "brücke language:de"), [german.id]);
  }
});

test("blocks, mutes and domain blocks hide an author; opting out removes their posts from others' results at once", async () => {
  const status = await post(alice, { status: "Okapi in the forest" });
  assert.deepEqual(await found(dave, "okapi"), [status.id]);
  assert.equal((await api(dave, "POST", `/api/v1/accounts/${alice.id}/block`)).status, 200);
  assert.deepEqual(await found(dave, "okapi"), [], "dave blocked alice");
  assert.equal((await api(dave, "POST", `/api/v1/accounts/${alice.id}/unblock`)).status, 200);
  assert.equal((await api(alice, "POST", `/api/v1/accounts/${dave.id}/block`)).status, 200);
  assert.deepEqual(await found(dave, "okapi"), [], "alice blocked dave");
  assert.equal((await api(alice, "POST", `/api/v1/accounts/${dave.id}/unblock`)).status, 200);
  assert.equal((await api(dave, "POST", `/api/v1/accounts/${alice.id}/mute`)).status, 200);
  assert.deepEqual(await found(dave, "okapi"), [], "dave muted alice");
  assert.equal((await api(dave, "POST", `/api/v1/accounts/${alice.id}/unmute`)).status, 200);
  assert.deepEqual(await found(dave, "okapi"), [status.id]);

  assert.equal((await api(alice, "PATCH", "/api/v1/accounts/update_credentials", { indexable: false })).status, 200);
  assert.deepEqual(await found(dave, "okapi"), [], "alice opted out");
  assert.deepEqual(await found(alice, "okapi"), [status.id], "she still finds her own");
  assert.equal((await api(alice, "PATCH", "/api/v1/accounts/update_credentials", { indexable: true })).status, 200);
  assert.deepEqual(await found(dave, "okapi"), [status.id]);
});

test("accounts: exact username first, then followed, then local, then by followers; hashtags: exact, then most used", async () => {
  for (const [user, name] of [[alice, "Rankly Alice"], [bob, "Rankly Bob"], [dave, "Rankly Dave"]] as const) {
    assert.equal((await api(user, "PATCH", "/api/v1/accounts/update_credentials", { display_name: name })).status, 200);
  }
  const accounts = async (user: TestUser, q: string, extra = "") => {
    const res = await api(user, "GET", `/api/v2/search?type=accounts&q=${encodeURIComponent(q)}${extra}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.accounts.map((a: { username: string }) => a.username);
  };
  assert.equal((await api(carol, "POST", `/api/v1/accounts/${dave.id}/follow`)).status, 200);
  assert.equal((await api(alice, "POST", `/api/v1/accounts/${bob.id}/follow`)).status, 200);
  assert.deepEqual(await accounts(carol, "rankly"), ["dave", "bob", "alice"], "followed first, then more followers");
  assert.deepEqual(await accounts(carol, "rankly", "&following=true"), ["dave"]);
  assert.deepEqual(await accounts(carol, "bo"), ["bob"], "a prefix of the username");
  assert.deepEqual(await accounts(carol, "ankly"), [], "prefixes, not substrings");
  assert.deepEqual(await accounts(carol, "alice"), ["alice"]);
  assert.equal((await api(dave, "POST", `/api/v1/accounts/${carol.id}/block`)).status, 200);
  assert.equal((await accounts(carol, "rankly")).includes("dave"), false, "an account blocking the reader is not shown");
  assert.equal((await api(dave, "POST", `/api/v1/accounts/${carol.id}/unblock`)).status, 200);

  await post(bob, { status: "#searchtagx once" });
  for (let i = 0; i < 3; i++) await post(bob, { status: `#searchtagxyz number ${i}` });
  const hashtags = async (q: string) => (await api(carol, "GET", `/api/v2/search?type=hashtags&q=${encodeURIComponent(q)}`)).body.hashtags.map((t: { name: string }) => t.name);
  assert.deepEqual(await hashtags("searchtag"), ["searchtagxyz", "searchtagx"], "the more used first");
  assert.deepEqual(await hashtags("#searchtagx"), ["searchtagx", "searchtagxyz"], "an exact name first");
});

test("signed out: paging and resolving need a token (401), as on Mastodon", async () => {
  const paged = await api(null as unknown as TestUser, "GET", "/api/v2/search?q=alice&offset=1");
  assert.equal(paged.status, 401);
  assert.equal(paged.body.error, "Search queries pagination is not supported without authentication");
  const resolving = await api(null as unknown as TestUser, "GET", "/api/v2/search?q=alice&resolve=true");
  assert.equal(resolving.status, 401);
  const accounts = await api(null as unknown as TestUser, "GET", "/api/v2/search?q=alice&type=accounts");
  assert.deepEqual(accounts.body.accounts.map((a: { username: string }) => a.username), ["alice"], "accounts are found signed out");
});

test("two server processes on one PostgreSQL database drain a backlog together: every post is found again", { skip: databaseKind !== "postgres" && "PostgreSQL only (one process per SQLite file)" }, async () => {
  const second = await startServer({ sameDatabaseAs: server });
  try {
    const quolls: string[] = [];
    for (let i = 0; i < 3; i++) quolls.push((await post(alice, { status: `Quoll number ${i}` })).id);
    await untilIndexed();
    // A backlog neither process queued (as a crash, or a re-queue of everything, leaves it): every
    // post, and thousands of ids of statuses that are gone, so that both sweeps claim batches at once.
    await queryRows(server, "delete from status_search");
    await queryRows(server, `insert into status_search_pending (status_id, queued_at)
      select id, ? from statuses where reblog_of_id is null
      union all select g, ? from generate_series(1, 4000) g`, [new Date().toISOString(), new Date().toISOString()]);
    await untilIndexed();
    assert.deepEqual(sorted(await found(carol, "quoll")), sorted(quolls));
    const [counts] = await queryRows(server, "select (select count(*) from status_search) as indexed, (select count(*) from statuses where reblog_of_id is null) as statuses");
    assert.equal(counts!.indexed, counts!.statuses, "every post is indexed again");
  } finally {
    await second.stop();
  }
});

test("./skein search reindex rebuilds the index beside the running server", async () => {
  const status = await post(alice, { status: "Tapir tracks by the river" });
  await untilIndexed();
  await queryRows(server, "delete from status_search");
  assert.deepEqual(await found(carol, "tapir"), [], "the index was emptied");
  const result = await server.cli(["search", "reindex", "--batch-size", "7"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Indexed \d+ posts in/);
  assert.deepEqual(await found(carol, "tapir"), [status.id]);
  assert.deepEqual(await found(carol, "okapi"), (await found(alice, "okapi in:public")), "older posts are back too");
});
