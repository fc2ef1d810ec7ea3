// Report forwarding over HTTPS between two Skein servers: a user of a.test reports bob@b.test
// with forward=true; a.test sends a Flag from its instance actor (the reporter stays anonymous)
// through its delivery engine, and b.test's moderators find the report in the admin API — made
// by a.test's instance actor, about bob, naming bob's post as b.test knows it — and are told of
// it (admin.report). Once b.test rejects a.test's reports (a domain block with reject_reports),
// the next forwarded Flag is delivered and dropped: no report is stored.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import pg from "pg";
import SQLite from "better-sqlite3";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { adminUser, type AdminUser } from "../support/admin-clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import type { TestServer } from "../support/server.ts";

const FIRST_ADDRESS = 160;

let fleet: Fleet;
let alice: TestUser; // a.test, the reporter
let bob: TestUser; // b.test, reported
let bAdmin: AdminUser; // b.test
let bModerator: AdminUser; // b.test
const contracts: ContractLog[] = [];
let bobOnA = "";
let postOnB = "";
let postOnA = "";

async function api(user: { token: string } | null, server: string, pathname: string, init: RequestInit = {}) {
  const response = await fetch(`https://${server}${pathname}`, {
    ...init,
    headers: { ...(user ? { Authorization: `Bearer ${user.token}` } : {}), "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

/** One query on a server's database, beside the running server (SQLite file or PostgreSQL). */
async function query(server: TestServer, sql: { sqlite: string; postgres: string }, params: unknown[]): Promise<Record<string, unknown>[]> {
  if (server.env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: server.env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query(sql.postgres, params)).rows;
    } finally {
      await client.end();
    }
  }
  const db = new SQLite(path.join(server.env.DATA_DIR, "skein.sqlite"), { readonly: true });
  try {
    return db.prepare(sql.sqlite).all(...params) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** Whether every delivery of the activity `uri` left a.test (delivered: the rows are gone) and none was given up. */
async function delivered(uri: string): Promise<boolean> {
  const rows = await query(
    fleet.servers["a.test"],
    {
      sqlite: "select d.gave_up_at from deliveries d join outbox_activities o on o.id = d.activity_id where o.uri = ?",
      postgres: "select d.gave_up_at from deliveries d join outbox_activities o on o.id = d.activity_id where o.uri = $1",
    },
    [uri],
  );
  assert.ok(rows.every((r) => r.gave_up_at === null), `the Flag ${uri} was not given up`);
  const queued = await query(fleet.servers["a.test"], { sqlite: "select id from outbox_activities where uri = ?", postgres: "select id from outbox_activities where uri = $1" }, [uri]);
  return queued.length === 1 && rows.length === 0;
}

/** Whether b.test has no inbox job left that carries `uri` (it handled the activity). */
async function handledOnB(uri: string): Promise<boolean> {
  const rows = await query(fleet.servers["b.test"], { sqlite: "select id from jobs where payload like ?", postgres: "select id from jobs where payload like $1" }, [`%${uri}%`]);
  return rows.length === 0;
}

async function reportsOnB(): Promise<any[]> {
  const list = await api(bModerator, "b.test", "/api/v1/admin/reports");
  assert.equal(list.status, 200, JSON.stringify(list.body));
  return list.body;
}

before(async () => {
  fleet = await startFleet(["a.test", "b.test"], { firstAddress: FIRST_ADDRESS });
  for (const name of ["a.test", "b.test"]) contracts.push(installContractCheck(fleet.servers[name].url));
  alice = await signUp(fleet.servers["a.test"], "alice");
  bob = await signUp(fleet.servers["b.test"], "bob");
  bAdmin = await adminUser(fleet.servers["b.test"], "badmin", "admin");
  bModerator = await adminUser(fleet.servers["b.test"], "bmod", "moderator");

  const post = await api(bob, "b.test", "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "Cheap watches, click here", visibility: "public" }) });
  assert.equal(post.status, 200);
  postOnB = post.body.id;
  const found = await api(alice, "a.test", `/api/v2/search?q=${encodeURIComponent(post.body.uri)}&resolve=true&type=statuses`);
  assert.equal(found.status, 200, JSON.stringify(found.body));
  assert.equal(found.body.statuses.length, 1, "a.test fetched bob's post");
  postOnA = found.body.statuses[0].id;
  bobOnA = found.body.statuses[0].account.id;
});

after(async () => {
  for (const contract of contracts) assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

test("a forwarded report reaches the reported account's server as a report its moderators read, from a.test's instance actor", async () => {
  const report = await alice.client.v1.reports.create({ accountId: bobOnA, statusIds: [postOnA], comment: "spam from bob", category: "spam", forward: true });
  assert.equal(report.forwarded, true, "a.test says it forwarded the report");
  assert.deepEqual(report.statusIds, [postOnA]);
  // Not forwarded when not asked: a.test keeps it to itself.
  const kept = await alice.client.v1.reports.create({ accountId: bobOnA, comment: "just for a.test" });
  assert.equal(kept.forwarded, false);
  // forward_to_domains that leave out bob's server: not sent there (Mastodon 4.2's choice of servers).
  const elsewhere = await alice.client.v1.reports.create({ accountId: bobOnA, statusIds: [postOnA], comment: "only for c.example", forward: true, forwardToDomains: ["c.example"] });
  assert.equal(elsewhere.forwarded, false);

  const received = await eventually(async () => (await reportsOnB()).find((r) => r.comment === "spam from bob"), 30_000, "the forwarded report on b.test");
  assert.equal(received.target_account.id, bob.id, "about bob, b.test's own account");
  assert.equal(received.target_account.domain, null);
  assert.deepEqual(received.statuses.map((s: { id: string }) => s.id), [postOnB], "bob's post as b.test stores it");
  // The reporter is a.test's instance actor, not alice: reporters stay anonymous to other servers.
  assert.equal(received.account.domain, "a.test");
  assert.notEqual(received.account.username, "alice");
  assert.equal(received.account.account.acct.endsWith("@a.test"), true);
  assert.match(received.account.account.url, /^https:\/\/a\.test\/users\/instance\.actor$/);
  assert.equal(received.forwarded, false, "b.test forwarded nothing itself");
  assert.equal(received.action_taken, false);

  // b.test's moderators are told.
  const notifications = await api(bModerator, "b.test", "/api/v1/notifications?limit=40");
  const note = notifications.body.find((n: { type: string; report?: { id: string } }) => n.type === "admin.report" && n.report?.id === received.id);
  assert.ok(note, "an admin.report notification for b.test's moderator");
  assert.equal(note.account.acct, received.account.account.acct);
  // The one alice kept never left a.test.
  assert.ok(!(await reportsOnB()).some((r) => r.comment === "just for a.test" || r.comment === "only for c.example"));
});

test("a server that rejects a.test's reports drops its Flags: delivered, handled, nothing stored", async () => {
  const block = await api(bAdmin, "b.test", "/api/v1/admin/domain_blocks", { method: "POST", body: JSON.stringify({ domain: "a.test", severity: "noop", reject_reports: true }) });
  assert.equal(block.status, 200, JSON.stringify(block.body));
  assert.equal(block.body.reject_reports, true);

  const report = await alice.client.v1.reports.create({ accountId: bobOnA, statusIds: [postOnA], comment: "rejected one", forward: true });
  assert.equal(report.forwarded, true);
  const uri = `https://a.test/reports/${report.id}`;
  await eventually(() => delivered(uri), 30_000, "the second Flag delivered to b.test");
  await eventually(() => handledOnB(uri), 30_000, "b.test handling the second Flag");
  const reports = await reportsOnB();
  assert.ok(!reports.some((r) => r.comment === "rejected one"), "no report from a rejected server");
  assert.equal(reports.filter((r) => r.comment === "spam from bob").length, 1, "the earlier report stays");
});
