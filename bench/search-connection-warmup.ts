// Where the slowest search requests' time goes (in process, this tree, PostgreSQL's kept 1M seed of
// `./skein bench search --db postgres --keep`): each request's database waits (pg queries, from send
// to answer), GC pauses within it, and the search statement's time by its execution's rank on its
// pooled connection (the first on a backend loads catalog caches; PostgreSQL plans the next five
// afresh before it keeps a generic plan). docs/performance/search.md, "Sixth pass". Usage:
//   RESET=1 [WARM=1] node bench/search-connection-warmup.ts [REPEATS=25] [common|rare|phrase|cjk_german] [WARM-UP PASSES=1]
// RESET=1 first removes the posts of earlier posting rounds, as the bench does. WARM=1 opens and
// warms the pool's connections first, as a server does at start (Database.warmConnections).
import path from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import pg from "pg";
import { findPostgresBin, startPostgresCluster } from "../test/support/postgres-cluster.ts";
import { benchQueries } from "./search-corpus.ts";
const repeats = Number(process.argv[2] ?? 25);
const warm = Number(process.argv[4] ?? 1);
const kind = (process.argv[3] ?? "common") as "common" | "rare" | "phrase" | "cjk_german";
const root = path.resolve(import.meta.dirname, "..");
const dataDir = path.join(root, "bench-data", "search-postgres-1000000");
const cluster = await startPostgresCluster(findPostgresBin()!, path.join(dataDir, "postgres"));
const queries: [number, number, string][] = [];
const seen = new Map<string, number>();
// Every query of every pooled client, timed from send to answer, with its rank on its backend.
const orig = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as any).query = function (...args: any[]) {
  const t0 = performance.now();
  const r: unknown = orig.apply(this, args);
  const text = typeof args[0] === "string" ? args[0] : args[0]?.text ?? "";
  const key = `${(this as any).processID} ${text}`;
  const nth = (seen.get(key) ?? 0) + 1;
  seen.set(key, nth);
  if (r && typeof (r as any).then === "function") (r as any).then(() => queries.push([t0, performance.now(), `#${nth} on ${(this as any).processID}: ${String(text).slice(20, 60)}`]), () => {});
  return r;
};
const gcs: [number, number, number][] = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcs.push([e.startTime, e.startTime + e.duration, (e as any).detail?.kind ?? 0]); }).observe({ entryTypes: ["gc"] });
const env = { DATA_DIR: dataDir, LOG_LEVEL: "warning", SKEIN_ENV: "development", LOCAL_DOMAIN: "127.0.0.1:1", DATABASE_URL: cluster.url };
const { loadConfig } = await import("../src/config/config.ts");
const { openRuntime } = await import("../src/server/context.ts");
const { createApp } = await import("../src/http/app.ts");
const runtime = await openRuntime(loadConfig(env));
if (process.env.RESET) {
  const { sql } = await import("kysely");
  const db = runtime.database.db as any;
  await sql`delete from statuses where account_id = (select id from accounts where username = 'writer' and domain is null)`.execute(db);
  await sql`delete from status_search_pending`.execute(db);
  for (const table of ["statuses", "status_search", "status_search_pending"]) await sql`vacuum (index_cleanup on, analyze) ${sql.table(table)}`.execute(db);
  process.stderr.write("reset\n");
}
if (process.env.WARM) {
  const t0 = performance.now();
  await runtime.database.warmConnections();
  process.stderr.write(`connections warmed in ${(performance.now() - t0).toFixed(0)} ms\n`);
}
const byNth = new Map<number, number[]>();
try {
  const app = createApp(runtime.services, {});
  const a = await (await app.request("/api/v1/apps", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ client_name: "tail", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read" }) })).json();
  const t = await (await app.request("/oauth/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ grant_type: "password", client_id: a.client_id, client_secret: a.client_secret, username: "reader", password: "bench-password-1", scope: "read" }) })).json();
  const words = benchQueries()[kind];
  const one = async (q: string) => {
    const res = await app.request(`/api/v2/search?type=statuses&limit=20&q=${encodeURIComponent(q)}`, { headers: { Authorization: `Bearer ${t.access_token}` } });
    await res.text();
  };
  for (let i = 0; i < warm; i++) { for (const w of words) await one(w); process.stderr.write(`warm ${i} ${performance.now().toFixed(0)}\n`); }
  const samples: { ms: number; db: number; gc: number; n: number; w: string; slowest: string }[] = [];
  for (let i = 0; i < repeats; i++) for (const w of words) {
    queries.length = 0; gcs.length = 0;
    const t0 = performance.now();
    await one(w);
    const t1 = performance.now();
    await new Promise((r) => setImmediate(r));
    const db = queries.reduce((s, [a, b]) => s + (b - a), 0);
    const gc = gcs.filter(([a]) => a >= t0 && a <= t1).reduce((s, [a, b]) => s + (b - a), 0);
    const slow = [...queries].sort((x, y) => (y[1] - y[0]) - (x[1] - x[0]))[0];
    for (const [a, b, label] of queries) if (label.includes("select s.id as id, m.score")) { const n = Math.min(7, Number(label.slice(1, label.indexOf(" ")))); byNth.set(n, [...(byNth.get(n) ?? []), b - a]); }
    samples.push({ ms: t1 - t0, db, gc, n: queries.length, w, slowest: slow ? `${(slow[1] - slow[0]).toFixed(1)} ${slow[2]}` : "" });
  }
  const sorted = [...samples].sort((a, b) => a.ms - b.ms);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!.ms;
  console.log(`${kind}: ${samples.length} requests, p50 ${at(0.5).toFixed(1)} p99 ${at(0.99).toFixed(1)} ms; median db ${[...samples].sort((a, b) => a.db - b.db)[samples.length >> 1]!.db.toFixed(1)} ms`);
  for (const [n, list] of [...byNth].sort((a, b) => a[0] - b[0])) { list.sort((a, b) => a - b); console.log(`search statement execution #${n === 7 ? "7+" : n} on its connection: ${list.length}, median ${list[list.length >> 1]!.toFixed(1)} ms, max ${list.at(-1)!.toFixed(1)}`); }
  for (const s of sorted.slice(-8).reverse()) console.log(`${s.ms.toFixed(1)} ms: db ${s.db.toFixed(1)} (${s.n} statements), gc ${s.gc.toFixed(1)}, ${s.w} | slowest ${s.slowest}`);
} finally {
  await runtime.close();
  await cluster.stop();
}
