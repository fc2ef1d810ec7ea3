// Blocklists as a moderator uses them, against a running server: `./skein blocklist import` and
// `export` in every format (with a dry run that counts the follows a suspension cuts), the
// admin API for the same, and subscriptions to lists served by a real HTTP server on loopback —
// each format, ETag and 304, a malformed list, a 10 MB list, a list that never finishes, an
// entry retracted, priorities, excludes, drafts, adoption and undo. What a failed refresh must
// show is that nothing changed; what a good one must show is the blocks, with their source.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import SQLite from "better-sqlite3";
import { startServer, type TestServer } from "../support/server.ts";
import { fixtureIds, insertFollow, insertRemoteAccount } from "../support/server-db.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { adminUser, type AdminUser } from "../support/admin-clients.ts";
import { eventually } from "../support/federation-fleet.ts";

let server: TestServer;
let contract: ContractLog;
let admin: AdminUser;
let moderator: AdminUser;
let lists: http.Server;
let listsUrl: string;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "skein-blocklists-"));

// ---- the lists' server: each path is a list whose answer a test sets ----

interface ListRoute {
  body: string | Buffer;
  contentType: string;
  etag?: string;
  /** "hang": headers and a first line, then nothing; "huge": 10 MB sent without Content-Length. */
  behaviour?: "hang" | "huge";
  requests: http.IncomingHttpHeaders[];
}
const routes = new Map<string, ListRoute>();
const hanging = new Set<http.ServerResponse>();

function serve(name: string, body: string, contentType = "text/plain", options: Partial<ListRoute> = {}): string {
  routes.set(`/${name}`, { body, contentType, requests: routes.get(`/${name}`)?.requests ?? [], ...options });
  return `${listsUrl}/${name}`;
}

before(async () => {
  lists = http.createServer((req, res) => {
    const route = routes.get(req.url ?? "");
    if (!route) return res.writeHead(404).end();
    route.requests.push(req.headers);
    if (route.behaviour === "hang") {
      res.writeHead(200, { "content-type": route.contentType });
      res.write("#domain,#severity\n");
      hanging.add(res);
      return;
    }
    if (route.behaviour === "huge") {
      res.writeHead(200, { "content-type": route.contentType });
      const line = Buffer.from("spam-domain-with-a-long-name-for-padding.example\n".repeat(1000));
      let sent = 0;
      const pump = () => {
        while (sent < 10 * 1024 * 1024) {
          sent += line.length;
          if (!res.write(line)) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("error", () => {});
      return pump();
    }
    if (route.etag && req.headers["if-none-match"] === route.etag) return res.writeHead(304, { etag: route.etag }).end();
    res.writeHead(200, { "content-type": route.contentType, ...(route.etag ? { etag: route.etag } : {}) });
    res.end(route.body);
  });
  await new Promise<void>((resolve) => lists.listen(0, "127.0.0.1", resolve));
  listsUrl = `http://127.0.0.1:${(lists.address() as AddressInfo).port}`;

  // A list that never finishes must fail in seconds, not the 30 s of production.
  server = await startServer({ env: { BLOCKLIST_FETCH_TIMEOUT: "2" } });
  contract = installContractCheck(server.url);
  admin = await adminUser(server, "root", "admin");
  moderator = await adminUser(server, "mod", "moderator");
});

after(async () => {
  for (const res of hanging) res.destroy();
  lists?.closeAllConnections();
  lists?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.deepEqual(contract.violations, []);
  await server?.stop();
});

// ---- helpers ----

async function api(token: string | null, method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; body: any; text: string; type: string }> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${server.url}${pathAndQuery}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  return { status: res.status, text, type, body: type.includes("json") && text ? JSON.parse(text) : null };
}

/** Runs SQL on the server's database beside it ("?" placeholders on both engines). */
async function sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
  if (server.env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: server.env.DATABASE_URL });
    await client.connect();
    try {
      let n = 0;
      return (await client.query(query.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const db = new SQLite(path.join(server.env.DATA_DIR, "skein.sqlite"));
  try {
    db.pragma("busy_timeout = 5000");
    db.defaultSafeIntegers(true);
    const statement = db.prepare(query);
    if (!statement.reader) {
      statement.run(...params);
      return [];
    }
    return (statement.all(...params) as Record<string, unknown>[]).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? String(v) : v])),
    ) as T[];
  } finally {
    db.close();
  }
}

interface Block {
  domain: string;
  severity: string;
  reject_media: number;
  reject_reports: number;
  public_comment: string;
  subscription_id: string | null;
}

/** The server's blocks, by domain. */
async function blocks(): Promise<Map<string, Block>> {
  const rows = await sql<Block>("select domain, severity, reject_media, reject_reports, public_comment, subscription_id from domain_blocks order by domain");
  return new Map(rows.map((r) => [r.domain, { ...r, reject_media: Number(r.reject_media), reject_reports: Number(r.reject_reports), subscription_id: r.subscription_id === null ? null : String(r.subscription_id) }]));
}

async function cli(args: string[]): Promise<string> {
  const result = await server.cli(args);
  assert.equal(result.code, 0, `./skein ${args.join(" ")} failed: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

const nextId = fixtureIds(200_000_000_000_000n);

const remoteAccount = (username: string, domain: string) => insertRemoteAccount(server, nextId(), username, domain, "");

const follow = (from: string, to: string) => insertFollow(server, nextId(), from, to);

async function subscribe(body: Record<string, unknown>): Promise<any> {
  const res = await api(admin.token, "POST", "/api/v1/admin/blocklists/subscriptions", body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function refresh(id: string): Promise<any> {
  const res = await api(admin.token, "POST", `/api/v1/admin/blocklists/subscriptions/${id}/refresh`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

// ---- import and export by hand ----

test("CLI import: a dry run shows what would change and the follows each new suspension cuts, and changes nothing; then the import applies it", async () => {
  const alice = (await adminUser(server, "alice", "user")).id;
  const far1 = await remoteAccount("one", "far.example");
  const far2 = await remoteAccount("two", "deep.far.example");
  const quiet = await remoteAccount("q", "quiet.example");
  await follow(alice, far1);
  await follow(alice, far2);
  await follow(far1, alice);
  await follow(alice, quiet);

  const file = path.join(tmp, "import.csv");
  fs.writeFileSync(file, [
    "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate",
    'far.example,suspend,false,false,"harassment, spam",false',
    "quiet.example,silence,true,false,,false",
    "noop.example,noop,false,true,reports only,false",
    "hidden.example,suspend,false,false,,true",
    "sub.far.example,silence,false,false,,false",
    "not a domain,suspend,false,false,,false",
  ].join("\n"));

  const dry = await cli(["blocklist", "import", file, "--dry-run"]);
  assert.match(dry, /Dry run: nothing was changed/);
  assert.match(dry, /5 entries: 4 to create, 0 to update, 0 unchanged, 1 skipped/);
  assert.match(dry, /1 invalid/);
  assert.match(dry, /would sever 3 follow relationships/, "two follows of far.example's accounts and one follower; the silence cuts none");
  assert.match(dry, /create\s+far\.example\s+suspend\s+3/);
  assert.match(dry, /skipped\s+sub\.far\.example.*covered by the block of far\.example/);
  assert.equal((await blocks()).size, 0, "a dry run changes nothing");

  const applied = await cli(["blocklist", "import", file]);
  assert.match(applied, /4 created/);
  const after = await blocks();
  assert.deepEqual([...after.keys()], ["far.example", "hidden.example", "noop.example", "quiet.example"]);
  assert.equal(after.get("far.example")!.public_comment, "harassment, spam");
  assert.equal(after.get("quiet.example")!.reject_media, 1);
  assert.equal(after.get("noop.example")!.reject_reports, 1);
  assert.equal(after.get("far.example")!.subscription_id, null, "an import is the moderators' decision");
  const again = await cli(["blocklist", "import", file, "--dry-run"]);
  assert.match(again, /0 to create, 0 to update, 4 unchanged/, "importing the same list again changes nothing");
});

test("CLI export then import round-trips in every format (as much as each format carries)", async () => {
  const csvFile = path.join(tmp, "export.csv");
  const before = await cli(["blocklist", "export", "--format", "csv"]);
  await cli(["blocklist", "export", csvFile]);
  assert.equal(fs.readFileSync(csvFile, "utf8"), before);
  assert.match(before, /^#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n/);

  // The complete CSV export: remove every block, import the file, and the export is the same.
  // Removed through the admin API, not a CLI process per block (`domains unblock` has its own test below).
  const listed = await api(admin.token, "GET", "/api/v1/admin/domain_blocks?limit=200");
  assert.equal(listed.status, 200, listed.text);
  for (const block of listed.body) assert.equal((await api(admin.token, "DELETE", `/api/v1/admin/domain_blocks/${block.id}`)).status, 200);
  assert.equal((await blocks()).size, 0);
  await cli(["blocklist", "import", csvFile]);
  assert.equal(await cli(["blocklist", "export", "--format", "csv"]), before);

  // Each other format read back says "unchanged" for what it can carry.
  const expectations: Record<string, RegExp> = {
    // The public shape: no reject flags (quiet.example and noop.example would change), the obfuscated name hidden.
    json: /3 entries: 0 to create, 2 to update, 1 unchanged[\s\S]*1 obfuscated/,
    // Suspensions whose name may be shown: far.example.
    rapidblock: /1 entries: 0 to create, 0 to update, 1 unchanged/,
    text: /1 entries: 0 to create, 0 to update, 1 unchanged/,
  };
  for (const [format, expected] of Object.entries(expectations)) {
    const file = path.join(tmp, `export.${format}`);
    await cli(["blocklist", "export", "--format", format, file]);
    const text = fs.readFileSync(file, "utf8");
    if (format === "json") {
      const items = JSON.parse(text);
      const hidden = items.find((i: any) => i.domain.includes("*"));
      assert.ok(hidden, "the obfuscated block is shown with stars");
      assert.match(hidden.digest, /^[0-9a-f]{64}$/, "with the SHA-256 of the real name");
    }
    if (format === "rapidblock") assert.equal(JSON.parse(text).blocks["far.example"].isBlocked, true);
    if (format === "text") assert.equal(text, "far.example\n");
    assert.match(await cli(["blocklist", "import", file, "--format", format, "--dry-run"]), expected, format);
  }
});

test("the admin API imports (with a dry run) and exports; it needs manage_federation and the domain_blocks scopes", async () => {
  const dry = await api(admin.token, "POST", "/api/v1/admin/blocklists/import", { text: "api-one.example\napi-two.example # spam\nbad/line\n", format: "text", dry_run: true });
  assert.equal(dry.status, 200, JSON.stringify(dry.body));
  assert.deepEqual([dry.body.dry_run, dry.body.counts.create, dry.body.counts.invalid], [true, 2, 1]);
  assert.equal((await blocks()).has("api-one.example"), false);
  const done = await api(admin.token, "POST", "/api/v1/admin/blocklists/import", { text: "api-one.example\napi-two.example\n", format: "text" });
  assert.equal(done.body.counts.create, 2);
  assert.equal((await blocks()).get("api-two.example")?.severity, "suspend");

  const exported = await api(admin.token, "GET", "/api/v1/admin/blocklists/export?format=csv");
  assert.equal(exported.status, 200);
  assert.match(exported.type, /text\/csv/);
  assert.match(exported.text, /\napi-one\.example,suspend,false,false,,false\n/);

  assert.equal((await api(admin.token, "POST", "/api/v1/admin/blocklists/import", { text: "x.example", format: "yaml" })).status, 422);
  assert.equal((await api(admin.token, "GET", "/api/v1/admin/blocklists/export?format=xml")).status, 422);
  const refused = await api(moderator.token, "POST", "/api/v1/admin/blocklists/import", { text: "x.example", format: "text" });
  assert.deepEqual([refused.status, refused.body], [403, { error: "This action is not allowed" }]);
  assert.equal((await api(moderator.token, "GET", "/api/v1/admin/blocklists/subscriptions")).status, 403);
  assert.equal((await api(null, "GET", "/api/v1/admin/blocklists/subscriptions")).status, 401);
});

// ---- subscriptions ----

test("subscriptions in each format create blocks that name their source; an unchanged list is a 304", async () => {
  const csv = serve("lists/a.csv", "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\ncsv-sus.example,suspend,false,false,from csv,false\ncsv-sil.example,silence,true,false,,false\n", "text/csv", { etag: '"v1"' });
  const json = serve("lists/b.json", JSON.stringify([{ domain: "json-sus.example", digest: "x", severity: "suspend", comment: "from json" }, { domain: "js*****.example", digest: "y", severity: "suspend", comment: "" }]), "application/json");
  const rapid = serve("lists/c.json", JSON.stringify({ "@spec": "https://rapidblock.org/spec/v1/", publishedAt: "2026-01-01T00:00:00Z", blocks: { "rapid.example": { isBlocked: true, reason: "from rapidblock", tags: ["spam"] }, "unblocked.example": { isBlocked: false, reason: "", tags: [] } } }), "application/json");
  const text = serve("lists/d.txt", "# a plain list\ntext-one.example\ntext-two.example  # trailing comment\n");

  const a = await subscribe({ url: csv, format: "csv", apply_silence: true });
  assert.equal(a.refresh.result, "updated");
  assert.deepEqual([a.entries_count, a.changes_applied, a.last_error], [2, 2, null]);
  const b = await subscribe({ url: json, format: "json" });
  const c = await subscribe({ url: rapid, format: "rapidblock" });
  const d = await subscribe({ url: text, format: "text" });
  assert.deepEqual([b.entries_count, c.entries_count, d.entries_count], [1, 1, 2]);

  const now = await blocks();
  assert.deepEqual([now.get("csv-sus.example")?.severity, now.get("csv-sus.example")?.public_comment, now.get("csv-sus.example")?.subscription_id], ["suspend", "from csv", a.id]);
  assert.deepEqual([now.get("csv-sil.example")?.severity, now.get("csv-sil.example")?.reject_media], ["silence", 1]);
  assert.equal(now.get("json-sus.example")?.subscription_id, b.id);
  assert.equal(now.get("rapid.example")?.public_comment, "from rapidblock");
  assert.equal(now.has("unblocked.example"), false);
  assert.deepEqual([now.get("text-one.example")?.subscription_id, now.get("text-two.example")?.severity], [d.id, "suspend"]);
  const audit = await sql<{ text: string }>("select text from admin_action_logs where human_identifier = 'csv-sus.example'");
  assert.match(audit[0].text, new RegExp(`blocklist subscription ${a.id} \\(${csv.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\)`));

  const again = await refresh(a.id);
  assert.equal(again.refresh.result, "not_modified");
  const route = routes.get("/lists/a.csv")!;
  assert.equal(route.requests.at(-1)!["if-none-match"], '"v1"', "the ETag of the last answer is sent back");
  assert.ok(again.last_success_at >= a.last_success_at);

  const listed = await api(admin.token, "GET", "/api/v1/admin/blocklists/subscriptions");
  assert.deepEqual(listed.body.map((s: any) => s.url).sort(), [csv, json, rapid, text].sort());
  const table = await cli(["blocklist", "subscriptions"]);
  assert.match(table, new RegExp(`${a.id}\\s+${csv.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s+csv\\s+0\\s+silence\\s+2\\s+0`));
});

test("a list that fails — malformed, 10 MB, never finishing, gone — changes nothing and says why", async () => {
  const url = serve("fail/list.json", JSON.stringify([{ domain: "kept.example", severity: "suspend", comment: "" }]), "application/json");
  const sub = await subscribe({ url, format: "json", remove_retracted: true });
  assert.equal((await blocks()).get("kept.example")?.subscription_id, sub.id);
  const before = await blocks();

  serve("fail/list.json", "<html>Maintenance</html>", "text/html");
  const malformed = await refresh(sub.id);
  assert.equal(malformed.refresh.result, "failed");
  assert.match(malformed.last_error, /not Mastodon JSON/);
  assert.deepEqual(await blocks(), before, "a malformed list changes nothing (its entry is not retracted)");

  serve("fail/list.json", "", "application/json", { behaviour: "huge" });
  const huge = await refresh(sub.id);
  assert.match(huge.last_error, /larger than 5242880 bytes/);
  assert.deepEqual(await blocks(), before);

  serve("fail/list.json", "", "application/json", { behaviour: "hang" });
  const started = Date.now();
  const hung = await refresh(sub.id);
  assert.match(hung.last_error, /did not arrive within 2 s/);
  assert.ok(Date.now() - started < 15_000, "bounded by the fetch timeout");
  assert.deepEqual(await blocks(), before);

  routes.delete("/fail/list.json");
  const gone = await refresh(sub.id);
  assert.match(gone.last_error, /answered 404/);
  const text = serve("fail/text.txt", "this is not a domain list at all\nnor/this\n");
  const wrong = await subscribe({ url: text, format: "text" });
  assert.match(wrong.last_error, /most of the list is not text entries/);
  assert.deepEqual(await blocks(), before);
  const status = await api(admin.token, "GET", `/api/v1/admin/blocklists/subscriptions/${sub.id}`);
  assert.deepEqual([status.body.entries_count, typeof status.body.last_error], [1, "string"]);

  // Bad subscriptions are refused up front.
  for (const body of [{ url: "ftp://lists.example/x", format: "csv" }, { url: `${listsUrl}/x`, format: "yaml" }, { url: `${listsUrl}/y`, format: "csv", priority: 256 }, { url: `${listsUrl}/z`, format: "csv", excludes: ["not a domain"] }]) {
    assert.equal((await api(admin.token, "POST", "/api/v1/admin/blocklists/subscriptions", body)).status, 422, JSON.stringify(body));
  }
  assert.equal((await api(admin.token, "POST", "/api/v1/admin/blocklists/subscriptions", { url, format: "json" })).status, 422, "already subscribed");
  assert.equal((await api(admin.token, "GET", "/api/v1/admin/blocklists/subscriptions/99999")).status, 404);
});

test("a retracted entry is removed by a list that removes retractions, and kept by one that does not", async () => {
  const removing = serve("retract/a.txt", "stays-a.example\ngoes-a.example\n");
  const keeping = serve("retract/b.txt", "stays-b.example\ngoes-b.example\n");
  const a = await subscribe({ url: removing, format: "text", remove_retracted: true });
  const b = await subscribe({ url: keeping, format: "text" });
  serve("retract/a.txt", "stays-a.example\n");
  serve("retract/b.txt", "stays-b.example\n");
  assert.equal((await refresh(a.id)).changes_applied, 1);
  await refresh(b.id);
  const now = await blocks();
  assert.deepEqual([now.has("stays-a.example"), now.has("goes-a.example"), now.has("stays-b.example"), now.has("goes-b.example")], [true, false, true, true]);
  const audit = await sql<{ action: string; text: string }>("select action, text from admin_action_logs where human_identifier = 'goes-a.example' order by id");
  assert.deepEqual(audit.map((r) => r.action), ["create", "destroy"]);
  assert.match(audit[1].text, /retracted by the list/);
});

test("two lists disagreeing: the higher priority wins, a tie goes to the milder severity; a moderator's block is never overwritten", async () => {
  await cli(["domains", "block", "manual.example", "--severity", "silence"]);
  const high = serve("prio/high.csv", "domain,severity\nconflict.example,silence\ntie.example,suspend\nmanual.example,suspend\n", "text/csv");
  const low = serve("prio/low.csv", "domain,severity\nconflict.example,suspend\n", "text/csv");
  const same = serve("prio/same.csv", "domain,severity\ntie.example,silence\n", "text/csv");
  const h = await subscribe({ url: high, format: "csv", priority: 10, apply_silence: true });
  const l = await subscribe({ url: low, format: "csv", priority: 5, apply_silence: true });
  const s = await subscribe({ url: same, format: "csv", priority: 10, apply_silence: true });
  const now = await blocks();
  assert.deepEqual([now.get("conflict.example")?.severity, now.get("conflict.example")?.subscription_id], ["silence", h.id], "priority 10 beats priority 5");
  assert.deepEqual([now.get("tie.example")?.severity, now.get("tie.example")?.subscription_id], ["silence", s.id], "equal priority: the milder");
  assert.deepEqual([now.get("manual.example")?.severity, now.get("manual.example")?.subscription_id], ["silence", null], "the moderator's block stays as it was");

  // The higher list drops its entry: the lower one decides now.
  serve("prio/high.csv", "domain,severity\ntie.example,suspend\nmanual.example,suspend\n", "text/csv");
  await refresh(h.id);
  assert.deepEqual([(await blocks()).get("conflict.example")?.severity, (await blocks()).get("conflict.example")?.subscription_id], ["suspend", l.id]);
});

test("excludes: never blocked by the list, and adding one later removes the list's block", async () => {
  const url = serve("excl/list.txt", "ex-one.example\nex-two.example\nsub.ex-three.example\n");
  const sub = await subscribe({ url, format: "text", excludes: ["EX-ONE.example", "ex-three.example"] });
  let now = await blocks();
  assert.deepEqual([now.has("ex-one.example"), now.has("ex-two.example"), now.has("sub.ex-three.example")], [false, true, false], "a subdomain of an excluded domain is excluded too");
  const patched = await api(admin.token, "PATCH", `/api/v1/admin/blocklists/subscriptions/${sub.id}`, { excludes: ["ex-one.example", "ex-three.example", "ex-two.example"] });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.deepEqual(patched.body.excludes, ["ex-one.example", "ex-three.example", "ex-two.example"]);
  now = await blocks();
  assert.equal(now.has("ex-two.example"), false, "editing the subscription undoes what it did");
});

test("drafts: a list's changes wait for a moderator; approved ones are made, rejected ones are not proposed again", async () => {
  const url = serve("drafts/list.txt", "draft-one.example\ndraft-two.example\n");
  const sub = await subscribe({ url, format: "text", create_as_drafts: true });
  assert.equal((await blocks()).has("draft-one.example"), false);
  const drafts = (await api(admin.token, "GET", "/api/v1/admin/blocklists/drafts")).body.filter((d: any) => d.subscription_id === sub.id);
  assert.deepEqual(drafts.map((d: any) => [d.domain, d.action, d.severity, d.status]), [["draft-one.example", "create", "suspend", "pending"], ["draft-two.example", "create", "suspend", "pending"]]);
  const one = drafts.find((d: any) => d.domain === "draft-one.example");
  const two = drafts.find((d: any) => d.domain === "draft-two.example");

  assert.match(await cli(["blocklist", "approve", one.id]), /Approved: create draft-one\.example/);
  assert.deepEqual([(await blocks()).get("draft-one.example")?.subscription_id], [sub.id]);
  assert.match(await cli(["blocklist", "reject", two.id]), /Rejected/);
  await refresh(sub.id);
  const left = (await api(admin.token, "GET", "/api/v1/admin/blocklists/drafts")).body.filter((d: any) => d.subscription_id === sub.id);
  assert.deepEqual(left.map((d: any) => [d.domain, d.status]), [["draft-two.example", "rejected"]]);
  assert.equal((await blocks()).has("draft-two.example"), false);
  assert.match(await cli(["blocklist", "drafts"]), /draft-two\.example\s+create\s+suspend\s+\d+\s+rejected/);
  assert.equal((await api(admin.token, "POST", `/api/v1/admin/blocklists/drafts/${two.id}/approve`)).status, 422);
});

test("unsubscribe --undo removes what the list created and gives adopted blocks back; without --undo its blocks stay", async () => {
  await cli(["domains", "block", "adopted.example"]);
  const url = serve("undo/list.txt", "adopted.example\ncreated.example\n");
  const out = await cli(["blocklist", "subscribe", url, "--format", "text", "--adopt", "--priority", "3"]);
  const id = /subscription (\d+)\)/.exec(out)![1];
  let now = await blocks();
  assert.deepEqual([now.get("adopted.example")?.subscription_id, now.get("created.example")?.subscription_id], [id, id]);
  assert.match(await cli(["domains", "list"]), new RegExp(`created\\.example\\s+suspend\\s+-\\s+subscription ${id}`));

  assert.match(await cli(["blocklist", "unsubscribe", id, "--undo"]), /Unsubscribed/);
  now = await blocks();
  assert.equal(now.has("created.example"), false);
  assert.deepEqual([now.get("adopted.example")?.severity, now.get("adopted.example")?.subscription_id], ["suspend", null]);

  const kept = serve("undo/kept.txt", "kept-after.example\n");
  const k = await subscribe({ url: kept, format: "text" });
  const removed = await api(admin.token, "DELETE", `/api/v1/admin/blocklists/subscriptions/${k.id}`);
  assert.equal(removed.status, 200);
  assert.deepEqual([(await blocks()).get("kept-after.example")?.subscription_id], [null], "kept, now the moderators'");
  assert.equal((await api(admin.token, "GET", `/api/v1/admin/blocklists/subscriptions/${k.id}`)).status, 404);
});

/** An inbox POST signed (badly) with a key of `host`: 403 once the server's policy refuses the host. */
async function inboxStatusFrom(host: string): Promise<number> {
  const res = await fetch(`${server.url}/inbox`, {
    method: "POST",
    headers: { "Content-Type": "application/activity+json", Date: new Date().toUTCString(), Signature: `keyId="https://${host}/users/x#main-key",algorithm="rsa-sha256",headers="(request-target) host date",signature="c2ln"` },
    body: JSON.stringify({ "@context": "https://www.w3.org/ns/activitystreams", id: `https://${host}/1`, type: "Create", actor: `https://${host}/users/x`, object: { type: "Note", content: "x" } }),
  });
  await res.arrayBuffer();
  return res.status;
}

test("domains CLI: block, change, unblock, allow and disallow beside the running server", async () => {
  assert.notEqual(await inboxStatusFrom("cli.example"), 403);
  assert.match(await cli(["domains", "block", "Cli.Example", "--severity", "silence", "--reject-media", "--public-comment", "noisy"]), /Blocked cli\.example: silence \(reject media\)/);
  assert.match(await cli(["domains", "block", "cli.example", "--severity", "suspend"]), /Updated the block of cli\.example: suspend/);
  // The server notices a change made by another process within the policy's recheck interval.
  await eventually(async () => (await inboxStatusFrom("cli.example")) === 403, 10_000, "the server refusing cli.example");
  const listed = await api(admin.token, "GET", "/api/v1/admin/domain_blocks?limit=200");
  assert.ok(listed.body.some((b: any) => b.domain === "cli.example" && b.severity === "suspend" && b.public_comment === "noisy"), "the API sees what the CLI did");
  assert.match(await cli(["domains", "unblock", "cli.example"]), /Unblocked/);
  await eventually(async () => (await inboxStatusFrom("cli.example")) !== 403, 10_000, "the server no longer refusing cli.example");
  assert.match(await cli(["domains", "allow", "friend.example"]), /Allowed friend\.example/);
  assert.match(await cli(["domains", "list", "--allows"]), /friend\.example/);
  assert.match(await cli(["domains", "disallow", "friend.example"]), /Disallowed/);
  const bad = await server.cli(["domains", "block", "https://x.example/path"]);
  assert.deepEqual([bad.code, /not a domain name/.test(bad.stderr)], [1, true]);
  const severity = await server.cli(["domains", "block", "x.example", "--severity", "nuke"]);
  assert.match(severity.stderr, /Severity must be one of/);
  const big = path.join(tmp, "big.txt");
  fs.writeFileSync(big, "a.example\n".repeat(600_000));
  const refused = await server.cli(["blocklist", "import", big]);
  assert.deepEqual([refused.code, /larger than 5 MiB are refused/.test(refused.stderr)], [1, true]);
});
