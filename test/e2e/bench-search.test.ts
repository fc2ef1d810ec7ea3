// `./skein bench search` end to end at a tiny size: it seeds, builds the index, searches a real
// server, and posts with indexing on and off both in process and through the HTTP API (a real
// server each round, clients each signed in as an account of their own), and the JSON report has
// every figure issue 15 asks for, with sane values. No ratio is asserted — the figures at 1M
// posts are in docs/performance/search.md — only that the benchmark measures.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { databaseKind, freshDatabase, runCli } from "../support/server.ts";

const root = path.resolve(import.meta.dirname, "../..");
const STATUSES = 1200;

test("./skein bench search seeds, indexes, searches and posts with indexing on and off, in process and through the API (tiny size)", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-bench-search-"));
  // Where the benchmark keeps its data (bench-data/search-DB-N): a size no one keeps a seed of.
  const dataDir = path.join(root, "bench-data", `search-${databaseKind}-${STATUSES}`);
  // PostgreSQL: a database of its own on the suite's cluster (the benchmark migrates it).
  const database = databaseKind === "postgres" ? await freshDatabase({ kind: "postgres" }) : null;
  try {
    const json = path.join(dir, "search.json");
    const args = ["bench", "search", "--db", databaseKind, "--statuses", String(STATUSES), "--accounts", "40", "--repeats", "1", "--warmup", "0", "--posts", "30", "--rounds", "1", "--http-rounds", "1", "--http-posts", "40", "--http-concurrency", "2", "--json", json];
    const result = await runCli(args, { DATABASE_URL: database?.env.DATABASE_URL ?? "" });
    assert.equal(result.code, 0, result.stderr);
    const [report] = JSON.parse(fs.readFileSync(json, "utf8"));
    assert.equal(report.database, databaseKind);
    assert.equal(report.indexed_statuses, STATUSES, "every seeded status indexed");
    assert.ok(report.index_build_seconds > 0 && report.index_mb > 0, "the index's build time and size");
    for (const kind of ["common", "rare", "phrase", "cjk_german"]) {
      assert.ok(report[`${kind}_p50_ms`] > 0 && report[`${kind}_p99_ms`] >= report[`${kind}_p50_ms`], `${kind}: p50 and p99`);
      // Rare words (Zipf ranks past 12,000) may be in none of so few posts.
      if (kind !== "rare") assert.ok(report[`${kind}_results_per_query`] > 0, `${kind}: the reader finds posts`);
    }
    // In process: rates and CPU with indexing on and off.
    for (const key of ["posts_per_second_indexing_on", "posts_per_second_indexing_off", "cpu_ms_per_post_indexing_on", "cpu_ms_per_post_indexing_off"]) {
      assert.ok(report[key] > 0, `${key}: ${report[key]}`);
    }
    assert.equal(typeof report.indexing_cost_percent, "number");
    // Through the API: two clients, the server's CPU a post read from /proc.
    assert.equal(report.http_posting_clients, 2);
    for (const key of ["http_posts_per_second_indexing_on", "http_posts_per_second_indexing_off", "http_server_cpu_ms_per_post_indexing_on", "http_server_cpu_ms_per_post_indexing_off"]) {
      assert.ok(report[key] > 0, `${key}: ${report[key]}`);
    }
    assert.equal(typeof report.http_indexing_cost_percent, "number");
    if (databaseKind === "postgres") assert.ok(report.http_db_cpu_ms_per_post_indexing_on > 0, "PostgreSQL's own CPU a post, through the API");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }
});
