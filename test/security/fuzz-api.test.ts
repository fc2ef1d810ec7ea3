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
import { FuzzRun, HEALTH_BOUND_MS, RSS_GROWTH_BOUND_MB, summary, type FuzzResult } from "../support/fuzz/harness.ts";
import type { FuzzTarget } from "../support/fuzz/values.ts";

/** About a minute per database on two cores, with the other test files running beside it. */
const CI_CASES = 1500;

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
  const result: FuzzResult = await run.run("client API fuzz", requests, CI_CASES, (req) => ({ streams: req.path.startsWith("/api/v1/streaming/") }));
  const report = summary(result);
  t.diagnostic(report);
  console.log(report);

  assert.equal(run.serverErrorCount, 0, `server errors:\n${[...run.serverErrors.keys()].join("\n")}`);
  assert.ok(!result.details.failed, `the property failed:\n${String((result.details.errorInstance as Error | null)?.message)}`);
  assert.deepEqual(result.watch.healthFailures, [], `/health stopped answering within ${HEALTH_BOUND_MS} ms`);
  assert.ok(result.watch.peakRssMb - result.watch.baselineRssMb < RSS_GROWTH_BOUND_MB, `server RSS grew by ${Math.round(result.watch.peakRssMb - result.watch.baselineRssMb)} MB`);
});
