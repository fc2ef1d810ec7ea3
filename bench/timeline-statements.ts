// The statements one home-timeline request runs on PostgreSQL, in order, with their time from
// send to answer (in process, this tree, the kept 1M seed of `./skein bench search --db postgres
// --keep`, whose reader follows 2,000 accounts). Usage: node bench/timeline-statements.ts [REQUESTS=30]
import path from "node:path";
import pg from "pg";
import { findPostgresBin, startPostgresCluster } from "../test/support/postgres-cluster.ts";
const requests = Number(process.argv[2] ?? 30);
const root = path.resolve(import.meta.dirname, "..");
const dataDir = path.join(root, "bench-data", "search-postgres-1000000");
const cluster = await startPostgresCluster(findPostgresBin()!, path.join(dataDir, "postgres"));
let log: [number, number, string][] | null = null;
const orig = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as any).query = function (...args: any[]) {
  const t0 = performance.now();
  const r: unknown = orig.apply(this, args);
  const text = String(typeof args[0] === "string" ? args[0] : args[0]?.text ?? "").replace(/\s+/g, " ");
  const into = log;
  if (into && r && typeof (r as any).then === "function") (r as any).then(() => into.push([t0, performance.now(), text]), () => {});
  return r;
};
const env = { DATA_DIR: dataDir, LOG_LEVEL: "warning", SKEIN_ENV: "development", LOCAL_DOMAIN: "127.0.0.1:1", DATABASE_URL: cluster.url };
const { loadConfig } = await import("../src/config/config.ts");
const { openRuntime } = await import("../src/server/context.ts");
const { createApp } = await import("../src/http/app.ts");
const runtime = await openRuntime(loadConfig(env));
try {
  await runtime.database.warmConnections();
  const app = createApp(runtime.services, {});
  const a = await (await app.request("/api/v1/apps", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ client_name: "statements", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read" }) })).json();
  const t = await (await app.request("/oauth/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ grant_type: "password", client_id: a.client_id, client_secret: a.client_secret, username: "reader", password: "bench-password-1", scope: "read" }) })).json();
  const one = async () => {
    const res = await app.request("/api/v1/timelines/home?limit=20", { headers: { Authorization: `Bearer ${t.access_token}` } });
    return (await res.json()) as unknown[];
  };
  for (let i = 0; i < requests; i++) await one();
  log = [];
  const t0 = performance.now();
  const page = await one();
  const t1 = performance.now();
  await new Promise((r) => setTimeout(r, 50));
  console.log(`${page.length} statuses, ${log.length} statements, ${(t1 - t0).toFixed(1)} ms`);
  for (const [a, b, text] of log.sort((x, y) => x[0] - y[0])) console.log(`${(a - t0).toFixed(1).padStart(6)} +${(b - a).toFixed(1).padStart(5)} ms  ${text.slice(0, 150)}`);
} finally {
  await runtime.close();
  await cluster.stop();
}
