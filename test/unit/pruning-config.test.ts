// REMOTE_POST_RETENTION: off unless set; a bad value is named; when set, full servers and
// workers sweep with the prune (server/scheduler.ts), and tombstones live at least 30 days.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../src/config/config.ts";
import { backgroundTasks } from "../../src/server/scheduler.ts";
import { WakeSignal } from "../../src/queue/wake-signal.ts";
import type { Services } from "../../src/domain/services.ts";
import { formatPruneReport, type PruneReport } from "../../src/domain/pruning/report.ts";
import { uriHash } from "../../src/domain/pruning/tombstones.ts";

const tasksFor = (env: Record<string, string>) => backgroundTasks({ config: loadConfig(env) } as unknown as Services, new WakeSignal(null, "skein_sweeps")).map((t) => t.name);

test("without REMOTE_POST_RETENTION nothing is pruned on a schedule; tombstones live 30 days", () => {
  const config = loadConfig({});
  assert.equal(config.pruning.remotePostRetentionDays, null);
  assert.equal(config.pruning.tombstoneDays, 30);
  assert.ok(!tasksFor({}).includes("prune-remote-data"));
});

test("REMOTE_POST_RETENTION=N schedules the prune; a longer retention keeps tombstones as long", () => {
  assert.equal(loadConfig({ REMOTE_POST_RETENTION: "14" }).pruning.tombstoneDays, 30);
  const config = loadConfig({ REMOTE_POST_RETENTION: "90" });
  assert.equal(config.pruning.remotePostRetentionDays, 90);
  assert.equal(config.pruning.tombstoneDays, 90);
  assert.ok(tasksFor({ REMOTE_POST_RETENTION: "90" }).includes("prune-remote-data"));
});

test("a retention that is not a whole number of days is refused with its name", () => {
  for (const bad of ["0", "-3", "1.5", "a week", "99999"]) {
    assert.throws(() => loadConfig({ REMOTE_POST_RETENTION: bad }), (error: unknown) => error instanceof ConfigError && error.problems.some((p) => p.startsWith("REMOTE_POST_RETENTION")));
  }
});

test("tombstones are 128-bit hashes of the URI, the same for the same URI", () => {
  assert.match(uriHash("https://example.com/notes/1"), /^[0-9a-f]{32}$/);
  assert.equal(uriHash("https://example.com/notes/1"), uriHash("https://example.com/notes/1"));
  assert.notEqual(uriHash("https://example.com/notes/1"), uriHash("https://example.com/notes/2"));
});

test("the report names every kind, the sizes and the time; a skipped prune says why", () => {
  const report: PruneReport = {
    dryRun: true, skipped: null, olderThanDays: 30, cutoff: "2026-11-01T00:00:00.000Z", examined: 10, kept: 4,
    removed: { statuses: 5, boosts: 1, edits: 2, polls: 1, media: 3, mentions: 0, tags: 2, feedEntries: 7, accountsStubbed: 2, tombstonesExpired: 9, cacheFiles: 3, cacheBytes: 3_000_000 },
    sizeBefore: { bytes: 50_000_000, freeBytes: 0 }, sizeAfter: { bytes: 50_000_000, freeBytes: 4_000_000 }, seconds: 1.25,
  };
  const text = formatPruneReport(report);
  assert.match(text, /10 looked at, 4 kept/);
  assert.match(text, /Would remove \(rows\):/);
  assert.match(text, /remote posts\s+5\n/);
  assert.match(text, /expired tombstones\s+9\n/);
  assert.match(text, /cached remote media bytes\s+3\.0 MB/);
  assert.match(text, /Database size: 50\.0 MB \(0\.0 MB free inside the file\) before, 50\.0 MB \(4\.0 MB free inside the file\) after/);
  assert.match(text, /Took 1\.3 s\. Nothing was removed \(--dry-run\)\./);
  assert.equal(formatPruneReport({ ...report, skipped: "another prune is running (it holds the lease)" }), "Nothing done: another prune is running (it holds the lease)\n");
});
