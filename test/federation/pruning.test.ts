// Remote data with limits (issue 16): `./skein prune` and tombstones, on a real server beside a
// Fedify peer (test/support/fedify-peer.ts). Remote posts and accounts are seeded 60 days old,
// each kind of local interaction on its own post; the prune (the CLI as a process, then the
// domain function) must remove exactly the posts nobody here has a part in — with their boosts,
// edits, polls, attachments and cached files — keep every other one, leave the reader's home
// timeline as it was, and reduce untied profiles to stubs whose actor still signs deliveries
// and is refilled by an Update. A post its author deleted stays deleted when a late Update or
// Create of it arrives.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Temporal as Polyfill } from "@js-temporal/polyfill";
import { Create, Delete, Note, PUBLIC_COLLECTION, Update, type Actor } from "@fedify/vocab";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { startFedifyPeer, type FedifyPeer } from "../support/fedify-peer.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openRuntime, type Runtime } from "../../src/server/context.ts";
import { sql } from "kysely";
import { newId } from "../../src/util/ids.ts";
import { FEDIFY_QUEUE } from "../../src/queue/fedify-queue.ts";

const SKEIN = "prune.test";
const PEER = "peer.prune.test";
// This file's loopback addresses (127.0.0.250–252 are reserved for it).
const SKEIN_ADDRESS = 250;
const PEER_ADDRESS = "127.0.0.251";
const DAY = 86400_000;
const OLD = new Date(Date.now() - 60 * DAY);

let fleet: Fleet;
let peer: FedifyPeer;
let alice: TestUser;
let aliceActor: Actor;
let runtime: Runtime;
let contract: ContractLog;

async function api(path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${SKEIN}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

const db = () => runtime.database.db;
const exists = async (id: string) => (await db().selectFrom("statuses").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
const byUri = (uri: string) => runtime.stores.statuses.byUri(uri);

async function remoteAccount(username: string, profile = true): Promise<string> {
  const id = newId(new Date(OLD.getTime() - DAY));
  const at = OLD.toISOString();
  await db().insertInto("accounts").values({
    id, username, domain: "far.example", display_name: username, note: profile ? `<p>About ${username}</p>` : "", fields: profile ? '[{"name":"site","value":"x"}]' : "[]",
    locked: 0, bot: 0, discoverable: 1, indexable: 1, uri: `https://far.example/users/${username}`, url: null,
    avatar_url: profile ? `https://far.example/avatars/${username}.png` : null, header_url: null,
    followers_count: 0, following_count: 0, statuses_count: 0, last_status_at: at, suspended_at: null, created_at: at, updated_at: at,
    inbox_url: `https://far.example/users/${username}/inbox`, shared_inbox_url: null, followers_url: null, featured_url: null, also_known_as: null,
    fetched_at: at, actor_type: "Person", moved_to_account_id: null,
  }).execute();
  return id;
}

async function remotePost(author: string, name: string, extra: { at?: Date; reblogOf?: string; conversation?: string; inReplyTo?: string } = {}): Promise<string> {
  const at = extra.at ?? OLD;
  const id = newId(at);
  await db().insertInto("statuses").values({
    id, uri: `https://far.example/notes/${name}`, url: null, account_id: author, local: 0, in_reply_to_id: extra.inReplyTo ?? null, in_reply_to_account_id: null,
    reblog_of_id: extra.reblogOf ?? null, conversation_id: extra.conversation ?? newId(at), text: "", content: extra.reblogOf ? "" : `<p>${name}</p>`, spoiler_text: "",
    sensitive: 0, visibility: "public", language: "en", application_id: null, replies_count: 0, reblogs_count: 0, favourites_count: 0, edited_at: null,
    created_at: at.toISOString(), updated_at: at.toISOString(),
  }).execute();
  await db().updateTable("accounts").set({ statuses_count: 1 }).where("id", "=", author).execute();
  return id;
}

/** A cached copy of `url` in the remote-media cache: file in the storage, row, accounted bytes. */
async function cached(url: string, name: string): Promise<string> {
  const key = `cache/original/${name.padEnd(64, "0")}.webp`;
  const bytes = new Uint8Array(1000).fill(7);
  await runtime.services.mediaStorage.put(key, bytes, { contentType: "image/webp" });
  await runtime.stores.mediaCache.insertPending({ key, sourceUrl: url, variant: "original", contentType: "image/webp", bytes: bytes.length, at: OLD.toISOString() });
  await runtime.stores.mediaCache.markReady(key);
  await runtime.stores.mediaCache.reserve(bytes.length, Number.MAX_SAFE_INTEGER);
  return key;
}

const published = () => Polyfill.Now.instant() as unknown as Temporal.Instant;

function peerNote(text: string): Note {
  const id = peer.newId("peer", "notes");
  const note = new Note({ id, attribution: peer.actors.peer.uri, content: `<p>${text}</p>`, url: id, to: PUBLIC_COLLECTION, published: published() });
  peer.notes.set(id.href, note);
  return note;
}

const createOf = (note: Note) => new Create({ id: new URL(`${note.id!.href}/create/${crypto.randomUUID()}`), actor: peer.actors.peer.uri, object: note, to: PUBLIC_COLLECTION, published: note.published });

/** Waits until Skein's inbox queue has nothing left to do (every activity sent so far handled). */
async function inboxDrained(): Promise<void> {
  await eventually(async () => {
    const row = await db().selectFrom("jobs").select((eb) => eb.fn.countAll<string | number>().as("n")).where("queue", "=", FEDIFY_QUEUE).executeTakeFirst();
    return Number(row?.n ?? 0) === 0;
  }, 20_000, "the inbox queue to drain");
}

const seeded: Record<string, string> = {};
let lonely: string;
let busy: string;
let followed: string;
let lonelyAvatarKey: string;
let mediaKey: string;

before(async () => {
  fleet = await startFleet([SKEIN], { firstAddress: SKEIN_ADDRESS, extraHosts: { [PEER]: PEER_ADDRESS } });
  peer = await startFedifyPeer({ host: PEER, address: PEER_ADDRESS, tls: fleet.tls });
  contract = installContractCheck(fleet.servers[SKEIN].url);
  alice = await signUp(fleet.servers[SKEIN], "alice");
  aliceActor = await peer.lookup(`alice@${SKEIN}`);
  runtime = await openRuntime(loadConfig(fleet.servers[SKEIN].env));

  // Remote accounts: one nobody here is tied to, one whose posts alice touched, one she follows.
  lonely = await remoteAccount("lonely");
  busy = await remoteAccount("busy");
  followed = await remoteAccount("followed");
  const booster = await remoteAccount("booster", false);
  lonelyAvatarKey = await cached("https://far.example/avatars/lonely.png", "a1");
  await db().insertInto("follows").values({ id: newId(), account_id: alice.id, target_account_id: followed, uri: null, created_at: OLD.toISOString(), show_reblogs: 1, notify: 0 }).execute();

  // Untouched: a post with an edit, a poll, an attachment (cached) and a remote boost; a plain one.
  seeded.doomed = await remotePost(lonely, "doomed");
  seeded.doomedBoost = await remotePost(booster, "doomed-boost", { reblogOf: seeded.doomed, at: new Date(OLD.getTime() + DAY) });
  seeded.doomed2 = await remotePost(lonely, "doomed2");
  await db().insertInto("status_edits").values({ id: newId(OLD), status_id: seeded.doomed, text: "", content: "<p>before</p>", spoiler_text: "", sensitive: 0, created_at: OLD.toISOString() }).execute();
  const pollId = newId(OLD);
  await db().insertInto("polls").values({ id: pollId, status_id: seeded.doomed, account_id: lonely, multiple: 0, hide_totals: 0, votes_count: 0, voters_count: 0, expires_at: null, expiry_notified_at: null, created_at: OLD.toISOString(), updated_at: OLD.toISOString() }).execute();
  await db().insertInto("poll_options").values([{ poll_id: pollId, position: 0, title: "yes", votes_count: 0 }, { poll_id: pollId, position: 1, title: "no", votes_count: 0 }]).execute();
  await db().insertInto("media_attachments").values({
    id: newId(OLD), status_id: seeded.doomed, account_id: lonely, type: "image", remote_url: "https://far.example/media/doomed.png", url: null, preview_url: null,
    media_type: "image/png", description: null, blurhash: null, focus_x: null, focus_y: null, width: null, height: null, position: 0, created_at: OLD.toISOString(),
  }).execute();
  mediaKey = await cached("https://far.example/media/doomed.png", "b1");

  // One post per kind of local interaction.
  const at = OLD.toISOString();
  for (const kind of ["favourites", "bookmarks", "status_pins"] as const) {
    seeded[kind] = await remotePost(busy, kind);
    await db().insertInto(kind).values({ id: newId(), account_id: alice.id, status_id: seeded[kind], uri: null, created_at: at }).execute();
  }
  const local = (extra: { reblogOf?: string; inReplyTo?: string; conversation: string }) => {
    const id = newId(OLD);
    return db().insertInto("statuses").values({
      id, uri: `https://${SKEIN}/users/alice/statuses/${id}`, url: null, account_id: alice.id, local: 1, in_reply_to_id: extra.inReplyTo ?? null, in_reply_to_account_id: null,
      reblog_of_id: extra.reblogOf ?? null, conversation_id: extra.conversation, text: "mine", content: "<p>mine</p>", spoiler_text: "", sensitive: 0, visibility: "public",
      language: "en", application_id: null, replies_count: 0, reblogs_count: 0, favourites_count: 0, edited_at: null, created_at: at, updated_at: at,
    }).execute().then(() => id);
  };
  seeded.boosted = await remotePost(busy, "boosted");
  await local({ reblogOf: seeded.boosted, conversation: newId() });
  seeded.repliedTo = await remotePost(busy, "replied-to");
  await local({ inReplyTo: seeded.repliedTo, conversation: newId() });
  const thread = newId(OLD);
  await local({ conversation: thread });
  seeded.inThread = await remotePost(busy, "in-local-thread", { conversation: thread });
  seeded.mentioning = await remotePost(busy, "mentioning");
  await db().insertInto("mentions").values({ id: newId(), status_id: seeded.mentioning, account_id: alice.id }).execute();
  seeded.quoted = await remotePost(busy, "quoted");
  const quoting = await local({ conversation: newId() });
  await db().insertInto("quotes").values({ id: newId(), status_id: quoting, account_id: alice.id, quoted_status_id: seeded.quoted, quoted_account_id: busy, quoted_uri: "https://far.example/notes/quoted", state: "accepted", authorization_uri: null, request_uri: null, created_at: at, updated_at: at }).execute();
  seeded.voted = await remotePost(busy, "voted");
  const votedPoll = newId(OLD);
  await db().insertInto("polls").values({ id: votedPoll, status_id: seeded.voted, account_id: busy, multiple: 0, hide_totals: 0, votes_count: 1, voters_count: 1, expires_at: null, expiry_notified_at: null, created_at: at, updated_at: at }).execute();
  await db().insertInto("poll_options").values({ poll_id: votedPoll, position: 0, title: "a", votes_count: 1 }).execute();
  await db().insertInto("poll_votes").values({ id: newId(), poll_id: votedPoll, account_id: alice.id, choice: 0, uri: null, created_at: at }).execute();
  seeded.notified = await remotePost(busy, "notified");
  await db().insertInto("notifications").values({ id: newId(OLD), account_id: alice.id, from_account_id: busy, type: "status", status_id: seeded.notified, group_key: `status-${seeded.notified}`, created_at: at }).execute();
  seeded.reported = await remotePost(busy, "reported");
  await db().insertInto("reports").values({ id: newId(), account_id: alice.id, target_account_id: busy, status_ids: JSON.stringify([seeded.reported]), comment: "", uri: null, created_at: at }).execute();
  // In alice's home feed (she follows the author): among her newest entries, so it stays.
  seeded.inFeed = await remotePost(followed, "in-feed");
  await db().insertInto("home_feed").values({ account_id: alice.id, status_id: seeded.inFeed }).execute();
  // Recent: younger than the retention.
  seeded.recent = await remotePost(lonely, "recent", { at: new Date(Date.now() - DAY) });
  // Rows other capabilities keep per post: the full-text index and link previews.
  await runtime.services.search.reindex();
  for (const name of ["doomed", "favourites"]) {
    const card = await runtime.stores.cards.ensure(newId(), `https://far.example/pages/${name}`, at);
    await runtime.stores.cards.link(seeded[name], card.id, at);
  }
});

after(async () => {
  await runtime?.close();
  await peer?.stop();
  await fleet?.stop();
  assert.deepEqual(contract?.violations ?? [], []);
});

test("a dry run (the CLI, as a process) counts what would go and removes nothing", async () => {
  const result = await fleet.servers[SKEIN].cli(["prune", "--older-than", "30", "--dry-run", "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.equal(report.dryRun, true);
  assert.equal(report.removed.statuses, 2, "the two untouched posts");
  assert.equal(report.removed.boosts, 1, "the remote boost of one of them");
  assert.equal(report.removed.media, 1);
  assert.equal(report.removed.cacheFiles, 2, "the attachment's and the stubbed avatar's cached files");
  assert.ok(report.sizeBefore.bytes > 0 && report.seconds >= 0, "the database's size and the time taken are reported");
  for (const id of Object.values(seeded)) assert.ok(await exists(id), "nothing removed by a dry run");
});

test("the prune (the CLI, as a process) removes exactly the posts nobody here has a part in, and leaves the home timeline as it was", async () => {
  const homeBefore = await api("/api/v1/timelines/home?limit=40");
  assert.equal(homeBefore.status, 200);
  assert.ok(homeBefore.body.some((s: { uri: string }) => s.uri === "https://far.example/notes/in-feed"), "the followed account's post is on the timeline");
  const usedBefore = await runtime.stores.mediaCache.usedBytes();

  const result = await fleet.servers[SKEIN].cli(["prune", "--older-than", "30"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /remote posts\s+2\n/);
  assert.match(result.stdout, /remote profiles reduced to stubs\s+1\n/);
  assert.match(result.stdout, /Database size: .* before, .* after/);
  assert.match(result.stdout, /Took \d+\.\d s\./);

  for (const gone of ["doomed", "doomedBoost", "doomed2"]) assert.equal(await exists(seeded[gone]), false, `${gone} is removed`);
  for (const [name, id] of Object.entries(seeded)) if (!name.startsWith("doomed")) assert.ok(await exists(id), `${name} is kept`);
  assert.equal((await db().selectFrom("status_edits").select("id").where("status_id", "=", seeded.doomed).execute()).length, 0, "edits go");
  assert.equal((await db().selectFrom("polls").select("id").where("status_id", "=", seeded.doomed).execute()).length, 0, "the poll goes");
  assert.equal((await db().selectFrom("media_attachments").select("id").where("status_id", "=", seeded.doomed).execute()).length, 0, "attachments go");
  assert.equal(await runtime.services.mediaStorage.head(mediaKey), null, "the attachment's cached file is deleted");
  assert.equal(await runtime.services.mediaStorage.head(lonelyAvatarKey), null, "the stubbed profile's cached avatar is deleted");
  assert.equal(await runtime.stores.mediaCache.byKey(mediaKey), null);
  const indexed = async (id: string) => Number((await sql<{ n: string | number }>`select count(*) as n from status_search where status_id = ${id}`.execute(db())).rows[0].n);
  assert.equal(await indexed(seeded.doomed), 0, "its search-index row goes");
  assert.equal(await indexed(seeded.favourites), 1, "a kept post stays searchable");
  assert.equal(await runtime.stores.cards.cardIdOfStatus(seeded.doomed), null, "its link-preview link goes");
  assert.notEqual(await runtime.stores.cards.cardIdOfStatus(seeded.favourites), null);
  assert.equal(await runtime.stores.mediaCache.usedBytes(), usedBefore - 2000, "the cache's accounting gives the bytes back");

  const stub = await runtime.stores.accounts.byId(lonely);
  assert.equal(stub?.note, "");
  assert.equal(stub?.fields, "[]");
  assert.equal(stub?.avatar_url, null);
  assert.equal(stub?.uri, "https://far.example/users/lonely", "identity stays");
  assert.equal(stub?.inbox_url, "https://far.example/users/lonely/inbox");
  assert.equal(stub?.statuses_count, 0, "its post count follows what was removed");
  for (const tied of [busy, followed]) assert.notEqual((await runtime.stores.accounts.byId(tied))?.note, "", "tied profiles are kept");

  const homeAfter = await api("/api/v1/timelines/home?limit=40");
  assert.deepEqual(homeAfter.body.map((s: { id: string }) => s.id), homeBefore.body.map((s: { id: string }) => s.id), "the home timeline is unchanged");

  // One prune at a time: while another process holds the lease, a second one does nothing.
  const soon = new Date(Date.now() + 60_000).toISOString();
  assert.equal(await runtime.stores.tombstones.takeLease("another-pruner", new Date().toISOString(), soon), true);
  const refused = await runtime.services.pruning.prune({ olderThanDays: 30, dryRun: false });
  assert.match(refused.skipped ?? "", /another prune is running/);
  await runtime.stores.tombstones.releaseLease("another-pruner");

  // The domain function, run again: nothing left to remove.
  const again = await runtime.services.pruning.prune({ olderThanDays: 30, dryRun: false });
  assert.equal(again.removed.statuses + again.removed.boosts + again.removed.accountsStubbed, 0);
  assert.ok(again.sizeAfter && again.sizeAfter.bytes > 0, "the database's size is measured");
});

test("a deleted post is not brought back by a late Update or Create, even when the Delete came first", async () => {
  const note = peerNote("soon deleted");
  await peer.send("peer", aliceActor, createOf(note));
  await eventually(() => byUri(note.id!.href), 20_000, "the post stored");
  await peer.send("peer", aliceActor, new Delete({ id: new URL(`${note.id!.href}#delete`), actor: peer.actors.peer.uri, object: note.id, to: PUBLIC_COLLECTION }));
  await eventually(async () => !(await byUri(note.id!.href)), 20_000, "the post deleted");

  await peer.send("peer", aliceActor, new Update({ id: new URL(`${note.id!.href}#update`), actor: peer.actors.peer.uri, object: note.clone({ content: "<p>edited after</p>" }), to: PUBLIC_COLLECTION }));
  await peer.send("peer", aliceActor, createOf(note));
  // A Delete that overtakes its Create.
  const early = peerNote("deleted before it arrived");
  await peer.send("peer", aliceActor, new Delete({ id: new URL(`${early.id!.href}#delete`), actor: peer.actors.peer.uri, object: early.id, to: PUBLIC_COLLECTION }));
  await peer.send("peer", aliceActor, createOf(early));
  const control = peerNote("an ordinary post");
  await peer.send("peer", aliceActor, createOf(control));
  await eventually(() => byUri(control.id!.href), 20_000, "a later post stored");
  await inboxDrained();
  assert.equal(await byUri(note.id!.href), undefined, "the late Update and Create are ignored");
  assert.equal(await byUri(early.id!.href), undefined, "the Create after its Delete is ignored");
  assert.equal(await runtime.services.tombstones.isDeleted(note.id!.href), true);

  // Expired tombstones go with the prune (run as if 40 days had passed; nothing else is that old).
  const later = await runtime.services.pruning.prune({ olderThanDays: 3650, dryRun: false, now: new Date(Date.now() + 40 * DAY) });
  assert.ok(later.removed.tombstonesExpired >= 2);
  assert.equal(await runtime.services.tombstones.isDeleted(note.id!.href), false);
});

test("a stubbed actor still delivers signed activities, and its Update refills the profile", async () => {
  const account = await runtime.stores.accounts.byUri(peer.actors.peer.uri.href);
  assert.ok(account, "the peer's actor is known");
  assert.match(account.note, /A test peer built directly on Fedify/);
  // Age it past the retention; nobody here follows it or has touched it.
  const old = OLD.toISOString();
  await db().updateTable("accounts").set({ updated_at: old, last_status_at: old }).where("id", "=", account.id).execute();
  await db().deleteFrom("notifications").where("from_account_id", "=", account.id).execute();
  const report = await runtime.services.pruning.prune({ olderThanDays: 30, dryRun: false });
  assert.equal(report.removed.accountsStubbed, 1);
  assert.equal((await runtime.stores.accounts.byId(account.id))?.note, "", "reduced to a stub");

  const signed = peerNote("signed by a stub");
  await peer.send("peer", aliceActor, createOf(signed));
  await eventually(() => byUri(signed.id!.href), 20_000, "the stub's signed post accepted");

  const actor = await peer.lookup(peer.actors.peer.uri.href);
  await peer.send("peer", aliceActor, new Update({ id: peer.newId("peer", "updates"), actor: peer.actors.peer.uri, object: actor, to: PUBLIC_COLLECTION }));
  const refilled = await eventually(async () => {
    const shown = await api(`/api/v1/accounts/${account.id}`);
    return /A test peer built directly on Fedify/.test(shown.body?.note ?? "") ? shown.body : null;
  }, 20_000, "the profile refilled by the Update");
  assert.equal(refilled.acct, `peer@${PEER}`);
});
