// The built-in web client (web/) in real Chromium, as a person uses it: a signed-out visitor at /
// finds the server's facts and the way in; signing in goes through the OAuth code flow with PKCE
// (S256) and the real sign-in and consent pages; a post appears in the home timeline; following
// someone from their profile; their reply arrives live through the streaming API; the keyboard
// shortcuts; search finds a post and an account; a filter warns about a matching post; a bookmark
// is in the bookmarks; a quote with a poll; a picture's alt text is posted and shown; notifications are grouped; a
// follow request is accepted; mute from a profile; a list; preferences reach the compose box;
// one's own post edited (with its history), pinned, deleted, deleted and redrafted; a scheduled
// post listed and cancelled; a direct message among the conversations; a filtered private mention
// accepted as a notification request; an announcement reacted to and dismissed; the profile
// edited (name, bio, a field) and shown; axe-core finds no serious or critical problem on any main screen (home also at phone width);
// signing out revokes the token, and signing in again asks for the password. One server and one
// browser for all of it (each new file would pay their start again). Screenshots go to
// test/artifacts/ (docs/screenshots/ are made from them: web/screenshots.ts).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { createRequire } from "node:module";
import { startServer, databaseKind, type TestServer } from "../support/server.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { apiCaller } from "../support/api.ts";
import { launchChromium, type Chromium, type ChromiumPage } from "../support/chromium.ts";
import { eventually } from "../support/federation-fleet.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openRuntime } from "../../src/server/context.ts";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let chromium: Chromium;
let page: ChromiumPage;
let helloId: string;
let replyId: string;
let carolUser: TestUser;
const api = apiCaller(() => server.url);
const BROWSER = { Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

before(async () => {
  // Chromium starts while the server does.
  const browser = launchChromium();
  server = await startServer({ env: { INSTANCE_TITLE: "Web Client Test", REGISTRATIONS: "open" } });
  [alice, bob, chromium] = await Promise.all([signUp(server, "alice"), signUp(server, "bob"), browser]);
  page = await chromium.newPage();
});

after(async () => {
  await chromium?.close();
  await server?.stop();
});

const at = async () => new URL(await page.url()).pathname;
const waitFor = (selector: string, what = selector) => eventually(() => page.exists(selector), 20_000, what);
const textOf = (selector: string) => page.text(selector);

const KEY_CODES: Record<string, number> = { Escape: 27, Enter: 13 };
async function press(key: string): Promise<void> {
  const printable = key.length === 1;
  const codes = printable ? {} : { code: key, windowsVirtualKeyCode: KEY_CODES[key] };
  await page.send("Input.dispatchKeyEvent", { type: printable ? "keyDown" : "rawKeyDown", key, text: printable ? key : undefined, ...codes });
  await page.send("Input.dispatchKeyEvent", { type: "keyUp", key, ...codes });
}

async function axeProblems(): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate<{ id: string; impact: string; help: string; targets: string[] }[]>(
    `axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) })))`,
  );
  return found.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.slice(0, 3).join(", ")}`);
}

test("a browser at / gets the client under a strict CSP, its files cached for a year, and without JavaScript the way in", async () => {
  const res = await fetch(`${server.url}/`, { headers: BROWSER });
  assert.equal(res.status, 200);
  const html = await res.text();
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/, "only this server's own script files");
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  assert.equal(res.headers.get("cache-control"), "no-cache", "a new build is picked up at the next visit");
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.equal(scripts[0][2].trim(), "", "no inline script");
  for (const href of ["/about", "/public/local", "/auth/sign_in", "/auth/sign_up"]) assert.ok(html.includes(`href="${href}"`), `the page links ${href} even without JavaScript`);

  const script = /src="([^"]+)"/.exec(scripts[0][1])![1];
  const asset = await fetch(`${server.url}${script}`);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get("content-type") ?? "", /javascript/);
  assert.match(asset.headers.get("cache-control") ?? "", /max-age=31536000, immutable/);
  await asset.arrayBuffer();

  // A deep link is the client too; what is not a browser still gets the about page at /.
  assert.match((await (await fetch(`${server.url}/web/statuses/1`, { headers: BROWSER })).text()), /client-assets/);
  assert.match(await (await fetch(`${server.url}/`)).text(), /Web Client Test/);
});

test("signed out, / shows the server's facts, sign-up and the public pages; signing in goes through OAuth with PKCE", async () => {
  await page.goto(`${server.url}/`);
  await waitFor("#sign-in:not([disabled])", "the sign-in button");
  await eventually(async () => (await textOf("main")).includes("Web Client Test"), 10_000, "the instance title from the API");
  assert.ok(await page.exists("a[href='/auth/sign_up']"));
  assert.ok(await page.exists("footer a[href='/about']"));
  assert.ok(await page.exists("footer a[href='/public/local']"));
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-landing-${databaseKind}`);

  await page.click("#sign-in");
  assert.equal(await at(), "/auth/sign_in");
  const returnTo = new URL(new URL(await page.url()).searchParams.get("return_to")!, server.url);
  assert.equal(returnTo.pathname, "/oauth/authorize");
  assert.equal(returnTo.searchParams.get("code_challenge_method"), "S256");
  assert.match(returnTo.searchParams.get("code_challenge") ?? "", /^[A-Za-z0-9_-]{43}$/);
  assert.equal(returnTo.searchParams.get("redirect_uri"), `${server.url}/web/oauth/callback`);

  await page.fill("#login", "alice");
  await page.fill("#password", alice.password);
  await page.click("form[action='/auth/sign_in'] button");
  assert.equal(await at(), "/oauth/authorize");
  await page.click("button[value='approve']");
  await waitFor("[data-feed='home']", "the home timeline");
  assert.equal(await at(), "/");
  const token = await page.evaluate<string>("localStorage.getItem('skein.token')");
  const me = await api(token, "GET", "/api/v1/accounts/verify_credentials");
  assert.equal(me.body.username, "alice", "the client holds a working token of its own");
});

test("a post appears in the home timeline; following from a profile; a reply arrives live; keyboard; axe; the thread", async () => {
  await page.fill("#compose-text", "Hello from the web client");
  await page.select("#compose-visibility", "unlisted");
  await page.click(".compose button[type=submit]", { navigates: false });
  await eventually(async () => (await textOf("[data-feed='home']")).includes("Hello from the web client"), 10_000, "the post in the home timeline");
  const mine = await api(alice, "GET", `/api/v1/accounts/${alice.id}/statuses`);
  assert.equal(mine.body[0].content, "<p>Hello from the web client</p>");
  assert.equal(mine.body[0].visibility, "unlisted");

  await page.goto(`${server.url}/web/accounts/${bob.id}`);
  await waitFor(".profile-id button", "the follow button");
  assert.equal(await textOf(".profile-id button"), "Follow");
  await page.click(".profile-id button", { navigates: false });
  await eventually(async () => (await textOf(".profile-id button")) === "Unfollow", 10_000, "the button to say Unfollow");
  const relationship = await api(alice, "GET", `/api/v1/accounts/relationships?id[]=${bob.id}`);
  assert.equal(relationship.body[0].following, true);

  // Home again through the client's own link: no reload, the streaming connection stays.
  await page.click("nav a[href='/']", { navigates: false });
  await waitFor("[data-feed='home'] article", "the home timeline");
  const reply = await api(bob, "POST", "/api/v1/statuses", { status: "@alice welcome aboard!", in_reply_to_id: mine.body[0].id });
  assert.equal(reply.status, 200);
  await eventually(async () => (await textOf("[data-feed='home']")).includes("welcome aboard!"), 10_000, "bob's reply to arrive live");
  const first = await page.evaluate<string>("document.querySelector('[data-feed=home] article').dataset.statusId");
  assert.equal(first, reply.body.id, "the live reply is on top");
  await eventually(async () => (await textOf("nav")).includes("1 new"), 10_000, "the mention counted in the navigation");
  assert.equal(await textOf(`[data-status-id="${mine.body[0].id}"] [data-action=reply] .count`), "1", "the reply counted on the post it answers");

  // Keyboard: j focuses the first post, f favourites it, n goes to the compose box, ? opens the help.
  await press("j");
  assert.equal(await page.evaluate("document.activeElement.dataset.statusId"), reply.body.id);
  await press("j");
  assert.equal(await page.evaluate("document.activeElement.dataset.statusId"), mine.body[0].id);
  await press("k");
  await press("f");
  await eventually(async () => (await api(alice, "GET", `/api/v1/statuses/${reply.body.id}`)).body.favourited === true, 10_000, "the favourite");
  await eventually(async () => (await page.evaluate(`document.querySelector('[data-status-id="${reply.body.id}"] [data-action=favourite]').getAttribute("aria-pressed")`)) === "true", 15_000, "the favourite button pressed");
  await press("n");
  await eventually(async () => (await page.evaluate("document.activeElement.id")) === "compose-text", 15_000, "the compose box to take the focus");
  await page.evaluate("document.activeElement.blur()");
  await press("?");
  await eventually(async () => (await page.evaluate("document.querySelector('dialog.help').open")) === true, 15_000, "the help to open");
  await press("Escape");
  await eventually(async () => (await page.evaluate("document.querySelector('dialog.help').open")) === false, 15_000, "the help to close");

  // The home screen passes axe-core, wide and at phone width.
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-home-${databaseKind}`);
  await page.send("Emulation.setDeviceMetricsOverride", { width: 390, height: 844, deviceScaleFactor: 1, mobile: true });
  assert.deepEqual(await axeProblems(), []);
  assert.equal(await page.evaluate("document.documentElement.scrollWidth <= 390"), true, "nothing wider than the phone");
  await page.screenshot(`web-client-home-phone-${databaseKind}`);
  await page.send("Emulation.clearDeviceMetricsOverride");

  // The thread: clicking the post opens it with the reply under it.
  await page.click(`[data-feed='home'] article[data-status-id="${mine.body[0].id}"] .content`, { navigates: false });
  await eventually(async () => (await at()) === `/web/statuses/${mine.body[0].id}`, 15_000, "the thread's address");
  await eventually(async () => (await page.exists(".thread article.focused")) && (await textOf(".thread")).includes("welcome aboard!"), 10_000, "the thread with its reply");
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-thread-${databaseKind}`);
  helloId = mine.body[0].id;
  replyId = reply.body.id;
});

test("search finds a post and an account", async () => {
  // Posts are indexed in batches just after they are written: wait until the API finds it.
  await eventually(async () => (await api(alice, "GET", "/api/v2/search?type=statuses&q=welcome+aboard")).body.statuses.length > 0, 10_000, "the reply indexed");
  await page.fill("#search-input", "welcome aboard");
  await page.click(".search-box button[type=submit]", { navigates: false });
  await eventually(async () => (await at()) === "/web/search", 15_000, "the search screen");
  await eventually(async () => page.exists(`.search-statuses article[data-status-id="${replyId}"]`), 10_000, "bob's reply among the posts found");
  await page.fill("#search-input", "bob");
  await page.click(".search-box button[type=submit]", { navigates: false });
  await eventually(async () => page.exists(`.search-accounts [data-account-id="${bob.id}"]`), 10_000, "bob among the people found");
  assert.equal(new URL(await page.url()).searchParams.get("q"), "bob", "the query is in the address");
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-search-${databaseKind}`);
});

test("a filter's keyword: a matching post shows only the filter's title until asked; a bookmark is in the bookmarks; a quote with a poll", async () => {
  await page.click("nav a[href='/web/filters']", { navigates: false });
  await waitFor("#new-filter", "the filters screen");
  assert.deepEqual(await axeProblems(), []);
  await page.click("#new-filter", { navigates: false });
  assert.deepEqual(await axeProblems(), [], "the filter form");
  await page.screenshot(`web-client-filter-form-${databaseKind}`);
  await page.fill("#filter-title", "Film spoilers");
  await page.fill("#filter-keyword-0", "plotwist");
  await page.click(".filter-form button[type=submit]", { navigates: false });
  await eventually(async () => (await textOf(".filter-list")).includes("Film spoilers"), 10_000, "the filter in the list");
  const saved = (await api(alice, "GET", "/api/v2/filters")).body;
  assert.equal(saved.length, 1);
  assert.equal(saved[0].filter_action, "warn");
  assert.deepEqual(saved[0].keywords.map((k: { keyword: string }) => k.keyword), ["plotwist"]);
  assert.deepEqual([...saved[0].context].sort(), ["home", "public", "thread"]);

  await page.click("nav a[href='/']", { navigates: false });
  await waitFor("[data-feed='home'] article", "the home timeline");
  const spoiler = await api(bob, "POST", "/api/v1/statuses", { status: "The plotwist: the butler did it" });
  const other = await api(bob, "POST", "/api/v1/statuses", { status: "Nothing to hide here" });
  await eventually(async () => page.exists(`[data-feed='home'] article[data-status-id="${other.body.id}"]`), 10_000, "bob's next post live");
  const filtered = `[data-feed='home'] article[data-status-id="${spoiler.body.id}"]`;
  assert.ok(await page.exists(`${filtered}.filtered`), "the matching post is warned about");
  assert.match(await textOf(filtered), /Filtered: Film spoilers/);
  assert.doesNotMatch(await textOf(filtered), /butler/, "its text stays hidden");
  await page.click(`${filtered} button`, { navigates: false });
  await eventually(async () => (await textOf(filtered)).includes("butler did it"), 15_000, "the post shown on request");

  // A bookmark from the timeline is in Bookmarks.
  await page.click(`[data-status-id="${other.body.id}"] [data-action=bookmark]`, { navigates: false });
  await eventually(async () => (await api(alice, "GET", `/api/v1/statuses/${other.body.id}`)).body.bookmarked === true, 10_000, "the bookmark");
  await page.click("nav a[href='/web/bookmarks']", { navigates: false });
  await eventually(async () => page.exists(`[data-feed='bookmarks'] article[data-status-id="${other.body.id}"]`), 10_000, "the post in bookmarks");
  assert.equal(await page.evaluate(`document.querySelector('[data-feed=bookmarks] [data-action=bookmark]').getAttribute("aria-pressed")`), "true");
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-bookmarks-${databaseKind}`);

  // Quoting it, with a poll: the new post carries both.
  await page.click(`[data-feed='bookmarks'] [data-status-id="${other.body.id}"] [data-action=quote]`, { navigates: false });
  await eventually(async () => (await textOf(".compose")).includes("Quoting bob"), 15_000, "the compose box quoting");
  await page.fill("#compose-text", "Which is better?");
  await page.click("#compose-poll", { navigates: false });
  await page.fill("#poll-option-0", "Tea");
  await page.fill("#poll-option-1", "Coffee");
  await page.click(".compose button[type=submit]", { navigates: false });
  await eventually(async () => (await textOf(".compose h2")) === "New post", 10_000, "the draft sent");
  const quoting = (await api(alice, "GET", `/api/v1/accounts/${alice.id}/statuses?limit=1`)).body[0];
  assert.equal(quoting.quote?.quoted_status?.id, other.body.id);
  assert.deepEqual(quoting.poll.options.map((o: { title: string }) => o.title), ["Tea", "Coffee"]);
});

test("an attached picture's alt text is posted and shown; notifications are grouped", async () => {
  const picture = path.join(os.tmpdir(), `web-client-${process.pid}.png`);
  await sharp({ create: { width: 96, height: 64, channels: 3, background: "#b91c1c" } }).png().toFile(picture);
  try {
    await page.click("nav a[href='/']", { navigates: false });
    await page.fill("#compose-text", "A picture from the web client");
    await page.setFiles("#compose-media", [picture]);
    await waitFor(".media-editor .alt-input", "the uploaded picture in the draft");
    await page.fill(".media-editor .alt-input", "A red rectangle");
    assert.deepEqual(await axeProblems(), [], "compose with a picture");
    await page.screenshot(`web-client-compose-media-${databaseKind}`);
    await page.click(".compose button[type=submit]", { navigates: false });
    await eventually(async () => (await textOf("[data-feed='home']")).includes("A picture from the web client"), 10_000, "the post in the home timeline");
  } finally {
    fs.rmSync(picture, { force: true });
  }
  const posted = (await api(alice, "GET", `/api/v1/accounts/${alice.id}/statuses?limit=1`)).body[0];
  assert.equal(posted.media_attachments[0].description, "A red rectangle");
  const shown = `[data-feed='home'] article[data-status-id="${posted.id}"]`;
  assert.equal(await textOf(`${shown} .alt-text`), "A red rectangle", "the alt text is visible under the picture");
  assert.equal(await page.evaluate(`document.querySelector(${JSON.stringify(`${shown} .media img`)}).alt`), "A red rectangle");

  // Two people favourite the first post: one notification row names both.
  const carol = await signUp(server, "carol");
  await api(bob, "POST", `/api/v1/statuses/${helloId}/favourite`);
  await api(carol, "POST", `/api/v1/statuses/${helloId}/favourite`);
  await page.click("nav a[href='/web/notifications']", { navigates: false });
  await eventually(async () => /and 1 other favourited your post/.test(await textOf(".notification-list")), 10_000, "the favourites grouped");
  assert.equal(await page.evaluate("document.querySelectorAll('.notification.favourite').length"), 1);
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-notifications-${databaseKind}`);
  carolUser = carol;
});

test("a follow request is accepted; mute from a profile; a list; preferences reach the compose box", async () => {
  await api(alice, "PATCH", "/api/v1/accounts/update_credentials", { locked: true });
  const asked = await api(carolUser, "POST", `/api/v1/accounts/${alice.id}/follow`);
  assert.equal(asked.body.requested, true);
  await page.click("nav a[href='/web/follow_requests']", { navigates: false });
  await waitFor(`.follow-requests [data-account-id="${carolUser.id}"] [data-action=accept]`, "carol's request");
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-follow-requests-${databaseKind}`);
  await page.click(`.follow-requests [data-account-id="${carolUser.id}"] [data-action=accept]`, { navigates: false });
  await eventually(async () => (await api(carolUser, "GET", `/api/v1/accounts/relationships?id[]=${alice.id}`)).body[0].following === true, 10_000, "carol following alice");
  await eventually(async () => !(await page.exists(`.follow-requests [data-account-id="${carolUser.id}"]`)), 15_000, "the request gone from the list");

  // Bob's profile: mute, then unmute.
  await page.goto(`${server.url}/web/accounts/${bob.id}`);
  await waitFor(".profile-actions [data-action=mute]", "the profile's actions");
  await page.click(".profile-actions [data-action=mute]", { navigates: false });
  await eventually(async () => (await api(alice, "GET", `/api/v1/accounts/relationships?id[]=${bob.id}`)).body[0].muting === true, 10_000, "bob muted");
  await eventually(async () => (await textOf(".profile-actions [data-action=mute]")) === "Unmute", 15_000, "the button to say Unmute");
  await page.click(".profile-actions [data-action=mute]", { navigates: false });
  await eventually(async () => (await api(alice, "GET", `/api/v1/accounts/relationships?id[]=${bob.id}`)).body[0].muting === false, 10_000, "bob unmuted");
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-profile-${databaseKind}`);

  // A list, with bob in it.
  await page.click("nav a[href='/web/lists']", { navigates: false });
  await page.fill("#new-list-title", "Friends");
  await page.click(".lists button[type=submit]", { navigates: false });
  await eventually(async () => (await textOf(".lists")).includes("Friends"), 10_000, "the new list");
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-lists-${databaseKind}`);

  // Preferences: a new default visibility reaches the compose box.
  await page.click("nav a[href='/web/preferences']", { navigates: false });
  await waitFor("#pref-visibility", "the preferences form");
  await page.select("#pref-visibility", "private");
  await page.click("#save-preferences", { navigates: false });
  await eventually(async () => (await api(alice, "GET", "/api/v1/preferences")).body["posting:default:visibility"] === "private", 10_000, "the default saved");
  // Saved on the server is not yet seen by the page: its answer to the save may still be on its way.
  await eventually(async () => (await page.evaluate("document.querySelector('#compose-visibility').value")) === "private", 10_000, "the compose box's visibility");
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-preferences-${databaseKind}`);
});

/** Opens the "More" menu of one's own post (once the post is shown), unless it is open. */
async function openMenu(post: string): Promise<void> {
  await waitFor(`${post} .post-menu summary`, `the menu of ${post}`);
  if (!(await page.evaluate<boolean>(`document.querySelector(${JSON.stringify(`${post} .post-menu`)}).open`))) await page.click(`${post} .post-menu summary`, { navigates: false });
}

test("own posts: an edit and its history, pin, delete, delete & redraft; reporting another's post", async () => {
  await page.click("nav a[href='/']", { navigates: false });
  const hello = `[data-feed='home'] article[data-status-id="${helloId}"]`;
  await openMenu(hello);
  await page.click(`${hello} [data-action=edit]`, { navigates: false });
  await eventually(async () => (await textOf(".compose h2")) === "Edit post" && (await page.evaluate("document.querySelector('#compose-text').value")) === "Hello from the web client", 10_000, "the post's source in the compose box");
  await page.fill("#compose-text", "Hello again from the web client");
  await page.click(".compose button[type=submit]", { navigates: false });
  await eventually(async () => (await textOf(`${hello} .content`)).includes("Hello again from the web client"), 10_000, "the edit shown in the timeline");
  assert.equal((await api(alice, "GET", `/api/v1/statuses/${helloId}`)).body.content, "<p>Hello again from the web client</p>");
  await page.click(`${hello} .edit-history summary`, { navigates: false });
  await eventually(async () => (await page.evaluate<number>(`document.querySelectorAll(${JSON.stringify(`${hello} .versions li`)}).length`)) === 2, 10_000, "both versions in the history");
  const versions = await textOf(`${hello} .versions`);
  assert.ok(versions.indexOf("Hello from the web client") < versions.indexOf("Hello again from the web client"), "the original first, then the edit");

  // Pinned (the profile shows it later); then two short-lived posts: one deleted, one redrafted.
  await openMenu(hello);
  await page.click(`${hello} [data-action=pin]`, { navigates: false });
  await eventually(async () => (await api(alice, "GET", `/api/v1/statuses/${helloId}`)).body.pinned === true, 10_000, "the post pinned");
  const [gone, redo] = await Promise.all([
    api(alice, "POST", "/api/v1/statuses", { status: "A post to delete" }),
    api(alice, "POST", "/api/v1/statuses", { status: "A post to write again" }),
  ]);
  // Both on screen first: a post arriving live goes on top and moves what is below it.
  await waitFor(`[data-feed='home'] article[data-status-id="${gone.body.id}"]`, "the post to delete");
  await waitFor(`[data-feed='home'] article[data-status-id="${redo.body.id}"]`, "the post to redraft");
  for (const [post, action] of [[gone.body.id, "delete"], [redo.body.id, "redraft"]]) {
    const shown = `[data-feed='home'] article[data-status-id="${post}"]`;
    await openMenu(shown);
    await page.click(`${shown} [data-action=${action}]`, { navigates: false });
    await waitFor(`${shown} [data-action=confirm-delete]`, "the question whether to delete");
    await page.click(`${shown} [data-action=confirm-delete]`, { navigates: false });
    await eventually(async () => !(await page.exists(shown)), 10_000, `the post gone from the timeline (${action})`);
    assert.equal((await api(alice, "GET", `/api/v1/statuses/${post}`)).status, 404);
  }
  assert.equal(await page.evaluate("document.querySelector('#compose-text').value"), "A post to write again", "the redraft in the compose box");

  // Someone else's post: More offers a report, sent from a form in place.
  const bobs = `[data-feed='home'] article[data-status-id="${replyId}"]`;
  await openMenu(bobs);
  await page.click(`${bobs} [data-action=report]`, { navigates: false });
  await waitFor(`${bobs} .report-form`, "the report form");
  await page.fill(`${bobs} .report-form textarea`, "Testing the report form");
  assert.deepEqual(await axeProblems(), [], "home with a report form open");
  await page.click(`${bobs} [data-action=send-report]`, { navigates: false });
  await eventually(async () => (await textOf(`${bobs} .post-menu`)).includes("the moderators will look at it"), 10_000, "the report sent");
});

test("a scheduled post is listed and cancelled; a direct message is in the conversations; a filtered one waits as a request", async () => {
  // Tomorrow, in the browser's own time zone, as its datetime-local input takes it.
  const tomorrow = await page.evaluate<string>("(() => { const d = new Date(Date.now() + 86400000 - new Date().getTimezoneOffset() * 60000); return d.toISOString().slice(0, 16); })()");
  await page.fill("#compose-text", "See you tomorrow");
  await page.setChecked("#compose-schedule-toggle", true);
  await waitFor("#compose-schedule", "the time to post at");
  await page.select("#compose-schedule", tomorrow);
  await page.click(".compose button[type=submit]", { navigates: false });
  await eventually(async () => (await page.exists(".compose .notice")) && (await textOf(".compose .notice")).startsWith("Scheduled for"), 10_000, "the draft scheduled");
  const waiting = (await api(alice, "GET", "/api/v1/scheduled_statuses")).body;
  assert.equal(waiting.length, 1);
  assert.equal(waiting[0].params.text, "See you tomorrow");
  assert.equal(Date.parse(waiting[0].scheduled_at), Date.parse(await page.evaluate<string>(`new Date(${JSON.stringify(tomorrow)}).toISOString()`)), "the time chosen, in the browser's zone");
  await page.click("nav a[href='/web/scheduled_statuses']", { navigates: false });
  await eventually(async () => (await textOf(".scheduled")).includes("See you tomorrow"), 10_000, "the scheduled post listed");
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-scheduled-${databaseKind}`);
  await page.click(`[data-scheduled-id="${waiting[0].id}"] [data-action=cancel]`, { navigates: false });
  await eventually(async () => !(await page.exists(`[data-scheduled-id="${waiting[0].id}"]`)), 10_000, "the scheduled post cancelled");
  assert.deepEqual((await api(alice, "GET", "/api/v1/scheduled_statuses")).body, []);

  // Bob (whom alice follows) writes to her directly; carol (whom she does not) too, which her
  // notification policy holds back as a request (Mastodon's default for private mentions).
  const [dm] = await Promise.all([
    api(bob, "POST", "/api/v1/statuses", { status: "@alice the secret plans", visibility: "direct" }),
    api(carolUser, "POST", "/api/v1/statuses", { status: "@alice psst, hello", visibility: "direct" }),
  ]);
  await page.click("nav a[href='/web/conversations']", { navigates: false });
  const conversation = `.conversation:has(article[data-status-id="${dm.body.id}"])`;
  await eventually(async () => page.exists(`${conversation}.unread`), 10_000, "bob's message in the conversations, unread");
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-conversations-${databaseKind}`);
  await page.click(`${conversation} [data-action=mark-read]`, { navigates: false });
  await eventually(async () => !(await page.exists(`${conversation}.unread`)), 10_000, "the conversation read");
  const listed = (await api(alice, "GET", "/api/v1/conversations")).body.find((c: { last_status: { id: string } }) => c.last_status.id === dm.body.id);
  assert.equal(listed.unread, false);

  await eventually(async () => (await api(alice, "GET", "/api/v1/notifications/requests")).body.length === 1, 10_000, "carol's mention held back");
  await page.click("nav a[href='/web/notifications']", { navigates: false });
  await eventually(async () => (await textOf(".filtered-link")).includes("1 waiting"), 10_000, "carol's request counted");
  await page.click(".filtered-link a", { navigates: false });
  await waitFor(`[data-request-id="${carolUser.id}"] [data-action=accept]`, "carol's request");
  assert.match(await textOf(`[data-request-id="${carolUser.id}"]`), /psst, hello/);
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-notification-requests-${databaseKind}`);
  await page.click(`[data-request-id="${carolUser.id}"] [data-action=accept]`, { navigates: false });
  await eventually(async () => !(await page.exists(`[data-request-id="${carolUser.id}"]`)), 10_000, "the request accepted");
  assert.deepEqual((await api(alice, "GET", "/api/v1/notifications/requests")).body, []);
});

test("an announcement shows on home, takes a reaction and is dismissed; the profile is edited and shown", async () => {
  // Made as `./skein announcements add` makes it (the same service), in this process.
  const runtime = await openRuntime(loadConfig({ ...process.env, ...server.env }));
  const announcement = await runtime.services.announcements.create({ text: "Maintenance on Sunday" }).finally(() => runtime.close());
  await page.click("nav a[href='/']", { navigates: false });
  const shown = `.announcement[data-announcement-id="${announcement.id}"]`;
  await waitFor(shown, "the announcement on home");
  assert.match(await textOf(shown), /Maintenance on Sunday/);
  await page.click(`${shown} .reaction`, { navigates: false });
  await eventually(async () => (await page.evaluate(`document.querySelector(${JSON.stringify(`${shown} .reaction`)}).getAttribute("aria-pressed")`)) === "true", 10_000, "the reaction pressed");
  assert.deepEqual((await api(alice, "GET", "/api/v1/announcements")).body[0].reactions, [{ name: "👍", count: 1, me: true }]);
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-announcement-${databaseKind}`);
  await page.click(`${shown} [data-action=dismiss-announcement]`, { navigates: false });
  await eventually(async () => !(await page.exists(shown)), 10_000, "the announcement dismissed");
  assert.deepEqual((await api(alice, "GET", "/api/v1/announcements")).body, [], "read: not shown again");

  await page.click("nav a[href='/web/profile/edit']", { navigates: false });
  await waitFor("#profile-display-name", "the profile form");
  await page.fill("#profile-display-name", "Alice Example");
  await page.fill("#profile-note", "Gardener and reader.");
  await page.fill("#profile-field-name-0", "Garden");
  await page.fill("#profile-field-value-0", "Roses");
  await page.fill("#profile-field-name-1", "Site");
  await page.fill("#profile-field-value-1", "https://example.com/garden");
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-edit-profile-${databaseKind}`);
  await page.click("#save-profile", { navigates: false });
  await eventually(async () => (await textOf(".edit-profile [role=status]")) === "Saved.", 10_000, "the profile saved");
  const me = (await api(alice, "GET", "/api/v1/accounts/verify_credentials")).body;
  assert.equal(me.display_name, "Alice Example");
  assert.equal(me.source.note, "Gardener and reader.");
  // source.fields as typed (a link's address, not its HTML): what the next edit starts from.
  assert.deepEqual(me.source.fields, [{ name: "Garden", value: "Roses", verified_at: null }, { name: "Site", value: "https://example.com/garden", verified_at: null }]);
  await page.click(".edit-profile a[href^='/web/accounts/']", { navigates: false });
  await eventually(async () => (await textOf("#profile-heading")) === "Alice Example", 10_000, "the new name on the profile");
  assert.match(await textOf(".profile .note"), /Gardener and reader\./);
  assert.match(await textOf(".profile .fields"), /Garden\s*Roses/);
  await waitFor(`.pinned article[data-status-id="${helloId}"]`, "the pinned post on the profile");
  assert.deepEqual(await axeProblems(), []);
  // The count of followers opens them: carol, whose request alice accepted.
  await page.click(".profile a.followers", { navigates: false });
  await waitFor(`[data-list=followers] [data-account-id="${carolUser.id}"]`, "carol among alice's followers");
  assert.deepEqual(await axeProblems(), []);
});

test("signing out revokes the token, and signing in again asks for the password", async () => {
  const token = await page.evaluate<string>("localStorage.getItem('skein.token')");
  await page.click("#sign-out", { navigates: false });
  await waitFor("#sign-in", "the signed-out front page");
  assert.equal(await page.evaluate("localStorage.getItem('skein.token')"), null);
  assert.equal((await api(token, "GET", "/api/v1/accounts/verify_credentials")).status, 401, "the token was revoked");
  // The server's sign-in cookie is still in this browser; signing in again asks for the password anyway.
  await page.click("#sign-in");
  assert.equal(await at(), "/auth/sign_in");
});
