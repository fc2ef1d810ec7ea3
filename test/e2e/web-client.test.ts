// The built-in web client (web/) in real Chromium, as a person uses it: a signed-out visitor at /
// finds the server's facts and the way in; signing in goes through the OAuth code flow with PKCE
// (S256) and the real sign-in and consent pages; a post appears in the home timeline; following
// someone from their profile; their reply arrives live through the streaming API; the keyboard
// shortcuts; search finds a post and an account; a filter warns about a matching post; a bookmark
// is in the bookmarks; a quote with a poll; a picture's alt text is posted and shown; notifications are grouped; a
// follow request is accepted; mute from a profile; a list; preferences reach the compose box;
// axe-core finds no serious or critical problem on any main screen (home also at phone width);
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
const waitFor = (selector: string, what = selector) => eventually(() => page.exists(selector), 10_000, what);
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
  assert.equal(await page.evaluate(`document.querySelector('[data-status-id="${reply.body.id}"] [data-action=favourite]').getAttribute("aria-pressed")`), "true");
  await press("n");
  await eventually(async () => (await page.evaluate("document.activeElement.id")) === "compose-text", 5_000, "the compose box to take the focus");
  await page.evaluate("document.activeElement.blur()");
  await press("?");
  await eventually(async () => (await page.evaluate("document.querySelector('dialog.help').open")) === true, 5_000, "the help to open");
  await press("Escape");
  await eventually(async () => (await page.evaluate("document.querySelector('dialog.help').open")) === false, 5_000, "the help to close");

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
  await eventually(async () => (await at()) === `/web/statuses/${mine.body[0].id}`, 5_000, "the thread's address");
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
  await eventually(async () => (await at()) === "/web/search", 5_000, "the search screen");
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
  await eventually(async () => (await textOf(filtered)).includes("butler did it"), 5_000, "the post shown on request");

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
  await eventually(async () => (await textOf(".compose")).includes("Quoting bob"), 5_000, "the compose box quoting");
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
  await eventually(async () => !(await page.exists(`.follow-requests [data-account-id="${carolUser.id}"]`)), 5_000, "the request gone from the list");

  // Bob's profile: mute, then unmute.
  await page.goto(`${server.url}/web/accounts/${bob.id}`);
  await waitFor(".profile-actions [data-action=mute]", "the profile's actions");
  await page.click(".profile-actions [data-action=mute]", { navigates: false });
  await eventually(async () => (await api(alice, "GET", `/api/v1/accounts/relationships?id[]=${bob.id}`)).body[0].muting === true, 10_000, "bob muted");
  await eventually(async () => (await textOf(".profile-actions [data-action=mute]")) === "Unmute", 5_000, "the button to say Unmute");
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
  assert.equal(await page.evaluate("document.querySelector('#compose-visibility').value"), "private");
  assert.deepEqual(await axeProblems(), []);
  await page.screenshot(`web-client-preferences-${databaseKind}`);
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
