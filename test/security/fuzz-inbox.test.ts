// Property test of the federation side: malformed activities and JSON-LD (deep nesting, huge
// arrays, inline and unloadable contexts, wrong types, prototype keys, IDN and IP-literal URLs)
// POSTed to the shared and personal inboxes, unsigned or with junk signatures, and hostile reads
// of actors, collections, posts, WebFinger and NodeInfo. Each must be answered below 500 within
// the bound, while /health keeps answering and the server's memory stays bounded.
// CI runs a fixed seed and count; `./skein test --fuzz N` runs N cases with a new seed.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { TestServer } from "../support/server.ts";
import { startFuzzTarget } from "../support/fuzz/target.ts";
import { federationReads, inboxRequests } from "../support/fuzz/inbox-requests.ts";
import { brokenRules, FuzzRun, summary } from "../support/fuzz/harness.ts";
import type { FuzzTarget } from "../support/fuzz/values.ts";

/** 15–25 s per database on two cores alone (5,000 on SQLite, 2,500 on PostgreSQL); `./skein test --fuzz N` runs more. */
const CI_CASES = 5000;

let server: TestServer;
let target: FuzzTarget;

before(async () => {
  ({ server, target } = await startFuzzTarget());
});

after(async () => {
  await server?.stop();
});

test("the inboxes and ActivityPub documents answer malformed requests with 4xx, quickly, and stay up", async (t) => {
  const requests = fc.oneof({ weight: 4, arbitrary: inboxRequests(target) }, { weight: 1, arbitrary: federationReads(target) });
  const result = await new FuzzRun(server).run("federation fuzz", requests, CI_CASES);
  t.diagnostic(summary(result));
  assert.deepEqual(brokenRules(result), [], summary(result));
});
