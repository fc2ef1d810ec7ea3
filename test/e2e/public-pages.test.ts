// The public pages, as a signed-out visitor's browser and other sites see them: a profile with its
// pinned and recent posts (older/newer links), a post with its public thread (never a
// followers-only or direct reply), a hashtag, /about, the local timeline, RSS and Atom feeds, the meta tags
// links unfurl with, the Content-Security-Policy, noindex, a suspended account's 410, HTML 404s —
// and ActivityPub fetches of the same addresses still answered with JSON.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { parseDocument } from "htmlparser2";
import { findAll, findOne, textContent, getAttributeValue } from "domutils";
import type { Element, Document } from "domhandler";
import { startServer, type TestServer } from "../support/server.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { apiCaller } from "../support/api.ts";
import { adminUser, type AdminUser } from "../support/admin-clients.ts";
import { queryRows } from "../support/server-db.ts";
import { mediaFixtures } from "../support/media-uploads.ts";

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let root: AdminUser;
const api = apiCaller(() => server.url);
const media = mediaFixtures(() => server);
const BROWSER = { Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };
const ACTIVITY = { Accept: "application/activity+json" };

before(async () => {
  server = await startServer();
  [alice, bob, root] = await Promise.all([signUp(server, "alice"), signUp(server, "bob"), adminUser(server, "root", "admin")]);
});

after(async () => {
  await server?.stop();
});

interface Page {
  status: number;
  headers: Headers;
  text: string;
  doc: Document;
}

async function visit(path: string, headers: Record<string, string> = BROWSER): Promise<Page> {
  const res = await fetch(path.startsWith("http") ? path : `${server.url}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, doc: parseDocument(text, { xmlMode: /xml/.test(res.headers.get("content-type") ?? "") }) };
}

const elements = (doc: Document, test: (e: Element) => boolean) => findAll(test, doc.children);
function meta(doc: Document, key: string): string | undefined {
  const tag = findOne((e) => e.name === "meta" && (e.attribs.property === key || e.attribs.name === key), doc.children);
  return tag ? getAttributeValue(tag, "content") : undefined;
}
function link(doc: Document, rel: string, type?: string): string | undefined {
  const tag = findOne((e) => e.name === "link" && e.attribs.rel === rel && (!type || e.attribs.type === type), doc.children);
  return tag ? getAttributeValue(tag, "href") : undefined;
}
/** The texts of the posts a page shows, in order. */
const posts = (doc: Document) => elements(doc, (e) => e.name === "article").map((e) => textContent(e).replace(/\s+/g, " ").trim());
const anchor = (doc: Document, rel: string) => findOne((e) => e.name === "a" && e.attribs.rel === rel, doc.children)?.attribs.href;

async function post(who: TestUser, status: string, extra: Record<string, unknown> = {}): Promise<{ id: string; url: string; content: string }> {
  const res = await api(who, "POST", "/api/v1/statuses", { status, ...extra });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

function assertPageHeaders(page: Page) {
  assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
  const csp = page.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'none'/, "nothing is allowed unless named");
  assert.doesNotMatch(csp, /script-src|unsafe-inline|\*/, "no script and no wildcard");
  assert.match(csp, /img-src 'self'/);
  assert.equal(elements(page.doc, (e) => e.name === "script").length, 0, "no script on the page");
}

test("a profile: header, bio, rel=me fields, pinned and recent posts with older/newer links, meta tags, RSS, noindex as the account sets it", async () => {
  const profile = await api(alice, "PATCH", "/api/v1/accounts/update_credentials", {
    display_name: "Alice <Example>",
    note: "Gardener and <b>tinkerer</b>",
    fields_attributes: [{ name: "Website", value: "https://alice.example/" }],
  });
  assert.equal(profile.status, 200, JSON.stringify(profile.body));
  // Posted a few at a time; their order is their ids' (newest first on every page).
  const written: { id: string; url: string; content: string }[] = [];
  for (let i = 0; i < 23; i += 6) written.push(...(await Promise.all(Array.from({ length: Math.min(6, 23 - i) }, (_, j) => post(alice, `Garden note number ${i + j + 1}`)))));
  written.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  const numberOf = (text: string) => /number (\d+)/.exec(text)![1];
  const numbers = written.map((w) => numberOf(w.content)).reverse();
  await post(alice, "A followers-only secret", { visibility: "private" });
  assert.equal((await api(alice, "POST", `/api/v1/statuses/${written[0].id}/pin`)).status, 200);

  const page = await visit("/@alice");
  assert.equal(page.status, 200);
  assertPageHeaders(page);
  assert.ok(findOne((e) => e.name === "h1" && textContent(e) === "Alice <Example>", page.doc.children), "display name, escaped");
  assert.ok(!page.text.includes("<Example>"), "nothing a user typed goes out unescaped");
  assert.ok(page.text.includes("Gardener and &lt;b&gt;tinkerer&lt;/b&gt;"), "the bio, as the API renders it");
  const website = findOne((e) => e.name === "a" && e.attribs.href === "https://alice.example/", page.doc.children);
  assert.ok(website, "the field's link");
  assert.match(website!.attribs.rel, /\bme\b/, "rel=me, for verification");
  assert.match(posts(page.doc)[0], new RegExp(`Pinned.*Garden note number ${numberOf(written[0].content)}\\b`), "the pinned post first");
  const recent = posts(page.doc).slice(1);
  assert.deepEqual(recent.map(numberOf), numbers.slice(0, 20), "the twenty newest, newest first");
  assert.ok(!page.text.includes("followers-only secret"));

  // Meta tags a link unfurls with.
  assert.equal(meta(page.doc, "og:url"), `${server.url}/@alice`);
  assert.equal(link(page.doc, "canonical"), `${server.url}/@alice`);
  assert.match(meta(page.doc, "og:title")!, /^Alice <Example> \(@alice@/);
  assert.equal(meta(page.doc, "og:description"), "Gardener and <b>tinkerer</b>");
  assert.equal(meta(page.doc, "og:type"), "profile");
  assert.ok(meta(page.doc, "og:image")?.startsWith(server.url), "the avatar, from this server");
  assert.equal(meta(page.doc, "twitter:title"), meta(page.doc, "og:title"));
  assert.ok(meta(page.doc, "twitter:card"));
  assert.equal(link(page.doc, "alternate", "application/rss+xml"), `${server.url}/@alice.rss`);
  assert.equal(link(page.doc, "alternate", "application/atom+xml"), `${server.url}/@alice.atom`);
  assert.equal(meta(page.doc, "robots"), "noindex, noarchive", "not indexable: the API says noindex");

  // Older, then newer again.
  const older = await visit(anchor(page.doc, "next")!);
  assert.equal(older.status, 200);
  assert.deepEqual(posts(older.doc).map(numberOf), numbers.slice(20));
  assert.equal(anchor(older.doc, "next"), undefined, "the oldest page");
  const newer = await visit(anchor(older.doc, "prev")!);
  assert.deepEqual(posts(newer.doc).map(numberOf), numbers.slice(0, 20));

  // An account that lets itself be indexed has no robots tag.
  assert.equal((await api(alice, "PATCH", "/api/v1/accounts/update_credentials", { indexable: true })).status, 200);
  assert.equal(meta((await visit("/@alice")).doc, "robots"), undefined);

  // The feed parses and lists the posts.
  const feed = await visit("/@alice.rss");
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get("content-type")!, /^application\/rss\+xml/);
  const items = elements(feed.doc, (e) => e.name === "item");
  assert.equal(items.length, 20);
  const first = items[0];
  assert.equal(textContent(findOne((e) => e.name === "link", first.children)!), written[22].url);
  assert.equal(textContent(findOne((e) => e.name === "description", first.children)!), written[22].content);
  assert.equal(textContent(findOne((e) => e.name === "title", feed.doc.children)!), "Alice <Example>");
  const atom = await visit("/@alice.atom");
  assert.match(atom.headers.get("content-type")!, /^application\/atom\+xml/);
  const entries = elements(atom.doc, (e) => e.name === "entry");
  assert.equal(entries.length, 20);
  assert.equal(findOne((e) => e.name === "link", entries[0].children)!.attribs.href, written[22].url);
});

test("a post's page: its public thread, never a followers-only or direct reply; remote replies as the API has them; oEmbed and meta tags", async () => {
  const rootPost = await post(alice, "What should I plant this spring?");
  const publicReply = await post(bob, "@alice Tomatoes, always", { in_reply_to_id: rootPost.id });
  await post(bob, "@alice followers-only whisper", { in_reply_to_id: rootPost.id, visibility: "private" });
  await post(bob, "@alice direct whisper", { in_reply_to_id: rootPost.id, visibility: "direct" });
  await post(alice, "@bob Good idea, unlisted thanks", { in_reply_to_id: publicReply.id, visibility: "unlisted" });
  const remoteReply = await insertRemoteReply(rootPost.id);

  const page = await visit(`/@alice/${rootPost.id}`);
  assert.equal(page.status, 200);
  assertPageHeaders(page);
  const thread = posts(page.doc);
  assert.match(thread[0], /What should I plant this spring\?/);
  assert.ok(thread.some((p) => p.includes("Tomatoes, always")));
  assert.ok(thread.some((p) => p.includes("Good idea, unlisted thanks")), "unlisted replies are public enough");
  assert.ok(!page.text.includes("whisper"), "no followers-only or direct reply");
  const context = await api(null, "GET", `/api/v1/statuses/${rootPost.id}/context`);
  const remote = context.body.descendants.find((s: { id: string }) => s.id === remoteReply);
  assert.ok(remote, "the remote reply is public");
  assert.ok(page.text.includes(remote.content), "the remote reply's HTML is the API's");
  assert.equal(elements(page.doc, (e) => e.name === "a" && e.attribs.href === "javascript:alert(1)").length, 0);

  assert.equal(meta(page.doc, "og:description"), "What should I plant this spring?");
  assert.equal(meta(page.doc, "og:url"), `${server.url}/@alice/${rootPost.id}`);
  assert.equal(meta(page.doc, "og:type"), "article");
  assert.equal(meta(page.doc, "twitter:card"), "summary", "no picture: the avatar, small");
  assert.equal(meta(page.doc, "og:image"), `${server.url}/avatars/original/missing.png`);
  assert.equal(link(page.doc, "canonical"), rootPost.url);
  const oembed = link(page.doc, "alternate", "application/json+oembed")!;
  const embed = await api(null, "GET", oembed.slice(server.url.length));
  assert.equal(embed.status, 200);
  assert.equal(embed.body.type, "rich");
  assert.ok(embed.body.html.includes("What should I plant this spring?"));

  // A reply's own page shows its ancestor; a post named under another account, or not public, is a 404 page.
  assert.match(posts((await visit(`/@bob/${publicReply.id}`)).doc)[0], /What should I plant/);
  const wrongAccount = await visit(`/@alice/${publicReply.id}`);
  assert.equal(wrongAccount.status, 404);
  assert.match(wrongAccount.headers.get("content-type")!, /^text\/html/);
  const secret = await post(alice, "followers only page", { visibility: "private" });
  assert.equal((await visit(`/@alice/${secret.id}`)).status, 404);
});

test("a post with a picture unfurls with it: og:image, a large Twitter card, the picture with its description, from this server", async () => {
  const uploaded = await media.upload(bob, 2, { file: media.blob(await media.photo(64, 48, "png"), "image/png"), description: "A red tomato" });
  assert.ok(uploaded.status === 200 || uploaded.status === 202, JSON.stringify(uploaded.body));
  const attachment = await media.untilProcessed(bob, uploaded.body.id);
  const note = await post(bob, "First tomato of the year", { media_ids: [attachment.id] });
  const page = await visit(`/@bob/${note.id}`);
  assert.equal(page.status, 200);
  assertPageHeaders(page);
  assert.equal(meta(page.doc, "og:image"), attachment.preview_url);
  assert.equal(meta(page.doc, "twitter:card"), "summary_large_image");
  assert.equal(meta(page.doc, "og:description"), "First tomato of the year [1 attachment]");
  const picture = findOne((e) => e.name === "img" && e.attribs.alt === "A red tomato", page.doc.children);
  assert.ok(picture, "the picture, described");
  assert.ok(picture!.attribs.src.startsWith(`${server.url}/`), "served by this server: the CSP's img-src 'self'");
  assert.equal((await fetch(picture!.attribs.src)).status, 200);
});

/** A reply from another server, stored as federation stores one (its HTML already sanitized). */
async function insertRemoteReply(parentId: string): Promise<string> {
  const sql = (query: string, params: unknown[]) => queryRows(server, query, params);
  const now = new Date().toISOString();
  const accountId = "100000000000001";
  const statusId = "100000000000002";
  await sql(
    `insert into accounts (id, username, domain, display_name, note, fields, locked, bot, discoverable, indexable, uri, url,
       followers_count, following_count, statuses_count, created_at, updated_at, inbox_url, actor_type)
     values (?, 'rosa', 'garden.example', 'Rosa', '', '[]', 0, 0, 1, 1, 'https://garden.example/users/rosa', 'https://garden.example/@rosa', 0, 0, 0, ?, ?, 'https://garden.example/users/rosa/inbox', 'Person')`,
    [accountId, now, now],
  );
  await sql(
    `insert into statuses (id, uri, url, account_id, local, in_reply_to_id, in_reply_to_account_id, reblog_of_id, conversation_id, text, content, spoiler_text, sensitive, visibility, language, application_id, replies_count, reblogs_count, favourites_count, edited_at, created_at, updated_at)
     values (?, 'https://garden.example/users/rosa/statuses/1', 'https://garden.example/@rosa/1', ?, 0, ?, ?, null, ?, '', '<p>Remote &lt;script&gt; says: <a href="https://garden.example/seeds" rel="nofollow noopener" target="_blank">seeds</a></p>', '', 0, 'public', 'en', null, 0, 0, 0, null, ?, ?)`,
    [statusId, accountId, parentId, alice.id, parentId, now, now],
  );
  return statusId;
}

test("a hashtag page and feed, /public/local, and /about with rules, registrations, moderated servers and the version", async () => {
  await post(alice, "Planting #SeedSwap today");
  await post(bob, "Bring beans to the #seedswap");
  await post(bob, "Secret #seedswap plans", { visibility: "private" });
  const tag = await visit("/tags/seedswap");
  assert.equal(tag.status, 200);
  assertPageHeaders(tag);
  const tagged = posts(tag.doc);
  assert.equal(tagged.length, 2);
  assert.match(tagged[0], /Bring beans/);
  assert.ok(!tag.text.includes("Secret"));
  assert.equal(link(tag.doc, "alternate", "application/rss+xml"), `${server.url}/tags/seedswap.rss`);
  assert.equal(meta(tag.doc, "og:title"), "#seedswap");
  const feed = await visit("/tags/seedswap.rss");
  assert.equal(feed.status, 200);
  const categories = elements(feed.doc, (e) => e.name === "item").map((i) => findAll((e) => e.name === "category", i.children).map(textContent));
  assert.deepEqual(categories, [["seedswap"], ["seedswap"]]);

  const local = await visit("/public/local");
  assert.equal(local.status, 200);
  assert.match(posts(local.doc)[0], /Bring beans/);

  assert.equal((await server.cli(["rules", "add", "Be kind to <gardeners>"])).code, 0);
  const block = await api(root.token, "POST", "/api/v1/admin/domain_blocks", { domain: "weeds.example", severity: "suspend", public_comment: "spam" });
  assert.equal(block.status, 200, JSON.stringify(block.body));
  const about = await visit("/about");
  assert.equal(about.status, 200);
  assertPageHeaders(about);
  const text = textContent(about.doc);
  assert.ok(text.includes("Be kind to <gardeners>"));
  assert.match(text, /weeds\.example\s*Suspended\s*spam/);
  assert.match(text, /Skein \d+\.\d+\.\d+/);
  const mode = (await api(null, "GET", "/api/v2/instance")).body.registrations.enabled ? /sign up/i : /closed/i;
  assert.match(textContent(findOne((e) => e.attribs.class === "registrations", about.doc.children)!), mode);
  assert.ok(text.includes("@root"), "the contact account");
});

test("a suspended account's pages answer 410 saying so; pending sign-ups and unknown pages are HTML 404s for browsers", async () => {
  const carol = await signUp(server, "carol");
  const note = await post(carol, "Soon gone");
  const action = await api(root.token, "POST", `/api/v1/admin/accounts/${carol.id}/action`, { type: "suspend" });
  assert.equal(action.status, 200, JSON.stringify(action.body));
  const gone = await visit("/@carol");
  assert.equal(gone.status, 410);
  assert.match(gone.headers.get("content-type")!, /^text\/html/);
  assert.match(textContent(gone.doc), /suspended/);
  assert.equal((await visit(`/@carol/${note.id}`)).status, 410);
  assert.equal((await visit("/@carol.rss")).status, 410);

  // A sign-up waiting for approval has no page yet.
  await signUp(server, "dave");
  await queryRows(server, "update users set approved = 0 where account_id = (select id from accounts where username = 'dave' and domain is null)");
  assert.equal((await visit("/@dave")).status, 404);

  const missing = await visit("/@nobody");
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get("content-type")!, /^text\/html/);
  const nowhere = await visit("/no/such/page");
  assert.equal(nowhere.status, 404);
  assertPageHeaders(nowhere);
  const json = await fetch(`${server.url}/@nobody`, { headers: { Accept: "application/json" } });
  assert.equal(json.status, 404);
  assert.match(json.headers.get("content-type")!, /json/);
});

test("ActivityPub clients asking the same addresses get JSON; browsers at the actor's address are sent to the profile", async () => {
  const note = await post(alice, "Federated as a Note");
  for (const path of ["/users/alice", "/@alice"]) {
    const res = await fetch(`${server.url}${path}`, { headers: ACTIVITY });
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get("content-type")!, /activity\+json|ld\+json/, path);
    const actor = await res.json();
    assert.equal(actor.type, "Person");
    assert.equal(actor.preferredUsername, "alice");
  }
  for (const path of [`/users/alice/statuses/${note.id}`, `/@alice/${note.id}`]) {
    const res = await fetch(`${server.url}${path}`, { headers: ACTIVITY });
    assert.equal(res.status, 200, path);
    const object = await res.json();
    assert.equal(object.type, "Note");
    assert.match(object.content, /Federated as a Note/);
  }
  const redirected = await fetch(`${server.url}/users/alice`, { headers: BROWSER, redirect: "manual" });
  assert.equal(redirected.status, 301);
  assert.equal(redirected.headers.get("location"), `${server.url}/@alice`);
});
