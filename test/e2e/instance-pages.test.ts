// The instance's own pages and messages as clients read them: languages, translation languages,
// the privacy policy, terms of service (versions by date), extended description, rules (chosen in
// reports), weekly activity and peers; announcements by admins with reactions, dismissals and
// streaming events; /api/oembed; annual reports; and the honest answers where Skein has no
// service (translation, async refreshes). Admins act through `./skein instance|rules|announcements`.
// Every response is checked against the contract (one deviation, asked for by the issue: see `after`).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { startServer, type TestServer } from "../support/server.ts";
import { installContractCheck, validateResponse, type ContractLog } from "../support/openapi.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { apiCaller } from "../support/api.ts";
import { queryRows } from "../support/server-db.ts";
import { openStream, type StreamMessage, type StreamSocket } from "../support/streaming.ts";
import { adminUser } from "../support/admin-clients.ts";
import { eventually } from "../support/federation-fleet.ts";

let server: TestServer;
let contract: ContractLog;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
const api = apiCaller(() => server.url);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "skein-instance-pages-"));
const year = new Date().getUTCFullYear();
/** The announcement the reactions test leaves in place (removed by the last test). */
let announcementId: string;
let root: { token: string };

before(async () => {
  server = await startServer();
  contract = installContractCheck(server.url);
  alice = await signUp(server, "alice");
  bob = await signUp(server, "bob");
  carol = await signUp(server, "carol");
});

after(async () => {
  // Mastodon answers `updated_at: null` for an extended description nobody set (the issue asks
  // for it); the contract's schema says string. That one deviation is expected, nothing else.
  const expected = (v: string) => v.startsWith("GET /api/v1/instance/extended_description 200") && v.includes("updated_at");
  assert.equal(contract.violations.filter(expected).length, 1, "the unset extended description was checked once");
  assert.deepEqual(contract.violations.filter((v) => !expected(v)), []);
  await server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<string> {
  const result = await server.cli(args);
  assert.equal(result.code, 0, `./skein ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

test("before an admin sets anything: languages, no translation, the default privacy policy, no terms, an empty about page, no rules", async () => {
  const languages = await api(null, "GET", "/api/v1/instance/languages");
  assert.equal(languages.status, 200);
  assert.deepEqual(languages.body.find((l: { code: string }) => l.code === "en"), { code: "en", name: "English" });
  assert.deepEqual(languages.body.find((l: { code: string }) => l.code === "de"), { code: "de", name: "German" });
  assert.ok(languages.body.length > 180);

  assert.deepEqual((await api(null, "GET", "/api/v1/instance/translation_languages")).body, {});

  const privacy = await api(null, "GET", "/api/v1/instance/privacy_policy");
  assert.equal(privacy.status, 200);
  assert.match(privacy.body.content, /<h2>What we keep<\/h2>/);
  assert.ok(privacy.body.content.includes(new URL(server.url).host), "it names this server");
  assert.ok(!Number.isNaN(Date.parse(privacy.body.updated_at)));

  assert.equal((await api(null, "GET", "/api/v1/instance/terms_of_service")).status, 404);
  assert.deepEqual((await api(null, "GET", "/api/v1/instance/extended_description")).body, { content: "", updated_at: null });
  assert.deepEqual((await api(null, "GET", "/api/v1/instance/rules")).body, []);
  const v2 = (await api(null, "GET", "/api/v2/instance")).body;
  assert.deepEqual(v2.rules, []);
  assert.equal(v2.configuration.urls.privacy_policy, `${server.url}/privacy-policy`);
  assert.equal(v2.configuration.urls.terms_of_service, null);
  const page = await fetch(`${server.url}/privacy-policy`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<h2>What we keep<\/h2>/);
  assert.equal((await fetch(`${server.url}/terms-of-service`)).status, 404);
});

test("texts an admin sets with ./skein instance: privacy policy, about page, terms of service by effective date", async () => {
  // Different settings, so the commands may run at once; versions of the terms one after the other.
  await Promise.all([
    cli("instance", "set", "privacy-policy", file("privacy.txt", "We keep little.\n\nAsk us & we delete it.")),
    cli("instance", "set", "extended-description", file("about.html", "<h2>About</h2><p>A small server.</p>")),
    cli("instance", "set", "terms-of-service", file("tos-old.txt", "Be nice."), "--effective", day(-2)),
  ]);
  await cli("instance", "set", "terms-of-service", file("tos-new.txt", "Be very nice."), "--effective", day(10));

  const privacy = (await api(null, "GET", "/api/v1/instance/privacy_policy")).body;
  assert.equal(privacy.content, "<p>We keep little.</p>\n<p>Ask us &amp; we delete it.</p>");
  assert.ok(Date.now() - Date.parse(privacy.updated_at) < 60_000);
  const about = (await api(null, "GET", "/api/v1/instance/extended_description")).body;
  assert.equal(about.content, "<h2>About</h2><p>A small server.</p>");
  assert.ok(Date.now() - Date.parse(about.updated_at) < 60_000);

  const current = await api(null, "GET", "/api/v1/instance/terms_of_service");
  assert.deepEqual(current.body, { effective_date: day(-2), effective: true, content: "<p>Be nice.</p>", succeeded_by: day(10) });
  const next = await api(null, "GET", `/api/v1/instance/terms_of_service/${day(10)}`);
  assert.deepEqual(next.body, { effective_date: day(10), effective: false, content: "<p>Be very nice.</p>", succeeded_by: null });
  assert.equal((await api(null, "GET", "/api/v1/instance/terms_of_service/2001-01-01")).status, 404);
  assert.equal((await api(null, "GET", "/api/v1/instance/terms_of_service/yesterday")).status, 404);

  assert.equal((await api(null, "GET", "/api/v2/instance")).body.configuration.urls.terms_of_service, `${server.url}/terms-of-service`);
  const termsPage = await (await fetch(`${server.url}/terms-of-service`)).text();
  assert.ok(termsPage.includes("<p>Be nice.</p>") && termsPage.includes(`In effect since ${day(-2)}`));
  const shown = await cli("instance", "show");
  assert.match(shown, new RegExp(`terms of service: +${day(-2)}, ${day(10)}`));
});

test("rules from ./skein rules: listed in both instance entities, chosen in reports, refused once removed", async () => {
  let added: string;
  [added, root] = await Promise.all([cli("rules", "add", "No spam", "--hint", "Advertising counts"), adminUser(server, "root", "admin")]);
  const id = /Added rule (\d+)/.exec(added)![1];
  const rules = (await api(null, "GET", "/api/v1/instance/rules")).body;
  assert.deepEqual(rules, [{ id, text: "No spam", hint: "Advertising counts", translations: {} }]);
  assert.deepEqual((await api(null, "GET", "/api/v2/instance")).body.rules, rules);
  assert.deepEqual((await api(null, "GET", "/api/v1/instance")).body.rules, rules);

  const report = await api(alice, "POST", "/api/v1/reports", { account_id: bob.id, rule_ids: [id], comment: "ads" });
  assert.equal(report.status, 200);
  assert.deepEqual(report.body.rule_ids, [id]);
  assert.equal(report.body.category, "violation");
  assert.equal((await api(alice, "POST", "/api/v1/reports", { account_id: bob.id, rule_ids: ["12345"] })).status, 422, "an id that names no rule");

  const adminView = async () => (await api(root.token, "GET", `/api/v1/admin/reports/${report.body.id}`)).body.rules.map((r: { id: string; text: string }) => [r.id, r.text]);
  assert.deepEqual(await adminView(), [[id, "No spam"]], "moderators see the rule the report names");

  await cli("rules", "remove", id);
  assert.deepEqual((await api(null, "GET", "/api/v1/instance/rules")).body, []);
  assert.equal((await api(alice, "POST", "/api/v1/reports", { account_id: bob.id, rule_ids: [id] })).status, 422, "a removed rule");
  assert.deepEqual(await adminView(), [[id, "No spam"]], "a removed rule is still shown on the reports that named it");
});

test("activity: 12 weeks from this one, counted in the database, as strings; peers are the servers accounts are known from", async () => {
  await alice.client.v1.statuses.create({ status: "counted" });
  const posted = Number((await queryRows(server, "select count(*) as n from statuses where local = 1"))[0].n);
  const weeks = (await api(alice, "GET", "/api/v1/instance/activity")).body;
  assert.equal(weeks.length, 12);
  const monday = new Date();
  monday.setUTCHours(0, 0, 0, 0);
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  assert.equal(weeks[0].week, String(monday.getTime() / 1000));
  assert.equal(Number(weeks[0].week) - Number(weeks[1].week), 7 * 86_400);
  assert.equal(weeks[0].statuses, String(posted));
  assert.equal(weeks[0].registrations, "4", "alice, bob, carol and root");
  assert.ok(Number(weeks[0].logins) >= 1 && Number(weeks[0].logins) <= 4, `users seen this week: ${weeks[0].logins}`);
  assert.deepEqual(weeks.slice(1).map((w: { statuses: string }) => w.statuses), Array(11).fill("0"));

  assert.deepEqual((await api(null, "GET", "/api/v1/instance/peers")).body, []);
  const now = new Date().toISOString();
  await queryRows(server, "insert into accounts (id, username, domain, uri, created_at, updated_at, actor_type) values (?, ?, ?, ?, ?, ?, ?)", ["990000000000001", "zed", "far.example", "https://far.example/users/zed", now, now, "Person"]);
  assert.deepEqual((await api(null, "GET", "/api/v1/instance/peers")).body, ["far.example"]);
});

test("announcements: published by an admin, told on the user stream, reacted to with counts and `me`, dismissed, removed", async () => {
  const socket: StreamSocket = await openStream(server.url, { protocolToken: alice.token });
  try {
    await socket.subscribe("user");
    const png = file("blobcat.png", "");
    fs.writeFileSync(png, await sharp({ create: { width: 32, height: 32, channels: 4, background: "#f5c542" } }).png().toBuffer());
    const [out] = await Promise.all([
      cli("announcements", "add", "Maintenance tonight #ops :blobcat:", "--ends-at", new Date(Date.now() + 86_400_000).toISOString()),
      cli("announcements", "add", "Later news", "--starts-at", new Date(Date.now() + 86_400_000).toISOString()),
      cli("emoji", "add", "blobcat", png),
    ]);
    const id = /Added announcement (\d+)/.exec(out)![1];

    const told = await socket.next((m: StreamMessage) => m.event === "announcement", 8000);
    const entity = JSON.parse(told.payload!);
    assert.deepEqual(validateResponse("GET", "/api/v1/announcements", 200, [entity]).problems, []);
    assert.equal(entity.id, id);
    assert.equal(entity.content, "<p>Maintenance tonight #ops :blobcat:</p>");
    assert.deepEqual(entity.tags.map((t: { name: string }) => t.name), ["ops"]);
    assert.equal(entity.read, null, "one payload for every listener: whether each has read it is not in it");

    const list = (await api(alice, "GET", "/api/v1/announcements")).body;
    assert.deepEqual(list.map((a: { id: string }) => a.id), [id], "one not started yet is not shown");
    assert.equal(list[0].read, false);
    assert.deepEqual(list[0].reactions, []);
    assert.equal((await api(null, "GET", "/api/v1/announcements")).status, 401);

    assert.equal((await api(bob, "PUT", `/api/v1/announcements/${id}/reactions/${encodeURIComponent("👍")}`)).status, 200);
    const reaction = await socket.next((m) => m.event === "announcement.reaction");
    assert.deepEqual(JSON.parse(reaction.payload!), { name: "👍", count: 1, announcement_id: id });
    await api(alice, "PUT", `/api/v1/announcements/${id}/reactions/${encodeURIComponent("👍")}`);
    await api(alice, "PUT", `/api/v1/announcements/${id}/reactions/${encodeURIComponent("🎉")}`);
    assert.deepEqual((await api(bob, "GET", "/api/v1/announcements")).body[0].reactions, [
      { name: "👍", count: 2, me: true },
      { name: "🎉", count: 1, me: false },
    ]);
    await api(alice, "DELETE", `/api/v1/announcements/${id}/reactions/${encodeURIComponent("🎉")}`);
    assert.deepEqual((await api(alice, "GET", "/api/v1/announcements")).body[0].reactions, [{ name: "👍", count: 2, me: true }]);

    // A custom emoji of this server, by shortcode: the reaction carries its images.
    assert.equal((await api(alice, "PUT", `/api/v1/announcements/${id}/reactions/blobcat`)).status, 200);
    const withEmoji = (await api(alice, "GET", "/api/v1/announcements")).body[0];
    const blobcat = withEmoji.reactions.find((r: { name: string }) => r.name === "blobcat");
    assert.equal(blobcat.count, 1);
    assert.equal(blobcat.me, true);
    assert.ok(blobcat.url && blobcat.static_url, "its images");
    // The text's emojis, once the server's emoji catalog has seen the new one (within seconds).
    for (let tries = 0; ; tries++) {
      const [announcement] = (await api(alice, "GET", "/api/v1/announcements")).body;
      if (announcement.emojis.some((e: { shortcode: string }) => e.shortcode === "blobcat")) break;
      assert.ok(tries < 50, "the announcement's emojis name :blobcat:");
      await new Promise((r) => setTimeout(r, 100));
    }

    // Not an emoji, no such custom emoji, and Mastodon's limit of 8 different reactions.
    assert.equal((await api(alice, "PUT", `/api/v1/announcements/${id}/reactions/nosuchemoji`)).status, 422);
    assert.equal((await api(alice, "PUT", `/api/v1/announcements/${id}/reactions/${encodeURIComponent("<b>")}`)).status, 422);
    for (const emoji of ["😀", "😺", "🌈", "🍕", "🚀", "🐙"]) assert.equal((await api(carol, "PUT", `/api/v1/announcements/${id}/reactions/${encodeURIComponent(emoji)}`)).status, 200);
    assert.equal((await api(carol, "PUT", `/api/v1/announcements/${id}/reactions/${encodeURIComponent("🦀")}`)).status, 422, "a ninth different reaction");
    assert.equal((await api(bob, "PUT", `/api/v1/announcements/${id}/reactions/${encodeURIComponent("🐙")}`)).status, 200, "an existing one may still be added");
    assert.equal((await api(alice, "PUT", `/api/v1/announcements/99999/reactions/${encodeURIComponent("👍")}`)).status, 404);

    assert.equal((await api(alice, "POST", `/api/v1/announcements/${id}/dismiss`)).status, 200);
    assert.deepEqual((await api(alice, "GET", "/api/v1/announcements")).body, [], "dismissed");
    const dismissed = (await api(alice, "GET", "/api/v1/announcements?with_dismissed=true")).body;
    assert.equal(dismissed[0].read, true);
    assert.equal((await api(bob, "GET", "/api/v1/announcements")).body[0].read, false, "read is per user");
    assert.equal((await api(alice, "POST", "/api/v1/announcements/99999/dismiss")).status, 404);

    announcementId = id;
  } finally {
    await socket.close();
  }
});

test("oembed: a local post anyone may read, as a self-contained blockquote; anything else is a 404", async () => {
  const post = await alice.client.v1.statuses.create({ status: "Embed me <please>", visibility: "public" });
  const hidden = await alice.client.v1.statuses.create({ status: "followers only", visibility: "private" });
  const dm = await alice.client.v1.statuses.create({ status: "@bob secret", visibility: "direct" });
  const oembed = await api(null, "GET", `/api/oembed?url=${encodeURIComponent(post.url!)}&maxwidth=300`);
  assert.equal(oembed.status, 200);
  assert.equal(oembed.body.type, "rich");
  assert.equal(oembed.body.version, "1.0");
  assert.equal(oembed.body.author_name, "alice");
  assert.equal(oembed.body.author_url, post.account.url);
  assert.equal(oembed.body.provider_url, `${server.url}/`);
  assert.equal(oembed.body.width, 300);
  assert.equal(oembed.body.height, null);
  assert.ok(oembed.body.html.includes(post.content), "the post's text");
  assert.ok(oembed.body.html.includes(`href="${post.url}"`), "a link to it");
  assert.ok(!oembed.body.html.includes("<script"), "no script");
  assert.equal((await api(null, "GET", `/api/oembed?url=${encodeURIComponent(`${server.url}/users/alice/statuses/${post.id}`)}`)).status, 200);

  for (const url of [hidden.url!, dm.url!, `${server.url}/@bob/${post.id}`, `https://elsewhere.example/@alice/${post.id}`, "not a url", `${server.url}/@alice/99999`]) {
    assert.equal((await api(null, "GET", `/api/oembed?url=${encodeURIComponent(url)}`)).status, 404, url);
  }
  assert.equal((await api(null, "GET", "/api/oembed")).status, 404);
});

test("translation and async refreshes: honest answers from a server without those services", async () => {
  const post = await alice.client.v1.statuses.create({ status: "Bonjour", visibility: "public" });
  const translated = await api(bob, "POST", `/api/v1/statuses/${post.id}/translate`);
  assert.equal(translated.status, 404);
  assert.match(translated.body.error, /translation/i);
  assert.equal((await api(null, "POST", `/api/v1/statuses/${post.id}/translate`)).status, 401);
  const hidden = await alice.client.v1.statuses.create({ status: "secret", visibility: "private" });
  assert.deepEqual((await api(bob, "POST", `/api/v1/statuses/${hidden.id}/translate`)).body, { error: "Record not found" });
  assert.equal((await api(null, "GET", "/api/v2/instance")).body.configuration.translation.enabled, false);

  assert.equal((await api(alice, "GET", "/api/v1_alpha/async_refreshes/ImNvbnRleHQ6MTIzIg--abc")).status, 404);
  assert.equal((await api(null, "GET", "/api/v1_alpha/async_refreshes/abc")).status, 401);
});

test("annual reports: eligible with posts, generated from the user's own year, listed until read", async () => {
  const popular = await bob.client.v1.statuses.create({ status: "My year in #Skein and #skein and #cats", visibility: "public" });
  await bob.client.v1.statuses.create({ status: "More #cats", visibility: "public" });
  await bob.client.v1.statuses.create({ status: `@alice thanks`, visibility: "public", inReplyToId: (await alice.client.v1.statuses.create({ status: "hi bob" })).id });
  await alice.client.v1.statuses.$select(popular.id).reblog();
  await carol.client.v1.statuses.$select(popular.id).favourite();
  await bob.client.v1.accounts.$select(alice.id).follow();
  await carol.client.v1.accounts.$select(bob.id).follow();

  assert.deepEqual((await api(bob, "GET", `/api/v1/annual_reports/${year}/state`)).body, { state: "eligible" });
  assert.equal((await api(bob, "GET", `/api/v1/annual_reports/${year}`)).status, 404);
  assert.deepEqual((await api(bob, "GET", "/api/v1/annual_reports/1999/state")).body, { state: "ineligible" });
  assert.equal((await api(bob, "POST", "/api/v1/annual_reports/1999/generate")).status, 422);
  assert.equal((await api(null, "GET", `/api/v1/annual_reports/${year}/state`)).status, 401);

  assert.deepEqual((await api(bob, "POST", `/api/v1/annual_reports/${year}/generate`)).body, {});
  assert.deepEqual((await api(bob, "GET", `/api/v1/annual_reports/${year}/state`)).body, { state: "available" });
  const wrapped = (await api(bob, "GET", "/api/v1/annual_reports")).body;
  assert.equal(wrapped.annual_reports.length, 1);
  const [report] = wrapped.annual_reports;
  assert.equal(report.year, year);
  assert.equal(report.account_id, bob.id);
  assert.equal(report.schema_version, 2);
  const data = report.data;
  assert.equal(data.archetype, "lurker", "fewer posts than Mastodon's yearly average");
  assert.deepEqual(data.type_distribution, { total: 3, reblogs: 0, replies: 1, standalone: 2 });
  assert.deepEqual(data.top_hashtags, [{ name: "cats", count: 2 }, { name: "Skein", count: 1 }]);
  assert.equal(data.top_statuses.by_reblogs, popular.id);
  assert.equal(data.top_statuses.by_favourites, popular.id);
  const month = data.time_series.find((m: { month: number }) => m.month === new Date().getUTCMonth() + 1);
  assert.deepEqual(month, { month: new Date().getUTCMonth() + 1, statuses: 3, following: 1, followers: 1 });
  assert.equal(data.time_series.length, 12);
  assert.deepEqual(data.commonly_interacted_with_accounts, [{ account_id: alice.id, count: 1 }]);
  assert.deepEqual(wrapped.statuses.map((s: { id: string }) => s.id), [popular.id]);
  assert.deepEqual(wrapped.accounts.map((a: { id: string }) => a.id), [alice.id]);

  assert.equal((await api(bob, "GET", `/api/v1/annual_reports/${year}`)).body.annual_reports[0].year, year);
  assert.deepEqual((await api(bob, "POST", `/api/v1/annual_reports/${year}/read`)).body, {});
  assert.deepEqual((await api(bob, "GET", "/api/v1/annual_reports")).body.annual_reports, [], "read reports are not listed");
  assert.equal((await api(bob, "GET", `/api/v1/annual_reports/${year}`)).status, 200, "but still there");
  assert.equal((await api(carol, "POST", `/api/v1/annual_reports/${year}/read`)).status, 404);
});

test("purging an account takes its reactions, dismissals and annual reports; removing an announcement is told on the stream", async () => {
  const count = async (table: string) => Number((await queryRows(server, `select count(*) as n from ${table} where account_id = ?`, [bob.id]))[0].n);
  await api(bob, "POST", `/api/v1/announcements/${announcementId}/dismiss`);
  assert.deepEqual([await count("announcement_reactions"), await count("announcement_dismissals"), await count("annual_reports")], [2, 1, 1]);
  assert.equal((await api(root.token, "POST", `/api/v1/admin/accounts/${bob.id}/action`, { type: "suspend" })).status, 200);
  assert.equal((await api(root.token, "DELETE", `/api/v1/admin/accounts/${bob.id}`)).status, 200);
  await eventually(async () => (await count("announcement_reactions")) + (await count("announcement_dismissals")) + (await count("annual_reports")) === 0, 20_000, "the purge");
  const [announcement] = (await api(alice, "GET", "/api/v1/announcements?with_dismissed=true")).body;
  assert.deepEqual(announcement.reactions.find((r: { name: string }) => r.name === "👍"), { name: "👍", count: 1, me: true }, "bob's reaction no longer counts");

  const socket = await openStream(server.url, { protocolToken: carol.token });
  try {
    await socket.subscribe("user");
    await cli("announcements", "remove", announcementId);
    const deleted = await socket.next((m) => m.event === "announcement.delete", 8000);
    assert.equal(deleted.payload, announcementId);
    assert.deepEqual((await api(carol, "GET", "/api/v1/announcements")).body, []);
  } finally {
    await socket.close();
  }
});
