// `./skein bench fanout` end to end at a tiny size: a real server delivers to the simulated fleet
// (which checks every signature, also with Fedify's own verifier), and the JSON report has every
// figure the delivery issue asks for. No timing is asserted — only that the benchmark measures,
// and that nothing was lost. celebrity-again stands for celebrity (its first post is one): the
// same post twice, the second reconnecting to every host with the TLS session the fleet issued. (The crash workload is left out here: a killed server's claimed jobs
// wait out their 60 s lease, which is longer than this test may take.)
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { databaseKind, runCli } from "../support/server.ts";

const FIELDS = [
  "workload", "database", "domains", "deliveries", "seconds_to_last_delivery", "healthy_seconds_to_last_delivery", "deliveries_per_second",
  "healthy_p50_ms", "healthy_p99_ms", "server_cpu_seconds", "server_peak_rss_mb", "rsa_signs_per_second_one_core", "lost", "duplicated",
];

test("./skein bench fanout measures celebrity (twice, resuming TLS sessions), poisoned and sustained delivery at a tiny size", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-bench-fanout-"));
  try {
    const json = path.join(dir, "fanout.json");
    const env: Record<string, string> = { DATABASE_URL: databaseKind === "postgres" ? process.env.SKEIN_TEST_POSTGRES_URL! : "" };
    const result = await runCli([
      "bench", "fanout", "--db", databaseKind, "--workload", "celebrity-again,poisoned,sustained",
      "--followers", "50", "--domains", "10", "--poisoned-share", "0.2", "--latency-p50", "5", "--latency-p99", "20",
      "--sustained-rate", "5", "--sustained-seconds", "2", "--sustained-accounts", "2", "--sustained-followers", "10", "--sustained-domains", "5",
      "--sustained-drain", "20", "--crosscheck-every", "1", "--timeout", "30", "--data-dir", dir, "--json", json,
    ], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^workload\s+db\s+domains/m, "a table on stdout");
    const report = JSON.parse(fs.readFileSync(json, "utf8")) as Record<string, any>[];
    assert.deepEqual(report.map((r) => r.workload), ["celebrity-again", "poisoned", "sustained"]);
    for (const r of report) {
      assert.equal(r.error, undefined, `${r.workload}: ${r.error}\n${result.stderr.slice(-3000)}`);
      for (const field of FIELDS) assert.ok(field in r, `${r.workload} has ${field}`);
      assert.equal(r.database, databaseKind);
      assert.equal(r.lost, 0, `${r.workload} lost nothing`);
      assert.equal(r.deliveries, r.expected_deliveries, `${r.workload} delivered everything expected`);
      assert.equal(typeof r.duplicated, "number");
      assert.equal(r.invalid_signatures, 0, `${r.workload}: every signature verified`);
      assert.ok(r.signature_crosscheck_with_fedify.checked > 0, `${r.workload}: Fedify checked signatures too`);
      assert.equal(r.signature_crosscheck_with_fedify.disagreements, 0, `${r.workload}: the fleet and Fedify agree`);
      assert.ok(r.rsa_signs_per_second_one_core > 0);
    }
    const [celebrity, poisoned, sustained] = report;
    assert.equal(celebrity.deliveries, 10, "one delivery per domain (shared inboxes)");
    assert.equal(celebrity.first_post.tls_resumed_share, 0, "the first post: a full TLS handshake with every host");
    assert.notEqual(celebrity.seconds_waited_for_connections_to_close, null, "the second post waited for the first's connections to close");
    assert.equal(celebrity.tls_handshakes, 10, "so the second post connected to every host again");
    assert.equal(celebrity.tls_resumed_share, 1, "resuming the session each host issued");
    assert.equal(typeof celebrity.server_cpu_per_delivery_in_rsa_signs, "number");
    assert.equal(poisoned.poisoned_domains, 2);
    assert.equal(poisoned.deliveries, 8, "the healthy domains");
    assert.ok(sustained.posts > 0 && Array.isArray(sustained.oldest_pending_seconds_every_10s));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("./skein bench fanout --workers N runs the server as ./skein web plus N workers (PostgreSQL only)", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-bench-fanout-"));
  try {
    const json = path.join(dir, "fanout.json");
    const env: Record<string, string> = { DATABASE_URL: databaseKind === "postgres" ? process.env.SKEIN_TEST_POSTGRES_URL! : "" };
    const result = await runCli([
      "bench", "fanout", "--db", databaseKind, "--workload", "celebrity", "--workers", "2",
      "--followers", "40", "--domains", "8", "--latency-p50", "5", "--latency-p99", "20", "--timeout", "30", "--data-dir", dir, "--json", json,
    ], env);
    if (databaseKind === "sqlite") {
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--workers needs --db postgres/);
      return;
    }
    assert.equal(result.code, 0, result.stderr);
    const [celebrity] = JSON.parse(fs.readFileSync(json, "utf8")) as Record<string, any>[];
    assert.equal(celebrity.layout, "web + 2 workers");
    assert.equal(celebrity.deliveries, 8, "the workers delivered to every domain, once each");
    assert.equal(celebrity.duplicated, 0);
    assert.equal(celebrity.invalid_signatures, 0);
    assert.ok(fs.readdirSync(dir).some((name) => name.endsWith(".server.log.worker-2")), "each worker keeps its own log");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
