// What the `simple` half of a document costs the GIN index (PostgreSQL's kept 1M seed of
// `./skein bench search --db postgres --keep`): N of the newest documents deleted and inserted
// again into the 1M index in a transaction rolled back, their vectors computed beforehand — both
// halves, as indexed, or the language's stems only —, alternated; the time of the insert and of
// merging the pending list, a document. docs/performance/search.md, "Sixth pass". Usage:
//   node bench/search-entries-cost.ts [N=2000]
import path from "node:path";
import pg from "pg";
import { findPostgresBin, startPostgresCluster } from "../test/support/postgres-cluster.ts";
import { statusDocument } from "../src/domain/search/normalize.ts";
import { configurationFor, RECENCY } from "../src/db/dialects/full-text.ts";
const n = Number(process.argv[2] ?? 2000);
const c = await startPostgresCluster(findPostgresBin()!, path.resolve(import.meta.dirname, "../bench-data/search-postgres-1000000/postgres"));
const cl = new pg.Client({ connectionString: c.url, options: "-c jit=off -c max_parallel_workers_per_gather=0" });
try {
  await cl.connect();
  const rows = (await cl.query(`select s.id, s.content, s.spoiler_text, s.language from statuses s join status_search ss on ss.status_id = s.id order by s.id desc limit ${n}`)).rows;
  const ids = rows.map((r) => String(r.id));
  const texts = rows.map((r) => statusDocument({ spoilerText: r.spoiler_text ?? "", contentHtml: r.content ?? "" }));
  const cfgs = rows.map((r) => configurationFor(r.language));
  const days = ids.map((id) => `~${RECENCY.dayOf(id)}`);
  const result: Record<string, number[]> = { both: [], stems: [] };
  for (let round = 0; round < 6; round++) {
    for (const variant of round % 2 ? ["stems", "both"] : ["both", "stems"]) {
      await cl.query("begin");
      const vector = variant === "both"
        ? "case when c = 'simple'::regconfig then to_tsvector('simple', t) else to_tsvector(c, t) || to_tsvector('simple', t) end"
        : "to_tsvector(c, t)";
      await cl.query(`create temp table v on commit drop as select id, ${vector} || array_to_tsvector(array[day]) as document from unnest($1::bigint[], $2::regconfig[], $3::text[], $4::text[]) u(id, c, t, day)`, [ids, cfgs, texts, days]);
      await cl.query(`delete from status_search where status_id = any($1::bigint[])`, [ids]);
      await cl.query("select gin_clean_pending_list('status_search_document')");
      const t = performance.now();
      await cl.query(`insert into status_search (status_id, has_link, document) select id, 0, document from v`);
      await cl.query("select gin_clean_pending_list('status_search_document')");
      result[variant]!.push((performance.now() - t) / n * 1000);
      await cl.query("rollback");
    }
  }
  const entries = (await cl.query(`select avg(length(case when c = 'simple'::regconfig then to_tsvector('simple', t) else to_tsvector(c, t) || to_tsvector('simple', t) end)) both_, avg(length(to_tsvector(c, t))) stems from unnest($1::regconfig[], $2::text[]) u(c, t)`, [cfgs, texts])).rows[0];
  for (const [k, v] of Object.entries(result)) console.log(`${k}: µs a document (insert + merge) ${v.map((x) => x.toFixed(0)).join(" ")}; median ${[...v].sort((a, b) => a - b)[v.length >> 1]!.toFixed(0)}`);
  console.log(`lexemes a document: both ${Number(entries.both_).toFixed(2)}, stems only ${Number(entries.stems).toFixed(2)} (+1 day lexeme each)`);
} finally { await cl.end().catch(() => {}); await c.stop(); }
