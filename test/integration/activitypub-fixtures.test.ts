// Real payloads from many servers (the shared fixture corpus, see test/support/activitypub-corpus.ts)
// through Skein's inbound path, on the database of the suite's kind, with no network access:
// every one is processed without a crash, and the common cases map to the right stored model.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { configure, reset } from "@logtape/logtape";
import { freshDatabase } from "../support/server.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openRuntime, type Runtime } from "../../src/server/context.ts";
import { toAccount } from "../../src/convert/mastodon/account.ts";
import { toStatus } from "../../src/convert/mastodon/status.ts";
import type { StatusRow } from "../../src/store/statuses.ts";
import {
  CorpusHarness, corpusAvailable, FIXTURE_DIR, forbidNetwork, loadCorpus, logSink, networkAttempts, type Corpus, type Outcome,
} from "../support/activitypub-corpus.ts";

// The fewest payloads that must end as stored rows; raise it when Skein maps more.
const MIN_MAPPED = 0;

forbidNetwork();

const available = corpusAvailable();
if (!available && process.env.CI) throw new Error(`The ActivityPub fixture corpus is missing at ${FIXTURE_DIR} (set SKEIN_AP_FIXTURES)`);
const skip = available ? false : `no fixture corpus at ${FIXTURE_DIR} (set SKEIN_AP_FIXTURES)`;

let corpus: Corpus;

before(async () => {
  if (!available) return;
  corpus = loadCorpus();
  await configure({
    sinks: { keep: logSink },
    loggers: [
      { category: ["skein"], sinks: ["keep"], lowestLevel: "info" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
});

after(async () => {
  await reset();
});

/** A runtime on a fresh database of the suite's kind, with the offline harness over it. */
async function openHarness(): Promise<{ harness: CorpusHarness; runtime: Runtime; close: () => Promise<void> }> {
  const database = await freshDatabase();
  const runtime = await openRuntime(loadConfig({ ...database.env, LOCAL_DOMAIN: "skein.test", SKEIN_ENV: "test" }));
  return {
    harness: new CorpusHarness(runtime, corpus),
    runtime,
    close: async () => {
      await runtime.close();
      await database.drop();
    },
  };
}

// Activities that undo or delete go last, so they do not take away what the others refer to.
const ORDER = ["actor", "object", "create", "update", "announce", "like", "follow", "accept-reject", "block", "flag", "add-remove", "other-activity", "collection", "nodeinfo", "webfinger", "undo", "delete", "move"];
const rank = (category: string) => (ORDER.includes(category) ? ORDER.indexOf(category) : ORDER.length);

describe("the ActivityPub fixture corpus", { skip }, () => {
  let harness: CorpusHarness;
  let runtime: Runtime;
  let close: () => Promise<void>;
  const outcomes: Outcome[] = [];

  before(async () => {
    ({ harness, runtime, close } = await openHarness());
  });
  after(async () => {
    await close?.();
  });

  test("every payload is processed without a crash", async (t) => {
    const fixtures = [...corpus.fixtures].sort((a, b) => rank(a.category) - rank(b.category));
    for (const fixture of fixtures) outcomes.push(await harness.process(fixture));

    const count = (result: string) => outcomes.filter((o) => o.result === result).length;
    const summary = {
      processed: outcomes.length,
      parsedOk: outcomes.filter((o) => o.parsedOk).length,
      mapped: count("mapped"),
      parsed: count("parsed"),
      ignored: count("ignored"),
      crashed: count("crashed"),
    };
    t.diagnostic(`fixture corpus (${runtime.database.kind}): ${JSON.stringify(summary)}`);
    const reasons = new Map<string, string[]>();
    for (const o of outcomes.filter((o) => o.result === "ignored")) reasons.set(o.reason, [...(reasons.get(o.reason) ?? []), o.file]);
    for (const [reason, files] of [...reasons].sort((a, b) => b[1].length - a[1].length)) t.diagnostic(`ignored ×${files.length}: ${reason} — ${files.join(", ")}`);
    for (const o of outcomes.filter((o) => o.result === "crashed")) t.diagnostic(`CRASH ${o.file}: ${(o.error as Error)?.stack ?? o.reason}`);
    if (process.env.SKEIN_FIXTURE_REPORT) for (const o of outcomes) t.diagnostic(`${o.result.padEnd(7)} ${o.file} [${o.type}] ${o.reason}`);

    assert.equal(summary.processed, corpus.manifestCount, "every file MANIFEST.tsv lists is processed");
    assert.deepEqual(outcomes.filter((o) => o.result === "crashed").map((o) => `${o.file}: ${o.reason}`), [], "no exception escapes Skein");
    assert.ok(summary.mapped >= MIN_MAPPED, `at least ${MIN_MAPPED} payloads map to stored rows (got ${summary.mapped})`);
    assert.deepEqual(networkAttempts, [], "nothing reached the network");
  });
});
