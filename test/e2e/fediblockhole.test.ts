// FediBlockHole's way of working, reproduced against Skein: the tool many Mastodon admins use to
// push shared blocklists. The client below does what its push_blocklist does, request for
// request: read the server's blocks with a plain GET, following the first entry of `Link`
// while there are two; compare every field of each entry with the list (so comments must come
// back as "" and not null, or it rewrites them on every run); before raising a block to
// `suspend`, POST /api/v1/admin/measures for `instance_follows` of that domain and stop at
// `silence` when local accounts follow someone there; POST new blocks (200 expected, 422 with
// {"error"} tolerated), PUT changed ones. Two Skein servers on HTTPS (home.test, where the
// admin pushes, and social.far.test, whose user a home user follows) give the measure real data.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { adminUser, auditRows, type AdminUser } from "../support/admin-clients.ts";

// This file's servers listen on 127.0.0.200 and .201; other files use other ranges.
const FIRST_ADDRESS = 200;
const HOME = "home.test";
const FAR = "social.far.test";
const PRE_EXISTING = 130;

let fleet: Fleet;
let contract: ContractLog;
let admin: AdminUser;
let alice: TestUser; // home.test: follows bob
let bob: TestUser; // social.far.test
let carla: TestUser; // social.far.test: follows alice

async function api(token: string | null, server: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${server}${path}`, {
    ...init,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  return { status: response.status, headers: response.headers, body: (await response.json().catch(() => null)) as any };
}

// ---- The client: FediBlockHole's push, as its source does it ----

const SEVERITY_LEVEL: Record<string, number> = { noop: 1, silence: 2, suspend: 3 };
const FIELDS = ["domain", "severity", "public_comment", "private_comment", "reject_media", "reject_reports", "obfuscate"] as const;

interface Block {
  domain: string;
  severity: string;
  public_comment: string;
  private_comment: string;
  reject_media: boolean;
  reject_reports: boolean;
  obfuscate: boolean;
  id?: string;
}

interface Logged {
  method: string;
  path: string;
  status: number;
  body: any;
  link: string | null;
}

function block(domain: string, severity: string, fields: Partial<Block> = {}): Block {
  return { domain, severity, public_comment: "", private_comment: "", reject_media: false, reject_reports: false, obfuscate: false, ...fields };
}

/** One run of the tool against `host` with `token`; returns every request it made, in order. */
async function fediblockholePush(host: string, token: string, blocklist: Block[], maxFollowedSeverity = "silence"): Promise<Logged[]> {
  const log: Logged[] = [];
  const request = async (method: string, url: string, json?: unknown) => {
    const response = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${token}`, "User-Agent": "FediBlockHole/test", ...(json !== undefined ? { "Content-Type": "application/json" } : {}) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await response.text();
    const entry = { method, path: new URL(url).pathname + new URL(url).search, status: response.status, body: text ? JSON.parse(text) : null, link: response.headers.get("link") };
    log.push(entry);
    return entry;
  };

  // fetch_instance_blocklist(admin=True): no query at all; "next" is taken to be the first link.
  const serverBlocks: Block[] = [];
  let url: string | null = `https://${host}/api/v1/admin/domain_blocks`;
  while (url) {
    const response = await request("GET", url);
    if (response.status !== 200) throw new Error(`Unable to fetch domain block list: ${response.status}`);
    serverBlocks.push(...response.body.map((entry: Block) => ({ ...entry })));
    const pagination = response.link?.split(", ") ?? [];
    if (pagination.length !== 2) break;
    url = pagination[0].split("; ")[0].replace(/^</, "").replace(/>$/, "");
  }
  const known = new Map(serverBlocks.map((entry) => [entry.domain, entry]));

  // check_followed_severity: only a raise above max_followed_severity asks the server.
  const followedSeverity = async (domain: string, severity: string): Promise<string> => {
    if (SEVERITY_LEVEL[severity] <= SEVERITY_LEVEL[maxFollowedSeverity]) return severity;
    const response = await request("POST", `https://${host}/api/v1/admin/measures`, { keys: ["instance_follows"], instance_follows: { domain } });
    if (response.status !== 200) throw new Error(`Something went wrong: ${response.status}`);
    const total = response.body[0].total;
    // Python's int() of the string: digits only.
    if (typeof total !== "string" || !/^\d+$/.test(total)) throw new Error(`total is not an integer string: ${JSON.stringify(total)}`);
    return Number(total) > 0 ? maxFollowedSeverity : severity;
  };

  for (const wanted of blocklist) {
    const old = known.get(wanted.domain);
    if (old) {
      // compare_fields: every field, compared as it is (None != "").
      const changes: string[] = FIELDS.filter((field) => old[field] !== wanted[field]);
      const next = { ...wanted };
      if (changes.includes("severity") && SEVERITY_LEVEL[wanted.severity] > SEVERITY_LEVEL[old.severity]) {
        const severity = await followedSeverity(old.domain, wanted.severity);
        if (severity !== old.severity) next.severity = severity;
        else changes.splice(changes.indexOf("severity"), 1);
      }
      if (changes.length > 0) {
        const body = Object.fromEntries(FIELDS.map((field) => [field, { ...old, ...next }[field]]));
        const response = await request("PUT", `https://${host}/api/v1/admin/domain_blocks/${old.id}`, body);
        if (response.status !== 200) throw new Error(`Something went wrong: ${response.status}: ${JSON.stringify(response.body)}`);
      }
    } else {
      const severity = await followedSeverity(wanted.domain, wanted.severity);
      const body = Object.fromEntries(FIELDS.map((field) => [field, { ...wanted, severity }[field]]));
      const response = await request("POST", `https://${host}/api/v1/admin/domain_blocks`, body);
      // A stricter block already exists: the tool logs err['error'] and goes on.
      if (response.status === 422) {
        if (typeof response.body?.error !== "string") throw new Error(`422 without an error message: ${JSON.stringify(response.body)}`);
      } else if (response.status !== 200) throw new Error(`Something went wrong: ${response.status}: ${JSON.stringify(response.body)}`);
    }
  }
  return log;
}

// ---- The servers ----

before(async () => {
  fleet = await startFleet([HOME, FAR], { firstAddress: FIRST_ADDRESS });
  contract = installContractCheck(fleet.servers[HOME].url);
  admin = await adminUser(fleet.servers[HOME], "admin", "admin");
  alice = await signUp(fleet.servers[HOME], "alice");
  bob = await signUp(fleet.servers[FAR], "bob");
  carla = await signUp(fleet.servers[FAR], "carla");

  // alice (home) follows bob (far); carla (far) follows alice.
  const bobOnHome = (await api(alice.token, HOME, `/api/v1/accounts/lookup?acct=bob@${FAR}`)).body.id;
  await api(alice.token, HOME, `/api/v1/accounts/${bobOnHome}/follow`, { method: "POST" });
  await eventually(async () => (await api(alice.token, HOME, `/api/v1/accounts/relationships?id[]=${bobOnHome}`)).body[0]?.following, 30_000, "bob's Accept");
  const aliceOnFar = (await api(carla.token, FAR, `/api/v1/accounts/lookup?acct=alice@${HOME}`)).body.id;
  await api(carla.token, FAR, `/api/v1/accounts/${aliceOnFar}/follow`, { method: "POST" });
  await eventually(async () => (await api(carla.token, FAR, `/api/v1/accounts/relationships?id[]=${aliceOnFar}`)).body[0]?.following, 30_000, "carla following alice");
  // bob posts; it reaches alice's home, so home.test stores one post of far.
  const post = (await api(bob.token, FAR, "/api/v1/statuses", { method: "POST", body: JSON.stringify({ status: "hello from far" }) })).body;
  await eventually(async () => (await api(alice.token, HOME, "/api/v1/timelines/home")).body.some((s: { uri: string }) => s.uri === post.uri), 30_000, "bob's post on home.test");

  // Blocks the server already has: more than one page of them.
  for (let i = 0; i < PRE_EXISTING; i++) {
    const created = await api(admin.token, HOME, "/api/v1/admin/domain_blocks", { method: "POST", body: JSON.stringify({ domain: `pre-${String(i).padStart(3, "0")}.example`, severity: "silence" }) });
    assert.equal(created.status, 200, JSON.stringify(created.body));
  }
});

after(async () => {
  assert.deepEqual(contract.violations, []);
  await fleet?.stop();
});

test("instance_follows counts home's follows of far's accounts (a domain and its subdomains), as an integer string; the other measures have real data too", async () => {
  const today = new Date().toISOString().slice(0, 10);
  const measure = async (key: string, domain: string, period = false) => {
    const res = await api(admin.token, HOME, "/api/v1/admin/measures", { method: "POST", body: JSON.stringify({ keys: [key], [key]: { domain }, ...(period ? { start_at: today, end_at: today } : {}) }) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body[0].key, key);
    return res.body[0];
  };
  assert.equal((await measure("instance_follows", FAR)).total, "1");
  assert.equal((await measure("instance_follows", "far.test")).total, "1", "a block of far.test would cover social.far.test");
  assert.equal((await measure("instance_follows", "FAR.test")).total, "1", "the domain is normalised");
  assert.equal((await measure("instance_follows", "elsewhere.example")).total, "0");
  assert.equal((await measure("instance_followers", FAR)).total, "1", "carla follows alice");
  assert.equal((await measure("instance_accounts", FAR)).total, "2", "bob and carla are known on home");
  const statuses = await measure("instance_statuses", FAR, true);
  assert.equal(statuses.total, "1");
  assert.deepEqual(statuses.data, [{ date: `${today}T00:00:00.000Z`, value: "1" }]);
  const follows = await measure("instance_follows", FAR, true);
  assert.deepEqual(follows.data, [{ date: `${today}T00:00:00.000Z`, value: "1" }]);

  const peers = await api(null, HOME, "/api/v1/instance/peers");
  assert.deepEqual(peers.body, [FAR]);
});

test("FediBlockHole pushes a list: paged read, measures before each new suspension, downgrade for a followed domain, POST 200, PUT, 422 tolerated", async () => {
  const list = [
    block("far.test", "suspend", { public_comment: "bad moderation" }),
    block("new-suspend.example", "suspend", { public_comment: "spam", reject_media: true, reject_reports: true }),
    block("pre-005.example", "suspend"),
    block("pre-006.example", "silence", { public_comment: "harassment", private_comment: "see report" }),
    block("pre-007.example", "silence"),
    block("quiet.example", "noop", { reject_media: true }),
    block("sub.new-suspend.example", "silence"),
  ];
  const auditBefore = (await auditRows(fleet.servers[HOME])).length;
  const log = await fediblockholePush(HOME, admin.token, list);
  const calls = log.map((entry) => `${entry.method} ${entry.path.replace(/max_id=\d+/, "max_id=N")} ${entry.status}`);
  const ids = new Map((log[0].body as Block[]).concat(log[1].body).map((b) => [b.domain, b.id]));
  assert.deepEqual(calls, [
    "GET /api/v1/admin/domain_blocks 200",
    "GET /api/v1/admin/domain_blocks?max_id=N 200",
    "POST /api/v1/admin/measures 200", // far.test: followed → silence
    "POST /api/v1/admin/domain_blocks 200",
    "POST /api/v1/admin/measures 200", // new-suspend.example: not followed
    "POST /api/v1/admin/domain_blocks 200",
    "POST /api/v1/admin/measures 200", // pre-005.example raised to suspend
    `PUT /api/v1/admin/domain_blocks/${ids.get("pre-005.example")} 200`,
    `PUT /api/v1/admin/domain_blocks/${ids.get("pre-006.example")} 200`,
    "POST /api/v1/admin/domain_blocks 200", // quiet.example (noop: no measure)
    "POST /api/v1/admin/domain_blocks 422", // sub.new-suspend.example: its parent is suspended
  ]);

  // The pages: Mastodon's default of 100, "next" listed first, the last page without "next".
  assert.equal(log[0].body.length, 100);
  assert.match(log[0].link ?? "", /^<https:\/\/home\.test\/api\/v1\/admin\/domain_blocks\?max_id=\d+>; rel="next", <[^>]+min_id=\d+>; rel="prev"$/);
  assert.equal(log[1].body.length, PRE_EXISTING - 100);
  assert.doesNotMatch(log[1].link ?? "", /rel="next"/);
  assert.match(log[1].link ?? "", /rel="prev"/);
  // Entries carry what the tool compares, comments as strings.
  for (const entry of [...log[0].body, ...log[1].body]) {
    assert.deepEqual(Object.keys(entry).sort(), ["created_at", "digest", "domain", "id", "obfuscate", "private_comment", "public_comment", "reject_media", "reject_reports", "severity"]);
    assert.equal(entry.public_comment, "");
    assert.equal(entry.private_comment, "");
  }

  assert.deepEqual(log[2].body.map((m: { total: string }) => m.total), ["1"]);
  assert.equal(log[3].body.severity, "silence", "downgraded: a local account follows someone on far.test");
  assert.equal(log[3].body.public_comment, "bad moderation");
  assert.deepEqual(log[4].body.map((m: { total: string }) => m.total), ["0"]);
  assert.deepEqual({ ...log[5].body, id: undefined, created_at: undefined, digest: undefined }, { ...list[1], id: undefined, created_at: undefined, digest: undefined });
  assert.equal(log[7].body.severity, "suspend");
  assert.equal(log[8].body.public_comment, "harassment");
  assert.equal(log[8].body.private_comment, "see report");
  assert.equal(log[10].body.existing_domain_block.domain, "new-suspend.example");

  const audit = (await auditRows(fleet.servers[HOME])).slice(auditBefore);
  assert.deepEqual(audit.map((row) => `${row.action} ${row.human_identifier}`), [
    "create far.test", "create new-suspend.example", "update pre-005.example", "update pre-006.example", "create quiet.example",
  ]);
  assert.ok(audit.every((row) => row.account_id === admin.id));
});

test("a second run with the same list writes nothing", async () => {
  const list = [
    block("far.test", "suspend", { public_comment: "bad moderation" }),
    block("new-suspend.example", "suspend", { public_comment: "spam", reject_media: true, reject_reports: true }),
    block("pre-005.example", "suspend"),
    block("pre-006.example", "silence", { public_comment: "harassment", private_comment: "see report" }),
    block("pre-007.example", "silence"),
    block("quiet.example", "noop", { reject_media: true }),
    block("sub.new-suspend.example", "silence"),
  ];
  const listBlocks = async () => {
    const all = [];
    for (let url: string | null = "/api/v1/admin/domain_blocks?limit=200"; url; ) {
      const res = await api(admin.token, HOME, url);
      all.push(...res.body);
      url = /<https:\/\/home\.test([^>]+)>; rel="next"/.exec(res.headers.get("link") ?? "")?.[1] ?? null;
    }
    return all;
  };
  const blocksBefore = await listBlocks();
  const auditBefore = (await auditRows(fleet.servers[HOME])).length;
  const log = await fediblockholePush(HOME, admin.token, list);
  const calls = log.map((entry) => `${entry.method} ${entry.path.replace(/max_id=\d+/, "max_id=N")} ${entry.status}`);
  assert.deepEqual(calls, [
    "GET /api/v1/admin/domain_blocks 200",
    "GET /api/v1/admin/domain_blocks?max_id=N 200",
    // far.test is still followed: the tool asks, keeps silence, and changes nothing.
    "POST /api/v1/admin/measures 200",
    // The subdomain is still covered by its suspended parent: refused, nothing stored.
    "POST /api/v1/admin/domain_blocks 422",
  ]);
  assert.equal(log[0].body.length + log[1].body.length, PRE_EXISTING + 3);
  assert.equal((await auditRows(fleet.servers[HOME])).length, auditBefore, "no audit entry: nothing was written");
  assert.deepEqual(await listBlocks(), blocksBefore, "every block is as it was");
});

test("the public list FediBlockHole reads from other servers: one page, obfuscation-aware, noop left out", async () => {
  const res = await api(null, HOME, "/api/v1/instance/domain_blocks");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("link"), null, "the public list is not paged");
  const byDomain = new Map(res.body.map((b: { domain: string }) => [b.domain, b]));
  assert.deepEqual(byDomain.get("new-suspend.example"), {
    domain: "new-suspend.example", digest: createHash("sha256").update("new-suspend.example").digest("hex"), severity: "suspend", comment: "spam",
  });
  assert.ok(!byDomain.has("quiet.example"), "a noop block limits nothing and is not published");
  assert.equal(res.body[0].severity, "suspend", "suspensions first");
  // The pre-existing silences less pre-005 (now suspended), plus far.test.
  assert.equal(res.body.filter((b: { severity: string }) => b.severity === "silence").length, PRE_EXISTING);
});
