// Property test of the client API: requests with malformed bodies, parameters and ids to every
// operation of the Mastodon contract, Skein's own endpoints, the sign-in and consent forms and the
// OAuth token endpoint, sent to a real server by a signed-in user. Each must be answered below 500
// within the bound, while /health keeps answering and the server's memory stays bounded.
// CI runs a fixed seed and count; `./skein test --fuzz N` runs N cases with a new seed.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { TestServer } from "../support/server.ts";
import { startFuzzTarget } from "../support/fuzz/target.ts";
import { contractOperations, skeinOperations } from "../support/fuzz/operations.ts";
import { apiRequests } from "../support/fuzz/api-requests.ts";
import { oauthRequests, signInRequests } from "../support/fuzz/web-requests.ts";
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

test("the client API answers malformed requests with 4xx, quickly, and stays up", async (t) => {
  const operations = [...contractOperations(), ...skeinOperations];
  const requests = fc.oneof(
    { weight: 8, arbitrary: apiRequests(target, operations) },
    { weight: 1, arbitrary: signInRequests(target) },
    { weight: 1, arbitrary: oauthRequests(target) },
  );
  const run = new FuzzRun(server);
  const result = await run.run("client API fuzz", requests, CI_CASES, (req) => ({ streams: req.path.startsWith("/api/v1/streaming/") }));
  t.diagnostic(summary(result));
  assert.deepEqual(brokenRules(result), [], summary(result));
});
