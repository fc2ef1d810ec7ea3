// Suspending a server, below the HTTP layer, over the suite's database: the purge job removes
// the server's accounts (subdomains included) and everything of theirs while keeping the counters
// of what survives exact, records the cut follows once however often it runs, and the delivery
// fan-out and engine send nothing to the suspended server — not even what was queued before.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { inProcessRuntime } from "../support/runtime.ts";
import type { Runtime } from "../../src/server/context.ts";
import type { AccountRow } from "../../src/store/accounts.ts";
import type { StatusRow } from "../../src/store/statuses.ts";
import { MODERATION_QUEUE } from "../../src/domain/moderation/domain-enforcement.ts";
import { DeliveryStore } from "../../src/store/deliveries.ts";
import { Fanout } from "../../src/federation/delivery/fanout.ts";
import { DeliveryEngine } from "../../src/federation/delivery/engine.ts";
import { deliveryPolicy } from "../../src/federation/moderation-policy.ts";
import type { DeliverySender } from "../../src/federation/delivery/sender.ts";
import type { SigningKey } from "../../src/federation/delivery/http-signature.ts";

let runtime: Runtime;
let close: () => Promise<void>;
let alice: AccountRow;

function remote(username: string, domain: string) {
  return runtime.services.remoteAccounts.save({
    uri: `https://${domain}/users/${username}`, username, domain, url: null, displayName: username, note: "", fields: [], locked: false, bot: false, group: false,
    discoverable: true, indexable: true, avatarUrl: null, headerUrl: null, inboxUrl: `https://${domain}/users/${username}/inbox`, sharedInboxUrl: `https://${domain}/inbox`,
    followersUrl: null, featuredUrl: null, alsoKnownAs: [], actorType: "Person", published: null,
  }) as Promise<AccountRow>;
}

function remotePost(author: AccountRow, n: number, inReplyTo: StatusRow | null = null) {
  return runtime.services.remoteStatuses.receive({
    uri: `https://${author.domain}/users/${author.username}/statuses/${n}`, url: null, author, content: `<p>post ${n}</p>`, spoilerText: "", sensitive: false,
    visibility: "public", language: null, inReplyTo, mentioned: [], tags: [], published: new Date(), updated: null,
  });
}

const count = async (table: "accounts" | "severed_relationships" | "relationship_severance_events" | "notifications", where: (q: any) => any = (q) => q) =>
  Number((await where(runtime.database.db.selectFrom(table).select((eb: any) => eb.fn.countAll().as("n"))).executeTakeFirstOrThrow()).n);

/** Runs the moderation jobs queued so far, as a worker would, `times` times each (a re-run after a crash). */
async function runModerationJobs(times = 1) {
  const jobs = await runtime.database.db.selectFrom("jobs").selectAll().where("queue", "=", MODERATION_QUEUE).execute();
  for (let i = 0; i < times; i++) for (const job of jobs) await runtime.services.moderation.enforcement.handle(JSON.parse(job.payload));
  await runtime.database.db.deleteFrom("jobs").where("queue", "=", MODERATION_QUEUE).execute();
  return jobs.length;
}

before(async () => {
  ({ runtime, close } = await inProcessRuntime());
  ({ account: alice } = await runtime.services.accounts.createLocal({ username: "alice", email: "alice@example.test", password: "correct horse battery" }));
});

after(async () => {
  await close?.();
});

test("a suspension's purge removes the server's data, keeps survivors' counters exact, and records the cut follows once", async () => {
  const { services, stores } = runtime;
  const bob = await remote("bob", "b.test");
  const dave = await remote("dave", "sub.b.test");
  const carol = await remote("carol", "c.test");
  // alice follows bob and dave; bob and carol follow alice.
  for (const target of [bob, dave]) {
    await services.relationships.follow(alice, target.id);
    await services.relationships.receiveAccept(alice, target);
  }
  await services.relationships.receiveFollow(bob, alice, "https://b.test/follows/1");
  await services.relationships.receiveFollow(carol, alice, "https://c.test/follows/1");
  const post = await services.statuses.create(alice, { text: "hello" }, null, { visibility: "public", sensitive: false, language: null });
  // bob and carol like it, bob boosts it and replies to it; bob posts on his own too.
  await services.remoteStatuses.receiveLike(bob, post, "https://b.test/likes/1", false);
  await services.remoteStatuses.receiveLike(carol, post, "https://c.test/likes/1", false);
  await services.remoteStatuses.receiveBoost(bob, post, "https://b.test/boosts/1", new Date(), "public");
  await remotePost(bob, 1, post);
  const bobsOwn = await remotePost(bob, 2);
  // alice boosts bob's post: her boost goes with it.
  const aliceBoost = await services.statuses.reblog(alice, bobsOwn.id);
  const before = await stores.statuses.byId(post.id);
  assert.deepEqual([before!.favourites_count, before!.reblogs_count, before!.replies_count], [2, 1, 1]);
  const aliceBefore = (await stores.accounts.byId(alice.id))!;
  assert.deepEqual([aliceBefore.followers_count, aliceBefore.following_count], [2, 2]);

  await services.moderation.domainBlocks.create({ accountId: null }, { domain: "b.test", severity: "suspend" });
  // Queued durably, then run twice (as after a crash that left the job in the queue).
  assert.equal(await runModerationJobs(2), 1);

  assert.equal(await count("accounts", (q) => q.where("domain", "in", ["b.test", "sub.b.test"])), 0);
  assert.equal(await count("accounts", (q) => q.where("domain", "=", "c.test")), 1);
  const after = (await stores.statuses.byId(post.id))!;
  assert.deepEqual([after.favourites_count, after.reblogs_count, after.replies_count], [1, 0, 0], "only carol's like is left");
  const aliceAfter = (await stores.accounts.byId(alice.id))!;
  assert.deepEqual([aliceAfter.followers_count, aliceAfter.following_count], [1, 0]);
  assert.equal(await stores.statuses.byId(bobsOwn.id), undefined);
  assert.equal(await stores.statuses.byId(aliceBoost.id), undefined, "alice's boost of bob's post goes with it");
  assert.equal(aliceAfter.statuses_count, aliceBefore.statuses_count - 1);

  assert.equal(await count("relationship_severance_events"), 1);
  assert.equal(await count("severed_relationships"), 3);
  const notes = await runtime.database.db.selectFrom("notifications").selectAll().where("type", "=", "severed_relationships").execute();
  assert.equal(notes.length, 1);
  assert.equal(notes[0].account_id, alice.id);
  const views = await services.moderation.severedRelationships.viewsFor(alice.id, [notes[0].relationship_severance_event_id!]);
  const view = views.get(notes[0].relationship_severance_event_id!)!;
  assert.deepEqual([view.event.target_name, view.followersCount, view.followingCount], ["b.test", 1, 2]);
  const following = await services.moderation.severedRelationships.csv(alice.id, view.event.id, "following");
  assert.deepEqual(following.body.trim().split("\n").slice(1).sort(), ["bob@b.test,true,false,", "dave@sub.b.test,true,false,"]);
  assert.match(following.filename, /^following-b\.test-\d{4}-\d{2}-\d{2}\.csv$/);
  const followers = await services.moderation.severedRelationships.csv(alice.id, view.event.id, "followers");
  assert.deepEqual(followers.body.trim().split("\n"), ["Account address", "bob@b.test"]);
});

test("a lifted block before the job runs purges nothing", async () => {
  const erin = await remote("erin", "e.test");
  const block = await runtime.services.moderation.domainBlocks.create({ accountId: null }, { domain: "e.test", severity: "suspend" });
  await runtime.services.moderation.domainBlocks.remove({ accountId: null }, block.id);
  await runModerationJobs();
  assert.ok(await runtime.stores.accounts.byId(erin.id));
});

test("a suspension whose purge was never queued (a crash in between) is caught up by the reconcile sweep, once", async () => {
  const { services, stores } = runtime;
  const fay = await remote("fay", "f.test");
  const gus = await remote("gus", "g.test");
  // The block is stored as a crash after the commit would leave it: no listener ran, no job queued.
  const now = new Date().toISOString();
  await stores.domainBlocks.insert({ id: "7100000000000001", domain: "f.test", severity: "suspend", reject_media: 0, reject_reports: 0, private_comment: "", public_comment: "", obfuscate: 0, subscription_id: null, created_at: now, updated_at: now });
  await services.moderation.policy.changed();
  assert.equal(await count("accounts", (q) => q.where("domain", "=", "f.test")), 1);

  assert.equal(await services.moderation.enforcement.reconcile(), 1, "one purge queued, for f.test only");
  assert.equal(await services.moderation.enforcement.reconcile(), 0, "not twice while it waits");
  assert.equal(await runModerationJobs(), 1);
  assert.equal(await stores.accounts.byId(fay.id), undefined);
  assert.ok(await stores.accounts.byId(gus.id));
  assert.equal(await services.moderation.enforcement.reconcile(), 0, "nothing left to purge");
});

test("nothing is fanned out to a suspended server, and deliveries queued before the block are given up when claimed", async () => {
  const deps = { config: runtime.config, services: runtime.services, stores: runtime.stores };
  const store = new DeliveryStore(runtime.database.db, runtime.database.kind);
  const policy = deliveryPolicy(deps);
  const fanout = new Fanout(store, { allowPlainHttp: false, policy });
  const inboxes = await fanout.inboxesFor({ inboxes: ["https://b.test/inbox", "https://x.sub.b.test/inbox", "https://c.test/inbox"] });
  assert.deepEqual(inboxes.map((i) => i.host), ["c.test"]);
  assert.equal(await fanout.enqueue({ accountId: alice.id, uri: "https://skein.example/a/1", body: "{}" }, [{ url: "https://b.test/inbox", host: "b.test" }]), 0);

  // Queued as if before the block: straight into the store.
  await store.enqueue({ accountId: alice.id, uri: "https://skein.example/a/2", body: "{}" }, [{ url: "https://b.test/inbox", host: "b.test" }, { url: "https://c.test/inbox", host: "c.test" }], () => new Date().toISOString());
  const sent: string[] = [];
  const sender: DeliverySender = { send: async (parcel) => (sent.push(parcel.host), { kind: "delivered", status: 202 }), close: async () => {} };
  const engine = new DeliveryEngine(store, sender, async () => ({}) as SigningKey, { concurrency: 10, perHost: 2, pollMs: 20, policy });
  const stop = new AbortController();
  const running = engine.run(stop.signal);
  const deadline = Date.now() + 10_000;
  let rows: { host: string; gave_up_at: string | null; last_error: string | null }[] = [];
  while (Date.now() < deadline) {
    rows = await runtime.database.db.selectFrom("deliveries").select(["host", "gave_up_at", "last_error"]).execute();
    if (sent.includes("c.test") && rows.some((r) => r.host === "b.test" && r.gave_up_at)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  stop.abort();
  await running;
  assert.deepEqual(sent, ["c.test"]);
  const toB = rows.find((r) => r.host === "b.test")!;
  assert.ok(toB.gave_up_at);
  assert.equal(toB.last_error, "not delivered: b.test is suspended by this server");
});
