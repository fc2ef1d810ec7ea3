// Scheduled statuses, end to end: scheduled through masto.js (scheduled_at, at least 5 minutes
// ahead), listed, moved, cancelled, kept within Mastodon's limits, their uploads reserved; then
// published by the scheduler once their time has come — time passing is the row's scheduled_at
// moved into the past in the database — through the ordinary posting path (poll, media, mention
// notification). The last test stops the server, moves the time and starts it again on the same
// data: the post appears exactly once; on PostgreSQL two processes sweep the same database.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRestAPIClient } from "masto";
import { databaseKind, startServer, type TestServer } from "../support/server.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import type { ContractLog } from "../support/openapi.ts";
// Its statuses may carry quotes, whose description's oneOf no answer can satisfy (see there).
import { installQuoteAwareContractCheck as installContractCheck } from "../support/quote-contract.ts";
import { apiCaller } from "../support/api.ts";
import { queryRows } from "../support/server-db.ts";
import { eventually } from "../support/federation-fleet.ts";
import { mediaFixtures } from "../support/media-uploads.ts";
import { rejectsWith } from "../support/e2e.ts";

// Sweeps every 0.2 s instead of every 10 s (scheduled statuses) and every hour (unattached uploads).
const env = { SCHEDULED_STATUSES_INTERVAL: "0.2", MEDIA_PRUNE_INTERVAL: "0.2" };
let server: TestServer;
const contracts: ContractLog[] = [];
const extraServers: TestServer[] = [];
let alice: TestUser;
let bob: TestUser;
const api = apiCaller(() => server.url);
const media = mediaFixtures(() => server);

before(async () => {
  server = await startServer({ env });
  contracts.push(installContractCheck(server.url));
  alice = await signUp(server, "alice");
  bob = await signUp(server, "bob");
});

after(async () => {
  for (const extra of extraServers) await extra.stop();
  await server.stop();
  assert.deepEqual(contracts.flatMap((c) => c.violations), []);
});

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
const DAY = 24 * 3600_000;

/** Time passes: the scheduled status is due now. */
async function makeDue(on: TestServer, id: string): Promise<void> {
  await queryRows(on, "update scheduled_statuses set scheduled_at = ? where id = ?", [new Date(Date.now() - 1000).toISOString(), id]);
}

async function processedUpload(user: TestUser, description: string): Promise<string> {
  const uploaded = await media.upload(user, 2, { file: media.blob(await media.photo(64, 48, "png"), "image/png"), description });
  assert.ok(uploaded.status === 200 || uploaded.status === 202, JSON.stringify(uploaded.body));
  return (await media.untilProcessed(user, uploaded.body.id)).id;
}

test("scheduling answers a ScheduledStatus that can be listed, read, moved and cancelled; too soon is refused", async () => {
  await assert.rejects(alice.client.v1.statuses.create({ status: "too soon", scheduledAt: inMinutes(4) }), rejectsWith(422));
  const soon = await api(alice, "POST", "/api/v1/statuses", { status: "too soon", scheduled_at: inMinutes(1) });
  assert.equal(soon.status, 422);
  assert.equal(soon.body.error, "Scheduled time must be at least 5 minutes into the future");
  assert.equal((await api(alice, "POST", "/api/v1/statuses", { status: "x", scheduled_at: "next tuesday" })).status, 422);

  const at = inMinutes(60);
  const scheduled = await alice.client.v1.statuses.create({ status: "later, #skein", scheduledAt: at, visibility: "unlisted", spoilerText: "cw", language: "en" });
  assert.equal(scheduled.scheduledAt, at);
  assert.equal(scheduled.params.text, "later, #skein");
  assert.equal(scheduled.params.visibility, "unlisted");
  assert.equal(scheduled.params.spoilerText, "cw");
  assert.equal(scheduled.params.sensitive, true, "a content warning makes it sensitive");
  assert.equal((scheduled.params as unknown as { language: string }).language, "en");
  assert.deepEqual(scheduled.mediaAttachments, []);
  // Nothing is posted yet.
  assert.equal((await alice.client.v1.accounts.$select(alice.id).statuses.list()).length, 0);

  const second = await alice.client.v1.statuses.create({ status: "even later", scheduledAt: inMinutes(120) });
  const page = await api(alice, "GET", "/api/v1/scheduled_statuses?limit=1");
  assert.deepEqual(page.body.map((s: { id: string }) => s.id), [second.id], "newest first");
  assert.match(page.headers.get("link") ?? "", new RegExp(`max_id=${second.id}.*rel="next"`));
  const listed = await alice.client.v1.scheduledStatuses.list();
  assert.deepEqual(listed.map((s) => s.id), [second.id, scheduled.id]);
  assert.deepEqual(await bob.client.v1.scheduledStatuses.list(), [], "nobody sees another's");
  await assert.rejects(bob.client.v1.scheduledStatuses.$select(scheduled.id).fetch(), rejectsWith(404));

  const fetched = await alice.client.v1.scheduledStatuses.$select(scheduled.id).fetch();
  assert.equal(fetched.params.text, "later, #skein");
  const movedTo = inMinutes(90);
  const moved = await alice.client.v1.scheduledStatuses.$select(scheduled.id).update({ scheduledAt: movedTo });
  assert.equal(moved.scheduledAt, movedTo);
  await assert.rejects(alice.client.v1.scheduledStatuses.$select(scheduled.id).update({ scheduledAt: inMinutes(2) }), rejectsWith(422));
  await assert.rejects(bob.client.v1.scheduledStatuses.$select(scheduled.id).update({ scheduledAt: inMinutes(30) }), rejectsWith(404));

  await alice.client.v1.scheduledStatuses.$select(scheduled.id).remove();
  await alice.client.v1.scheduledStatuses.$select(second.id).remove();
  assert.deepEqual(await alice.client.v1.scheduledStatuses.list(), []);
  await assert.rejects(alice.client.v1.scheduledStatuses.$select(scheduled.id).fetch(), rejectsWith(404));

  // The same Idempotency-Key gives the same scheduled status.
  const once = async () => (await (await fetch(`${server.url}/api/v1/statuses`, {
    method: "POST",
    headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/json", "Idempotency-Key": "sched-1" },
    body: JSON.stringify({ status: "once", scheduled_at: inMinutes(30) }),
  })).json()) as { id: string };
  const [first, again] = [await once(), await once()];
  assert.equal(first.id, again.id);
  await alice.client.v1.scheduledStatuses.$select(first.id).remove();
});

test("at most 25 a day and 300 in all, as on Mastodon", async () => {
  const day = new Date(Date.now() + 10 * DAY);
  const at = (hour: number) => new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 0, hour * 2)).toISOString();
  for (let i = 0; i < 25; i++) await alice.client.v1.statuses.create({ status: `daily ${i}`, scheduledAt: at(i) });
  const over = await api(alice, "POST", "/api/v1/statuses", { status: "one too many", scheduled_at: at(26) });
  assert.equal(over.status, 422);
  assert.match(over.body.error, /limit of 25 scheduled posts/);
  const nextDay = new Date(Date.parse(at(0)) + DAY).toISOString();
  const other = await alice.client.v1.statuses.create({ status: "another day", scheduledAt: nextDay });
  // Moving one onto the full day is refused too.
  await assert.rejects(alice.client.v1.scheduledStatuses.$select(other.id).update({ scheduledAt: at(27) }), rejectsWith(422));

  // 300 in all: the rest are written straight into the table (spread over many days).
  const values = Array.from({ length: 274 }, (_, i) => `(${900000000000 + i}, ${alice.id}, '${new Date(Date.now() + (20 + Math.floor(i / 20)) * DAY).toISOString()}', '{}', '2020-01-01T00:00:00.000Z')`);
  await queryRows(server, `insert into scheduled_statuses (id, account_id, scheduled_at, params, created_at) values ${values.join(", ")}`);
  const total = await api(alice, "POST", "/api/v1/statuses", { status: "301st", scheduled_at: inMinutes(400 * 24 * 60) });
  assert.equal(total.status, 422);
  assert.match(total.body.error, /limit of 300 scheduled posts/);
  await queryRows(server, "delete from scheduled_statuses where account_id = ?", [alice.id]);
});

test("the scheduler publishes due statuses once, with their media, poll and mention, through the ordinary posting path", async () => {
  const photo = await processedUpload(alice, "a scheduled photo");
  const scheduled = await alice.client.v1.statuses.create({ status: "Scheduled hello @bob", mediaIds: [photo], scheduledAt: inMinutes(30) });
  assert.deepEqual(scheduled.mediaAttachments.map((m) => [m.id, m.description]), [[photo, "a scheduled photo"]]);
  assert.deepEqual(scheduled.params.mediaIds, [photo]);
  const withPoll = await alice.client.v1.statuses.create({ status: "Scheduled question", poll: { options: ["yes", "no"], expiresIn: 3600, multiple: true }, scheduledAt: inMinutes(31) });
  assert.deepEqual((withPoll.params as unknown as { poll: { options: string[] } }).poll.options, ["yes", "no"]);
  // A quote post too (Mastodon 4.5): the quote is made when it is published.
  const bobsPost = await bob.client.v1.statuses.create({ status: "quote me later" });
  const quoting = await api(alice, "POST", "/api/v1/statuses", { status: "Scheduled quote", quoted_status_id: bobsPost.id, scheduled_at: inMinutes(32) });
  assert.equal(quoting.body.params.quoted_status_id, bobsPost.id);

  // The upload is reserved: no other post takes it, it cannot be deleted, the prune leaves it.
  await assert.rejects(alice.client.v1.statuses.create({ status: "steal", mediaIds: [photo] }), rejectsWith(422));
  await assert.rejects(alice.client.v1.statuses.create({ status: "steal later", mediaIds: [photo], scheduledAt: inMinutes(40) }), rejectsWith(422));
  assert.equal((await api(alice, "DELETE", `/api/v1/media/${photo}`)).status, 422);
  const stray = await processedUpload(alice, "never posted");
  const twoDaysAgo = new Date(Date.now() - 2 * DAY).toISOString();
  await queryRows(server, "update media_attachments set created_at = ? where id in (?, ?)", [twoDaysAgo, photo, stray]);
  await eventually(async () => (await api(alice, "GET", `/api/v1/media/${stray}`)).status === 404, 10_000, "the stray upload pruned");
  assert.equal((await api(alice, "GET", `/api/v1/media/${photo}`)).status, 200, "the reserved upload stays");

  await makeDue(server, scheduled.id);
  await makeDue(server, withPoll.id);
  await makeDue(server, quoting.body.id);
  const posted = await eventually(async () => {
    const list = await alice.client.v1.accounts.$select(alice.id).statuses.list();
    return list.length === 3 ? list : null;
  }, 10_000, "the scheduled statuses published");
  const status = posted.find((s) => s.content.includes("Scheduled hello"))!;
  assert.deepEqual(status.mentions.map((m) => m.id), [bob.id]);
  assert.deepEqual(status.mediaAttachments.map((m) => m.id), [photo]);
  assert.equal(status.application?.name, "tests", "posted as the app that scheduled it");
  const question = posted.find((s) => s.content.includes("Scheduled question"))!;
  assert.deepEqual(question.poll?.options.map((o) => o.title), ["yes", "no"]);
  assert.equal(question.poll?.multiple, true);
  const quote = (await api(alice, "GET", `/api/v1/statuses/${posted.find((s) => s.content.includes("Scheduled quote"))!.id}`)).body.quote;
  assert.deepEqual([quote?.state, quote?.quoted_status?.id], ["accepted", bobsPost.id]);
  const notifications = await bob.client.v1.notifications.list({ types: ["mention"] });
  assert.deepEqual(notifications.map((n) => n.status?.id), [status.id]);
  assert.deepEqual(await alice.client.v1.scheduledStatuses.list(), []);
  assert.deepEqual(await queryRows(server, "select scheduled_status_id from media_attachments where id = ?", [photo]), [{ scheduled_status_id: null }]);
  assert.equal((await alice.client.v1.accounts.$select(alice.id).statuses.list()).length, 3, "each published once");
});

test("a cancelled scheduled status gives its uploads back; one that can no longer be posted is dropped", async () => {
  const photo = await processedUpload(alice, "kept for later");
  const scheduled = await alice.client.v1.statuses.create({ status: "never mind", mediaIds: [photo], scheduledAt: inMinutes(30) });
  await alice.client.v1.scheduledStatuses.$select(scheduled.id).remove();
  const posted = await alice.client.v1.statuses.create({ status: "posted now instead", mediaIds: [photo] });
  assert.deepEqual(posted.mediaAttachments.map((m) => m.id), [photo]);

  // A reply whose parent is deleted before its time is dropped, like on Mastodon.
  const parent = await bob.client.v1.statuses.create({ status: "ask me later" });
  const reply = await alice.client.v1.statuses.create({ status: "@bob later!", inReplyToId: parent.id, scheduledAt: inMinutes(30) });
  // Mastodon's in_reply_to_id is a JSON integer; ours keeps every digit of the 64-bit id.
  const raw = await (await fetch(`${server.url}/api/v1/scheduled_statuses/${reply.id}`, { headers: { Authorization: `Bearer ${alice.token}` } })).text();
  assert.ok(raw.includes(`"in_reply_to_id":${parent.id},`), raw);
  await bob.client.v1.statuses.$select(parent.id).remove();
  await makeDue(server, reply.id);
  await eventually(async () => (await alice.client.v1.scheduledStatuses.list()).length === 0, 10_000, "the reply dropped");
  const texts = (await alice.client.v1.accounts.$select(alice.id).statuses.list()).map((s) => s.content);
  assert.ok(!texts.some((t) => t.includes("later!")));
});

test("a publication interrupted after the post was made is not repeated when the sweep retries", async () => {
  // As if a process made the post, then died before removing the row: the post exists under
  // the row's idempotency key and the row's lease has run out.
  const made = await alice.client.v1.statuses.create({ status: "made before the crash" });
  const scheduled = await alice.client.v1.statuses.create({ status: "must not appear twice", scheduledAt: inMinutes(30) });
  await queryRows(server, "insert into idempotency_keys (account_id, key, status_id, created_at) values (?, ?, ?, ?)", [alice.id, `scheduled-status:${scheduled.id}`, made.id, new Date().toISOString()]);
  await queryRows(server, "update scheduled_statuses set claimed_until = ? where id = ?", [new Date(Date.now() - 1000).toISOString(), scheduled.id]);
  await makeDue(server, scheduled.id);
  await eventually(async () => (await alice.client.v1.scheduledStatuses.list()).length === 0, 10_000, "the row handled");
  const texts = (await alice.client.v1.accounts.$select(alice.id).statuses.list({ limit: 40 })).map((s) => s.content);
  assert.equal(texts.filter((t) => t.includes("must not appear twice")).length, 0);
  assert.equal(texts.filter((t) => t.includes("made before the crash")).length, 1);
});

test("scheduled statuses survive a restart and are published exactly once, with poll and media", async () => {
  const photo = await processedUpload(alice, "across a restart");
  const scheduled = await alice.client.v1.statuses.create({ status: "Posted after the restart", mediaIds: [photo], scheduledAt: inMinutes(10) });
  const withPoll = await alice.client.v1.statuses.create({ status: "Asked after the restart", poll: { options: ["a", "b", "c"], expiresIn: 600 }, scheduledAt: inMinutes(10) });
  // Stop the server (its data stays), let the time come, start it again on the same data.
  await stopKeepingData(server);
  await makeDue(server, scheduled.id);
  await makeDue(server, withPoll.id);
  const restarted = await startServer({ env, sameDatabaseAs: server });
  extraServers.push(restarted);
  contracts.push(installContractCheck(restarted.url));
  // On PostgreSQL a second process sweeps the same database at the same time.
  const processes = [restarted];
  if (databaseKind === "postgres") {
    const twin = await startServer({ env, sameDatabaseAs: server });
    extraServers.push(twin);
    contracts.push(installContractCheck(twin.url));
    processes.push(twin);
  }
  const client = createRestAPIClient({ url: restarted.url, accessToken: alice.token });
  const published = await eventually(async () => {
    const posted = (await client.v1.accounts.$select(alice.id).statuses.list({ limit: 40 })).filter((s) => s.content.includes("after the restart"));
    return posted.length === 2 ? posted : null;
  }, 15_000, "the scheduled statuses published after the restart");
  assert.deepEqual(published.find((s) => s.content.includes("Posted"))!.mediaAttachments.map((m) => m.id), [photo]);
  assert.deepEqual(published.find((s) => s.content.includes("Asked"))!.poll?.options.map((o) => o.title), ["a", "b", "c"]);

  // Several due at once with two processes sweeping: each is published once.
  const batch = [];
  for (let i = 0; i < 5; i++) batch.push(await client.v1.statuses.create({ status: `batch ${i}`, scheduledAt: inMinutes(10) }));
  for (const s of batch) await makeDue(restarted, s.id);
  await eventually(async () => (await client.v1.scheduledStatuses.list()).length === 0, 15_000, "the batch published");
  const rows = await queryRows(restarted, "select text from statuses where account_id = ? and reblog_of_id is null", [alice.id]);
  const count = (text: string) => rows.filter((r) => r.text === text).length;
  assert.equal(count("Posted after the restart"), 1);
  assert.equal(count("Asked after the restart"), 1);
  for (let i = 0; i < 5; i++) assert.equal(count(`batch ${i}`), 1, `batch ${i}`);
  assert.equal(processes.length, databaseKind === "postgres" ? 2 : 1);
});

/** Ends the server process (SIGTERM, as an operator would) without removing its database. */
async function stopKeepingData(target: TestServer): Promise<void> {
  process.kill(target.pid, "SIGTERM");
  await eventually(async () => {
    try {
      process.kill(target.pid, 0);
      return false;
    } catch {
      return true;
    }
  }, 15_000, "the server stopped");
}
