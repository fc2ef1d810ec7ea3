// Real payloads from many servers (the shared fixture corpus, see test/support/activitypub-corpus.ts)
// through Skein's inbound path, on the database of the suite's kind, with no network access:
// every one is processed without a crash, and the common cases map to the right stored model.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { configure, reset } from "@logtape/logtape";
import { freshDatabase } from "../support/server.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openRuntime, type Runtime } from "../../src/server/context.ts";
import { toAccount } from "../../src/convert/mastodon/account.ts";
import { toStatus } from "../../src/convert/mastodon/status.ts";
import type { StatusRow } from "../../src/store/statuses.ts";
import {
  CorpusHarness, corpusAvailable, FIXTURE_DIR, forbidNetwork, loadCorpus, logSink, networkAttempts, offlineLookups, type Corpus, type Outcome,
} from "../support/activitypub-corpus.ts";

// The fewest payloads that must end as stored rows; raise it when Skein maps more.
const MIN_MAPPED = 91;

forbidNetwork();

const available = corpusAvailable();
if (!available && process.env.CI) throw new Error(`The ActivityPub fixture corpus is missing at ${FIXTURE_DIR} (set SKEIN_AP_FIXTURES)`);
const skip = available ? false : `no fixture corpus at ${FIXTURE_DIR} (set SKEIN_AP_FIXTURES)`;

let corpus: Corpus;

before(async () => {
  if (!available) return;
  corpus = loadCorpus();
  await configure({
    sinks: { keep: logSink },
    loggers: [
      { category: ["skein"], sinks: ["keep"], lowestLevel: "info" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
});

after(async () => {
  await reset();
});

/** A runtime on a fresh database of the suite's kind, with the offline harness over it. */
async function openHarness(): Promise<{ harness: CorpusHarness; runtime: Runtime; close: () => Promise<void> }> {
  const database = await freshDatabase();
  const runtime = await openRuntime(loadConfig({ ...database.env, LOCAL_DOMAIN: "skein.test", SKEIN_ENV: "test" }));
  return {
    harness: new CorpusHarness(runtime, corpus),
    runtime,
    close: async () => {
      await runtime.close();
      await database.drop();
    },
  };
}

// Activities that undo or delete go last, so they do not take away what the others refer to.
const ORDER = ["actor", "object", "create", "update", "announce", "like", "follow", "accept-reject", "block", "flag", "add-remove", "other-activity", "collection", "nodeinfo", "webfinger", "undo", "delete", "move"];
const rank = (category: string) => (ORDER.includes(category) ? ORDER.indexOf(category) : ORDER.length);

describe("the ActivityPub fixture corpus", { skip }, () => {
  let harness: CorpusHarness;
  let runtime: Runtime;
  let close: () => Promise<void>;
  const outcomes: Outcome[] = [];

  before(async () => {
    ({ harness, runtime, close } = await openHarness());
  });
  after(async () => {
    await close?.();
  });

  test("every payload is processed without a crash", async (t) => {
    const fixtures = [...corpus.fixtures].sort((a, b) => rank(a.category) - rank(b.category));
    for (const fixture of fixtures) outcomes.push(await harness.process(fixture));

    const count = (result: string) => outcomes.filter((o) => o.result === result).length;
    const summary = {
      processed: outcomes.length,
      parsedOk: outcomes.filter((o) => o.parsedOk).length,
      mapped: count("mapped"),
      parsed: count("parsed"),
      ignored: count("ignored"),
      crashed: count("crashed"),
    };
    t.diagnostic(`fixture corpus (${runtime.database.kind}): ${JSON.stringify(summary)}`);
    t.diagnostic(`offline: ${harness.loader.refused.length} fetches refused by the document loader, ${offlineLookups.length} DNS look-ups answered "not found" (Fedify's WebFinger fallback), ${networkAttempts.length} network attempts`);
    const reasons = new Map<string, string[]>();
    for (const o of outcomes.filter((o) => o.result === "ignored")) reasons.set(o.reason, [...(reasons.get(o.reason) ?? []), o.file]);
    for (const [reason, files] of [...reasons].sort((a, b) => b[1].length - a[1].length)) t.diagnostic(`ignored ×${files.length}: ${reason} — ${files.join(", ")}`);
    for (const o of outcomes.filter((o) => o.result === "crashed")) t.diagnostic(`CRASH ${o.file}: ${(o.error as Error)?.stack ?? o.reason}`);
    if (process.env.SKEIN_FIXTURE_REPORT) for (const o of outcomes) t.diagnostic(`${o.result.padEnd(7)} ${o.file} [${o.type}] ${o.reason}`);

    assert.equal(summary.processed, corpus.manifestCount, "every file MANIFEST.tsv lists is processed");
    assert.deepEqual(outcomes.filter((o) => o.result === "crashed").map((o) => `${o.file}: ${o.reason}`), [], "no exception escapes Skein");
    assert.ok(summary.mapped >= MIN_MAPPED, `at least ${MIN_MAPPED} payloads map to stored rows (got ${summary.mapped})`);
    assert.deepEqual(networkAttempts, [], "nothing reached the network");
  });

  test("nothing stored from the corpus keeps scripts, styles or event handlers", async () => {
    const db = runtime.database.db;
    const statuses = await db.selectFrom("statuses").select(["uri", "content", "spoiler_text"]).execute();
    const accounts = await db.selectFrom("accounts").select(["uri", "display_name", "note", "fields"]).execute();
    assert.ok(statuses.length > 20 && accounts.length > 20);
    const texts = [
      ...statuses.map((s) => [s.uri, s.content + s.spoiler_text] as const),
      ...accounts.map((a) => [a.uri, a.display_name + a.note + (JSON.parse(a.fields) as { name: string; value: string }[]).map((f) => f.name + f.value).join("")] as const),
    ];
    const bad = /<(script|style|iframe|img|object|embed|svg|form|input)\b|\sstyle=|\son[a-z]+=|javascript:/i;
    assert.deepEqual(texts.filter(([, text]) => bad.test(text)).map(([uri, text]) => `${uri}: ${text.match(bad)?.[0]}`), []);
  });
});

describe("what common payloads map to", { skip }, () => {
  let harness: CorpusHarness;
  let runtime: Runtime;
  let close: () => Promise<void>;
  const ctx = () => ({ origin: runtime.config.origin });

  before(async () => {
    ({ harness, runtime, close } = await openHarness());
  });
  after(async () => {
    await close?.();
  });

  /** Processes a fixture (or a variant of one) and expects it stored. */
  async function mapped(file: string, change?: (json: Record<string, unknown>) => void): Promise<Outcome> {
    const fixture = corpus.byFile(file);
    const json = structuredClone(fixture.json);
    change?.(json);
    const outcome = await harness.process({ ...fixture, json });
    assert.equal(outcome.result, "mapped", `${file}: ${outcome.reason}`);
    return outcome;
  }

  /** A stored status as the Mastodon API shows it. */
  async function apiStatus(uri: string) {
    const row = await runtime.stores.statuses.byUri(uri);
    assert.ok(row, `status ${uri} is stored`);
    const [view] = await runtime.services.statusViews([row as StatusRow], null);
    return toStatus(view, ctx()) as Record<string, any>;
  }

  async function apiAccount(uri: string) {
    const row = await runtime.stores.accounts.byUri(uri);
    assert.ok(row, `account ${uri} is stored`);
    return toAccount(row, ctx());
  }

  const objectOf = (file: string) => {
    const json = corpus.byFile(file).json;
    return (json.type === "Create" ? json.object : json) as Record<string, any>;
  };

  test("a Mastodon reply: mentions of known accounts become mention rows, the others are left", async () => {
    const file = "mastodon__object__note-replies-collection.json";
    await harness.stubAccount("https://stereophonic.space/users/fixpoint");
    await harness.stubAccount("https://blob.cat/users/blobyoumu");
    await mapped(file);
    const status = await apiStatus(objectOf(file).id);
    assert.deepEqual(status.mentions.map((m: { url: string }) => m.url).sort(), ["https://blob.cat/users/blobyoumu", "https://stereophonic.space/users/fixpoint"]);
    // The parent is not available offline: the reply is kept without it.
    assert.equal(status.in_reply_to_id, null);
    assert.equal(status.visibility, "public");
    assert.equal(status.language, "en");
  });

  test("a Create with a content warning: summary is the spoiler text, and it is sensitive", async () => {
    const file = "mastodon__create__create-contentmap.json";
    await harness.stubAccount("http://localtesting.pleroma.lol/users/lain");
    await mapped(file);
    const status = await apiStatus(objectOf(file).id);
    assert.equal(status.spoiler_text, "cw");
    assert.equal(status.sensitive, true);
    // Only contentMap carries the text here: it is the content, and names the language.
    assert.match(status.content, /@<span>lain<\/span>/);
    assert.equal(status.language, "en");
    assert.deepEqual(status.mentions.map((m: { acct: string }) => m.acct), ["lain@localtesting.pleroma.lol"]);
  });

  test("an Update from the author edits the stored post; one from anyone else changes nothing", async () => {
    const create = corpus.byFile("mastodon__create__create-contentmap.json");
    const note = objectOf(create.file);
    const update = (actor: string, text: string) => ({
      ...create,
      file: "update-variant",
      json: { ...create.json, id: `${note.id}#update-${text}`, type: "Update", actor, object: { ...note, contentMap: { en: `<p>${text}</p>` }, updated: "2018-06-01T00:00:00Z" } },
    });
    const edited = await harness.process(update(create.json.actor as string, "edited"));
    assert.equal(edited.result, "mapped", edited.reason);
    const status = await apiStatus(note.id);
    assert.equal(status.content, "<p>edited</p>");
    assert.ok(status.edited_at);
    const forged = await harness.process(update("http://localtesting.pleroma.lol/users/lain", "forged"));
    assert.equal(forged.result, "ignored", forged.reason);
    assert.equal((await apiStatus(note.id)).content, "<p>edited</p>");
  });

  test("contentMap names the language", async () => {
    await mapped("mastodon__object__note-language.json");
    assert.equal((await apiStatus(objectOf("mastodon__object__note-language.json").id)).language, "ja");
    await mapped("fedibird__object__note-quote.json");
    assert.equal((await apiStatus(objectOf("fedibird__object__note-quote.json").id)).language, "ja");
  });

  test("a vote in a poll is not stored as a post", async () => {
    const outcome = await harness.process(corpus.byFile("gotosocial__create__create-poll-vote.json"));
    assert.equal(outcome.result, "ignored", outcome.reason);
    assert.equal(await runtime.stores.statuses.byUri(objectOf("gotosocial__create__create-poll-vote.json").id), undefined);
  });

  test("language tags: the primary subtag, never a cut one", async () => {
    const base = corpus.byFile("mastodon__object__note-language.json");
    const variant = async (id: string, contentMap: Record<string, string>) => {
      const outcome = await harness.process({ ...base, json: { ...base.json, id: `https://mastodon.social/users/akkoma_ap_integration_tester/statuses/${id}`, contentMap } });
      assert.equal(outcome.result, "mapped", outcome.reason);
      return (await apiStatus(`https://mastodon.social/users/akkoma_ap_integration_tester/statuses/${id}`)).language;
    };
    assert.equal(await variant("lang-zh", { "zh-Hant": "<p>字</p>" }), "zh");
    assert.equal(await variant("lang-ast", { ast: "<p>nun</p>" }), null);
    assert.equal(await variant("lang-und", { und: "<p>?</p>" }), null);
  });

  test("hashtags become tags, once each; custom emoji tags are not hashtags", async () => {
    await mapped("mastodon__create__create-no-context-2018.json");
    assert.deepEqual((await apiStatus(objectOf("mastodon__create__create-no-context-2018.json").id)).tags.map((t: { name: string }) => t.name), ["coffee"]);
    await mapped("owncast__object__note-no-context.json");
    assert.deepEqual((await apiStatus(objectOf("owncast__object__note-no-context.json").id)).tags.map((t: { name: string }) => t.name).sort(), ["owncast", "streaming"]);
    await mapped("gotosocial__object__note-attachments.json");
    assert.deepEqual((await apiStatus(objectOf("gotosocial__object__note-attachments.json").id)).tags.map((t: { name: string }) => t.name), ["welcome"]);
  });

  test("remote attachments are kept, with blurhash and focus", async () => {
    const status = await apiStatus(objectOf("gotosocial__object__note-attachments.json").id);
    assert.match(status.content, /first post on the instance/);
    assert.equal(status.media_attachments.length, 1);
    const [media] = status.media_attachments;
    assert.equal(media.type, "image");
    assert.equal(media.blurhash, "LIIE|gRj00WB-;j[t7j[4nWBj[Rj");
    assert.deepEqual(media.meta?.focus, { x: -0.5, y: 0.5 });
    // Mastodon's older form: a Document with a media type.
    await mapped("mastodon__create__create-with-attachment.json");
    const older = await apiStatus(objectOf("mastodon__create__create-with-attachment.json").id);
    assert.deepEqual(older.media_attachments.map((m: { type: string }) => m.type), ["image"]);
  });

  test("an attachment's summary (GoToSocial's alt text) is its description", async () => {
    const [media] = (await apiStatus(objectOf("gotosocial__object__note-attachments.json").id)).media_attachments;
    assert.equal(media?.description, "Black and white image of some 50's style text saying: Welcome On Board");
  });

  test("polls (Question) are stored as statuses", async () => {
    for (const file of ["misskey__object__question-no-endtime.json", "pleroma__object__question-poll.json", "smithereen__object__question-non-anonymous.json"]) {
      await mapped(file);
      await apiStatus(objectOf(file).id);
    }
    assert.match((await apiStatus(objectOf("misskey__object__question-no-endtime.json").id)).content, /How are your notifications now\?/);
  });

  test("remote polls keep their options and their server's counts", async () => {
    const status = await apiStatus(objectOf("pleroma__object__question-poll.json").id);
    assert.deepEqual(status.poll?.options.map((o: { title: string }) => o.title), ["yes", "no"]);
    assert.equal(status.poll?.multiple, false);
  });

  test("quote posts keep the quoted post as a link", async () => {
    const quoted = "https://example.com/objects/43479e20-c0f8-4f49-bf7f-13fab8234924";
    for (const file of ["misskey__object__note-quote.json", "fedibird__object__note-quote.json"]) {
      await mapped(file);
      const content = (await apiStatus(objectOf(file).id)).content as string;
      assert.ok(content.includes(`RE: <a href="${quoted}"`), `${file}: ${content}`);
    }
    // When the text links the quoted post already, nothing is added.
    const linked = "https://example.com/objects/30c543fb-a165-40dd-87fd-4e249ec5a40b";
    await mapped("misskey__object__note-quote.json", (json) => {
      json.id = "https://misskey.io/notes/934gok3482-variant";
      json._misskey_quote = json.quoteUrl = linked;
    });
    const content = (await apiStatus("https://misskey.io/notes/934gok3482-variant")).content as string;
    assert.equal(content.split(linked).length - 1, 2, "the link (href and text) appears once");
    assert.doesNotMatch(content, /<p>RE:/);
  });

  test("Misskey extras (_misskey_content, MFM source) are ignored: the HTML is the content", async () => {
    await mapped("misskey__object__note-misskey-content-underscore.json");
    const status = await apiStatus(objectOf("misskey__object__note-misskey-content-underscore.json").id);
    assert.match(status.content, /mfm goes here/);
    assert.doesNotMatch(status.content, /\$\[jelly/);
    assert.deepEqual(status.tags.map((t: { name: string }) => t.name), ["dancedance"]);
  });

  test("PeerTube videos and Mobilizon events show as Mastodon shows them: title and link", async () => {
    await mapped("peertube__create__create-video-framatube.json");
    const video = await apiStatus(objectOf("peertube__create__create-video-framatube.json").id);
    assert.match(video.content, /<strong>Déframasoftisons Internet \[Framasoft\]<\/strong>/);
    assert.match(video.content, /href="https:\/\/framatube\.org\/videos\/watch\/6050732a-8a7a-43d4-a6cd-809525a1d206"/);
    assert.equal(video.url, "https://framatube.org/videos/watch/6050732a-8a7a-43d4-a6cd-809525a1d206");
    assert.equal(video.account.acct, "framasoft@framatube.org");
    await mapped("mobilizon__object__event.json");
    const event = await apiStatus(objectOf("mobilizon__object__event.json").id);
    assert.match(event.content, /Caledonian scottish dance class/);
  });

  test("remote HTML is sanitized: no scripts, styles or event handlers survive", async () => {
    const hostile = {
      "@context": ["https://www.w3.org/ns/activitystreams", { Hashtag: "as:Hashtag" }],
      id: "https://evil.example/notes/1",
      type: "Note",
      attributedTo: "https://evil.example/users/mallory",
      to: ["https://www.w3.org/ns/activitystreams#Public"],
      summary: "<b onmouseover=\"alert(1)\">careful</b>",
      content:
        '<p style="color:red" onclick="alert(1)">hi<script>alert(1)</script><img src="x" onerror="alert(2)">' +
        '<a href="javascript:alert(3)" onclick="x()">bad link</a><iframe src="https://evil.example/"></iframe><style>p{}</style>' +
        '<a href="https://ok.example/" style="font-size:99px" class="mention evil" data-x="1">ok</a><svg onload="alert(4)"></svg></p>',
      // Tags by reference are not fetched (a hostile post could name thousands).
      tag: ["https://evil.example/tags/1", { type: "Hashtag", name: "#fine", href: "https://evil.example/tags/fine" }],
    };
    const outcome = await harness.process({ file: "hostile-note", implementation: "test", category: "object", json: hostile, repaired: null });
    assert.equal(outcome.result, "mapped", outcome.reason);
    const status = await apiStatus(hostile.id);
    for (const bad of [/<script/i, /alert\(/, /\sstyle=/i, /\son\w+=/i, /javascript:/i, /<iframe/i, /<img/i, /<svg/i, /data-x/, /evil"/]) {
      assert.doesNotMatch(status.content, bad);
    }
    assert.match(status.content, /<a href="https:\/\/ok\.example\/" class="mention" rel="nofollow noopener" target="_blank">ok<\/a>/);
    assert.equal(status.spoiler_text, "careful");
    assert.deepEqual(status.tags.map((t: { name: string }) => t.name), ["fine"]);
    assert.deepEqual(harness.loader.refused.filter((u) => u.startsWith("https://evil.example/tags/")), [], "tag references were not fetched");

    const hostileActor = {
      "@context": ["https://www.w3.org/ns/activitystreams", { schema: "http://schema.org#", PropertyValue: "schema:PropertyValue", value: "schema:value" }],
      id: "https://evil.example/users/mallory",
      type: "Person",
      preferredUsername: "mallory",
      name: '<img src=x onerror="alert(1)">Mallory<script>alert(2)</script>',
      summary: '<p onclick="alert(1)" style="x">bio<script>alert(2)</script></p>',
      inbox: "https://evil.example/users/mallory/inbox",
      attachment: [{ type: "PropertyValue", name: "<b>site</b>", value: '<a href="javascript:alert(1)">x</a><a href="https://ok.example/" onclick="y()">ok</a>' }, "https://evil.example/attachments/1"],
    };
    const actorOutcome = await harness.process({ file: "hostile-actor", implementation: "test", category: "actor", json: hostileActor, repaired: null });
    assert.equal(actorOutcome.result, "mapped", actorOutcome.reason);
    const account = await apiAccount(hostileActor.id);
    assert.equal(account.display_name, "Mallory");
    for (const text of [account.note, ...account.fields.map((f) => f.name + f.value)]) {
      for (const bad of [/<script/i, /alert\(/, /\sstyle=/i, /\son\w+=/i, /javascript:/i, /<img/i, /<b>/]) assert.doesNotMatch(text, bad);
    }
    assert.deepEqual(account.fields.map((f) => f.name), ["site"]);
  });

  test("Mastodon actors: fields (PropertyValue), locked, discoverable, indexable, bot, group", async () => {
    await mapped("mastodon__actor__person-fields-emoji.json");
    const emelie = await apiAccount("https://mastodon.social/users/emelie");
    assert.equal(emelie.acct, "emelie@mastodon.social");
    assert.equal(emelie.display_name, "emelie 🎨");
    assert.deepEqual(emelie.fields.map((f) => f.name), ["Ko-fi", "Instagram", "Carrd", "Artstation"]);
    assert.match(emelie.fields[0].value, /^<a href="https:\/\/ko-fi\.com\/emeliepng" rel="nofollow noopener" target="_blank">/);
    assert.match(emelie.note, /#<span>Sweden<\/span>/);
    assert.equal(emelie.locked, false);
    assert.equal(emelie.avatar, "https://files.mastodon.social/accounts/avatars/000/015/657/original/e7163f98280da1a4.png");

    await mapped("friendica__actor__person.json");
    assert.equal((await apiAccount("https://soc.schuerz.at/profile/jakob")).locked, true, "manuallyApprovesFollowers");

    await mapped("wordpress__actor__person.json");
    const wordpress = await apiAccount("https://pfefferle.org/author/pfefferle/");
    assert.equal(wordpress.discoverable, true);
    assert.equal(wordpress.indexable, true);
    assert.equal(wordpress.noindex, false);

    await mapped("mastodon__actor__service-bot-actor.json");
    const bot = await apiAccount("https://mastodont.cat/users/fediverse");
    assert.equal(bot.bot, true);
    assert.equal(bot.discoverable, true);
    assert.equal(bot.indexable, false);

    // The same handle under another URI is refused (until WebFinger confirms it), not a crash.
    const moved = await harness.process({ ...corpus.byFile("mastodon__actor__person-fields-emoji.json"), json: { ...corpus.byFile("mastodon__actor__person-fields-emoji.json").json, id: "https://mastodon.social/ap/users/15657" } });
    assert.equal(moved.result, "ignored", moved.reason);
    assert.equal((await apiAccount("https://mastodon.social/users/emelie")).acct, "emelie@mastodon.social");

    await mapped("guppe__actor__group.json");
    const group = await apiAccount("https://gup.pe/u/bernie2020");
    assert.equal(group.group, true);
    assert.equal(group.discoverable, false);
  });
});

