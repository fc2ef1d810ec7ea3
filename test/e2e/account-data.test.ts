// Export and import of account data, end to end over two Skein servers on HTTPS: alice on a.test
// follows, blocks, mutes, blocks a domain, bookmarks and keeps a list; her CSV files (Mastodon's
// formats, byte for byte) are imported by erin on b.test, whose server resolves the accounts on
// a.test over WebFinger — and erin ends up with the same relationships. Also: overwrite mode,
// what a bad upload gets (422), the CLI (./skein export, ./skein import --wait), the settings
// pages behind a web session, and the archive (built in the background, downloadable, a .tar.gz
// holding the actor and the public posts as Create activities; one a week).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { Browser, readForm } from "../support/browser.ts";

// Addresses of this file's servers (127.0.0.210/211); other files use other ranges.
const FIRST_ADDRESS = 210;

let fleet: Fleet;
let alice: TestUser; // a.test: the one who exports
let bob: TestUser; // a.test
let carol: TestUser; // a.test
let mallory: TestUser; // a.test: blocked
let oscar: TestUser; // a.test: muted
let dave: TestUser; // b.test: alice follows him from a.test; local to erin
let erin: TestUser; // b.test: the one who imports
const contracts: ContractLog[] = [];
const files: Record<string, string> = {};
let bobPost: { id: string; uri: string };
let alicePublic: { uri: string };
let alicePrivate: { uri: string };

async function api(user: TestUser | null, server: string, path: string, init: RequestInit = {}) {
  const headers: Record<string, string> = { ...(user ? { Authorization: `Bearer ${user.token}` } : {}) };
  if (typeof init.body === "string") headers["Content-Type"] = "application/json";
  const response = await fetch(`https://${server}${path}`, { ...init, headers: { ...headers, ...((init.headers as Record<string, string>) ?? {}) } });
  const text = await response.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* CSV or HTML */
  }
  return { status: response.status, headers: response.headers, body };
}

async function idOn(user: TestUser, server: string, handle: string): Promise<string> {
  const found = await api(user, server, `/api/v1/accounts/lookup?acct=${encodeURIComponent(handle)}`);
  assert.equal(found.status, 200, `lookup of ${handle} on ${server}: ${JSON.stringify(found.body)}`);
  return found.body.id;
}

async function relationship(user: TestUser, server: string, id: string) {
  return (await api(user, server, `/api/v1/accounts/relationships?id[]=${id}`)).body[0];
}

async function upload(user: TestUser, server: string, type: string, csv: string, mode = "merge", filename = `${type}.csv`) {
  const form = new FormData();
  form.set("type", type);
  form.set("mode", mode);
  form.set("data", new Blob([csv], { type: "text/csv" }), filename);
  return api(user, server, "/api/v1/skein/imports", { method: "POST", body: form });
}

/** Uploads and waits for the import job to finish; returns the finished import. */
async function importAndWait(user: TestUser, server: string, type: string, csv: string, mode = "merge") {
  const created = await upload(user, server, type, csv, mode);
  assert.equal(created.status, 200, JSON.stringify(created.body));
  assert.equal(created.body.state, "queued");
  return eventually(async () => {
    const got = await api(user, server, `/api/v1/skein/imports/${created.body.id}`);
    return got.body.state === "finished" ? got.body : null;
  }, 90_000, `the ${type} import to finish`);
}

/** The files of a tar archive (ustar, regular files). */
function untar(bytes: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (let offset = 0; offset + 512 <= bytes.length; ) {
    const header = bytes.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(header.subarray(124, 136).toString("utf8").replace(/\0.*$/s, "").trim(), 8);
    out.set(name, bytes.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

before(async () => {
  fleet = await startFleet(["a.test", "b.test"], { firstAddress: FIRST_ADDRESS });
  for (const name of ["a.test", "b.test"]) contracts.push(installContractCheck(fleet.servers[name].url));
  const a = fleet.servers["a.test"];
  alice = await signUp(a, "alice");
  bob = await signUp(a, "bob");
  carol = await signUp(a, "carol");
  mallory = await signUp(a, "mallory");
  oscar = await signUp(a, "oscar");
  dave = await signUp(fleet.servers["b.test"], "dave");
  erin = await signUp(fleet.servers["b.test"], "erin");

  // alice: follows bob (notify on), carol (boosts off) and dave@b.test; blocks mallory; mutes
  // oscar (notifications shown); blocks a domain; bookmarks bob's post; lists bob and carol.
  assert.equal((await api(alice, "a.test", `/api/v1/accounts/${bob.id}/follow`, { method: "POST", body: JSON.stringify({ notify: true }) })).status, 200);
  assert.equal((await api(alice, "a.test", `/api/v1/accounts/${carol.id}/follow`, { method: "POST", body: JSON.stringify({ reblogs: false }) })).status, 200);
  const daveOnA = await idOn(alice, "a.test", "dave@b.test");
  assert.equal((await api(alice, "a.test", `/api/v1/accounts/${daveOnA}/follow`, { method: "POST" })).status, 200);
  await eventually(async () => (await relationship(alice, "a.test", daveOnA))?.following, 30_000, "alice following dave");
  assert.equal((await api(alice, "a.test", `/api/v1/accounts/${mallory.id}/block`, { method: "POST" })).status, 200);
  assert.equal((await api(alice, "a.test", `/api/v1/accounts/${oscar.id}/mute`, { method: "POST", body: JSON.stringify({ notifications: false }) })).status, 200);
  assert.equal((await api(alice, "a.test", "/api/v1/domain_blocks", { method: "POST", body: JSON.stringify({ domain: "Spam.Example" }) })).status, 200);
  const posted = await api(bob, "a.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "bob's post, worth keeping", visibility: "public" }) });
  bobPost = { id: posted.body.id, uri: posted.body.uri };
  assert.equal((await api(alice, "a.test", `/api/v1/statuses/${bobPost.id}/bookmark`, { method: "POST" })).status, 200);
  const list = await api(alice, "a.test", "/api/v1/lists", { method: "POST", body: JSON.stringify({ title: "Friends, close" }) });
  assert.equal((await api(alice, "a.test", `/api/v1/lists/${list.body.id}/accounts`, { method: "POST", body: JSON.stringify({ account_ids: [bob.id, carol.id] }) })).status, 200);
  alicePublic = (await api(alice, "a.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "alice in public", visibility: "public" }) })).body;
  alicePrivate = (await api(alice, "a.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "alice, followers only", visibility: "private" }) })).body;
  assert.equal((await api(alice, "a.test", `/api/v1/statuses/${bobPost.id}/favourite`, { method: "POST" })).status, 200);
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

test("export: the CSV files read as Mastodon writes them", async () => {
  for (const name of ["following_accounts", "follower_accounts", "lists", "blocked_accounts", "muted_accounts", "blocked_domains", "bookmarks"]) {
    const res = await api(alice, "a.test", `/settings/exports/${name}.csv`);
    assert.equal(res.status, 200, `${name}: ${res.body}`);
    assert.match(res.headers.get("content-type") ?? "", /^text\/csv/);
    assert.match(res.headers.get("content-disposition") ?? "", new RegExp(`attachment; filename="${name}.csv"`));
    files[name] = res.body;
  }
  // Newest first, as Mastodon orders them; local accounts with this server's domain.
  assert.equal(files.following_accounts, "Account address,Show boosts,Notify on new posts,Languages\ndave@b.test,true,false,\ncarol@a.test,false,false,\nbob@a.test,true,true,\n");
  assert.equal(files.follower_accounts, "Account address\n");
  assert.equal(files.blocked_accounts, "mallory@a.test\n");
  assert.equal(files.muted_accounts, "Account address,Hide notifications\noscar@a.test,false\n");
  assert.equal(files.blocked_domains, "spam.example\n");
  assert.equal(files.bookmarks, `${bobPost.uri}\n`);
  assert.equal(files.lists, '"Friends, close",bob@a.test\n"Friends, close",carol@a.test\n');

  // Someone else's token or none: nothing.
  assert.equal((await api(null, "a.test", "/settings/exports/following_accounts.csv")).status, 401);
  assert.equal((await api(alice, "a.test", "/settings/exports/passwords.csv")).status, 404);
  const bobs = await api(bob, "a.test", "/settings/exports/following_accounts.csv");
  assert.equal(bobs.body, "Account address,Show boosts,Notify on new posts,Languages\n");
});

test("import on another server: erin on b.test ends up with alice's relationships", async () => {
  const following = await importAndWait(erin, "b.test", "following", files.following_accounts);
  assert.deepEqual([following.total_rows, following.processed_rows, following.imported_rows, following.failed_rows], [3, 3, 3, 0]);
  const bobOnB = await idOn(erin, "b.test", "bob@a.test");
  const carolOnB = await idOn(erin, "b.test", "carol@a.test");
  // dave@b.test is erin's neighbour: followed locally, at once.
  const daveRel = await relationship(erin, "b.test", dave.id);
  assert.equal(daveRel.following, true);
  const bobRel = await eventually(async () => {
    const r = await relationship(erin, "b.test", bobOnB);
    return r?.following ? r : null;
  }, 30_000, "a.test accepting erin's follow of bob");
  assert.equal(bobRel.notifying, true);
  assert.equal(bobRel.showing_reblogs, true);
  const carolRel = await eventually(async () => {
    const r = await relationship(erin, "b.test", carolOnB);
    return r?.following ? r : null;
  }, 30_000, "a.test accepting erin's follow of carol");
  assert.equal(carolRel.showing_reblogs, false);

  const blocks = await importAndWait(erin, "b.test", "blocks", files.blocked_accounts);
  assert.equal(blocks.imported_rows, 1);
  assert.equal((await relationship(erin, "b.test", await idOn(erin, "b.test", "mallory@a.test"))).blocking, true);

  await importAndWait(erin, "b.test", "mutes", files.muted_accounts);
  const oscarRel = await relationship(erin, "b.test", await idOn(erin, "b.test", "oscar@a.test"));
  assert.equal(oscarRel.muting, true);
  assert.equal(oscarRel.muting_notifications, false);

  await importAndWait(erin, "b.test", "domain_blocks", files.blocked_domains);
  assert.deepEqual((await api(erin, "b.test", "/api/v1/domain_blocks")).body, ["spam.example"]);

  const bookmarks = await importAndWait(erin, "b.test", "bookmarks", files.bookmarks);
  assert.equal(bookmarks.imported_rows, 1);
  const saved = await api(erin, "b.test", "/api/v1/bookmarks");
  assert.deepEqual(saved.body.map((s: { uri: string }) => s.uri), [bobPost.uri]);

  const lists = await importAndWait(erin, "b.test", "lists", files.lists);
  assert.equal(lists.imported_rows, 2, JSON.stringify(lists));
  const erinLists = (await api(erin, "b.test", "/api/v1/lists")).body;
  assert.deepEqual(erinLists.map((l: { title: string }) => l.title), ["Friends, close"]);
  const members = (await api(erin, "b.test", `/api/v1/lists/${erinLists[0].id}/accounts`)).body;
  assert.deepEqual(members.map((a: { acct: string }) => a.acct).sort(), ["bob@a.test", "carol@a.test"]);

  // And her own export now says what alice's did (her follows, with b.test's point of view).
  const erinFollowing = (await api(erin, "b.test", "/settings/exports/following_accounts.csv")).body as string;
  assert.deepEqual(erinFollowing.trim().split("\n").slice(1).sort(), ["bob@a.test,true,true,", "carol@a.test,false,false,", "dave@b.test,true,false,"]);
});

test("import: unknown accounts fail alone; overwrite replaces; bad uploads are refused", async () => {
  const mixed = await importAndWait(erin, "b.test", "blocks", "nobody@a.test\nmallory@a.test\n@ghost@nowhere.invalid\n");
  assert.deepEqual([mixed.total_rows, mixed.imported_rows, mixed.failed_rows], [3, 1, 2]);

  // Overwrite: oscar (no longer in the file) is unmuted, bob muted.
  await importAndWait(erin, "b.test", "mutes", "Account address,Hide notifications\nbob@a.test,true\n", "overwrite");
  assert.equal((await relationship(erin, "b.test", await idOn(erin, "b.test", "oscar@a.test"))).muting, false);
  const bobRel = await relationship(erin, "b.test", await idOn(erin, "b.test", "bob@a.test"));
  assert.equal(bobRel.muting, true);
  assert.equal(bobRel.muting_notifications, true);

  const badType = await upload(erin, "b.test", "passwords", "x\n");
  assert.equal(badType.status, 422);
  assert.match(badType.body.error, /type/);
  // A file whose header names other columns than the type needs (follows uploaded as domain blocks).
  const wrongFile = await upload(erin, "b.test", "domain_blocks", files.following_accounts);
  assert.equal(wrongFile.status, 422, JSON.stringify(wrongFile.body));
  const brokenCsv = await upload(erin, "b.test", "blocks", '"unclosed@a.test\n');
  assert.equal(brokenCsv.status, 422);
  const empty = await upload(erin, "b.test", "blocks", "");
  assert.equal(empty.status, 422);
  const tooMany = await upload(erin, "b.test", "blocks", Array.from({ length: 10_001 }, (_, i) => `user${i}@a.test`).join("\n"));
  assert.equal(tooMany.status, 422);
  assert.match(tooMany.body.error, /10000 rows/);
  const notUtf8 = await api(erin, "b.test", "/api/v1/skein/imports", {
    method: "POST",
    body: (() => {
      const form = new FormData();
      form.set("type", "blocks");
      form.set("data", new Blob([new Uint8Array([0xff, 0xfe, 0x00, 0x41])]), "x.csv");
      return form;
    })(),
  });
  assert.equal(notUtf8.status, 422);
  // A token that may not write blocks cannot import them.
  const readOnly = await api({ ...erin, token: (await signUp(fleet.servers["b.test"], "readonly", { scope: "read" })).token }, "b.test", "/api/v1/skein/imports", { method: "POST", body: new FormData() });
  assert.equal(readOnly.status, 403);
  // Someone else's import is not found.
  const someone = await signUp(fleet.servers["b.test"], "someone");
  const mine = (await api(erin, "b.test", "/api/v1/skein/imports")).body;
  assert.ok(mine.length >= 7);
  assert.equal((await api(someone, "b.test", `/api/v1/skein/imports/${mine[0].id}`)).status, 404);
});

test("CLI: ./skein export writes the files, ./skein import carries one out", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-export-"));
  try {
    const exported = await fleet.servers["a.test"].cli(["export", "alice", "--out", dir]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(fs.readFileSync(path.join(dir, "following_accounts.csv"), "utf8"), files.following_accounts);
    assert.equal(fs.readFileSync(path.join(dir, "blocked_domains.csv"), "utf8"), files.blocked_domains);
    fs.writeFileSync(path.join(dir, "more-domains.csv"), "#domain\nAds.Example\n");
    const imported = await fleet.servers["b.test"].cli(["import", "erin", path.join(dir, "more-domains.csv"), "--type", "domain_blocks", "--wait"]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /finished, 1 imported, 0 failed of 1/);
    assert.deepEqual((await api(erin, "b.test", "/api/v1/domain_blocks")).body.sort(), ["ads.example", "spam.example"]);
    const wrongType = await fleet.servers["b.test"].cli(["import", "erin", path.join(dir, "more-domains.csv"), "--type", "nope"]);
    assert.equal(wrongType.code, 2);
    const remote = await fleet.servers["b.test"].cli(["export", "bob@a.test"]);
    assert.equal(remote.code, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("settings pages: the web session sees its files and uploads an import", async () => {
  const browser = new Browser();
  // Signed out: sent to sign in, and brought back.
  const away = await browser.request("https://a.test/settings/export");
  assert.equal(away.status, 303);
  const signInUrl = new URL(away.headers.get("location")!, "https://a.test").toString();
  const signIn = readForm(await (await browser.request(signInUrl)).text());
  const signedIn = await browser.request(new URL(signIn.action, "https://a.test").toString(), { form: { ...signIn.fields, login: "carol", password: carol.password } });
  assert.equal(signedIn.status, 303);
  assert.equal(signedIn.headers.get("location"), "/settings/export");

  const exportPage = await browser.request("https://a.test/settings/export");
  assert.equal(exportPage.status, 200);
  const html = await exportPage.text();
  for (const name of ["following_accounts", "muted_accounts", "blocked_domains", "bookmarks", "lists"]) assert.ok(html.includes(`/settings/exports/${name}.csv`), name);
  const csv = await browser.request("https://a.test/settings/exports/follower_accounts.csv");
  assert.equal(csv.status, 200);
  // Her followers: erin (who imported alice's follows on b.test), then alice.
  assert.equal(await csv.text(), "Account address\nerin@b.test\nalice@a.test\n");

  const importPage = await browser.request("https://a.test/settings/import");
  assert.equal(importPage.status, 200);
  const pageHtml = await importPage.text();
  const token = /name="authenticity_token" value="([^"]+)"/.exec(pageHtml)![1];
  // The upload is a multipart form, as the page's form sends it.
  const form = new FormData();
  form.set("authenticity_token", token);
  form.set("type", "blocks");
  form.set("mode", "merge");
  form.set("data", new Blob(["mallory@a.test\n"]), "blocked_accounts.csv");
  const cookies = cookieHeader(browser);
  const posted = await fetch("https://a.test/settings/import", { method: "POST", body: form, headers: { Cookie: cookies, Accept: "text/html" }, redirect: "manual" });
  assert.equal(posted.status, 200, await posted.clone().text());
  assert.match(await posted.text(), /is being imported/);
  await eventually(async () => (await relationship(carol, "a.test", mallory.id))?.blocking, 30_000, "carol's web import of a block");
  const progress = await (await browser.request("https://a.test/settings/import")).text();
  assert.match(progress, /<td>finished<\/td><td>1 \/ 1<\/td><td>1<\/td><td>0<\/td>/);

  // Without the form's token: refused.
  const forged = new FormData();
  forged.set("type", "blocks");
  forged.set("data", new Blob(["alice@a.test\n"]), "x.csv");
  assert.equal((await fetch("https://a.test/settings/import", { method: "POST", body: forged, headers: { Cookie: cookies }, redirect: "manual" })).status, 403);
});

/** The cookies a Browser holds, for a multipart post it cannot send itself (its jar is private to TypeScript only). */
function cookieHeader(browser: Browser): string {
  const jar = (browser as unknown as { cookies: Map<string, string> }).cookies;
  return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
}

test("archive: built in the background, downloadable, once a week", async () => {
  const requested = await api(alice, "a.test", "/api/v1/skein/archives", { method: "POST" });
  assert.equal(requested.status, 200, JSON.stringify(requested.body));
  assert.equal(requested.body.state, "pending");
  const ready = await eventually(async () => {
    const list = (await api(alice, "a.test", "/api/v1/skein/archives")).body;
    return list[0]?.state === "ready" ? list[0] : null;
  }, 60_000, "the archive to be built");
  assert.ok(Date.parse(ready.expires_at) - Date.now() > 6.9 * 24 * 3600 * 1000);
  assert.equal(ready.url, `https://a.test/settings/exports/archives/${ready.id}`);

  const download = await fetch(ready.url, { headers: { Authorization: `Bearer ${alice.token}` } });
  assert.equal(download.status, 200);
  assert.equal(download.headers.get("content-type"), "application/gzip");
  const archive = untar(gunzipSync(Buffer.from(await download.arrayBuffer())));
  assert.deepEqual([...archive.keys()].sort(), ["actor.json", "bookmarks.json", "likes.json", "media.json", "outbox.json"]);
  const actor = JSON.parse(archive.get("actor.json")!.toString());
  assert.equal(actor.id, "https://a.test/users/alice");
  assert.equal(actor.outbox, "outbox.json");
  assert.ok(actor.publicKey);
  const outbox = JSON.parse(archive.get("outbox.json")!.toString());
  assert.equal(outbox.type, "OrderedCollection");
  const objects = outbox.orderedItems.map((item: { type: string; object: { id: string; content: string } }) => {
    assert.equal(item.type, "Create");
    return item.object.id;
  });
  // Public posts only: the followers-only one stays out.
  assert.deepEqual(objects, [alicePublic.uri]);
  assert.ok(!objects.includes(alicePrivate.uri));
  assert.deepEqual(JSON.parse(archive.get("bookmarks.json")!.toString()).orderedItems, [bobPost.uri]);
  assert.deepEqual(JSON.parse(archive.get("likes.json")!.toString()).orderedItems, [bobPost.uri]);

  // Not for anyone else, nor without a token; a second request within the week is refused.
  assert.equal((await fetch(ready.url, { headers: { Authorization: `Bearer ${bob.token}` } })).status, 404);
  assert.equal((await fetch(ready.url)).status, 401);
  const again = await api(alice, "a.test", "/api/v1/skein/archives", { method: "POST" });
  assert.equal(again.status, 429);
});
