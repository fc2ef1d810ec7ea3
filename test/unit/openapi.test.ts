// The contract check every end-to-end test relies on must itself be shown to bite: a body
// missing what the Mastodon API requires is reported, and what Skein produces passes.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { findOperation, validateResponse } from "../support/openapi.ts";
import { loadConfig } from "../../src/config/config.ts";
import { toInstanceV2 } from "../../src/convert/mastodon/instance.ts";
import { SKEIN_VERSION } from "../../src/version.ts";

function instanceBody(): Record<string, unknown> {
  const config = loadConfig({ LOCAL_DOMAIN: "social.example" });
  return toInstanceV2({ config, version: SKEIN_VERSION, userCount: 3, statusCount: 7, contactAccount: null, vapidPublicKey: "BExample" }, { origin: config.origin });
}

test("Skein's own Instance entity passes the contract", () => {
  assert.deepEqual(validateResponse("GET", "/api/v2/instance", 200, instanceBody()), { checked: true, problems: [] });
});

test("an Instance missing required fields is reported, naming each missing field", () => {
  const body = instanceBody();
  delete body.domain;
  delete body.usage;
  const { checked, problems } = validateResponse("GET", "/api/v2/instance", 200, body);
  assert.equal(checked, true);
  assert.ok(problems.some((p) => p.includes(`"missingProperty":"domain"`)), problems.join("\n"));
  assert.ok(problems.some((p) => p.includes(`"missingProperty":"usage"`)), problems.join("\n"));
});

test("a field of the wrong type, deep inside, is reported with its path", () => {
  const body = instanceBody() as { configuration: { statuses: { max_characters: unknown } } };
  body.configuration.statuses.max_characters = "5000";
  const { problems } = validateResponse("GET", "/api/v2/instance", 200, body);
  assert.deepEqual(problems.length > 0, true);
  assert.match(problems[0], /^\/configuration\/statuses\/max_characters must be integer/);
});

test("error responses must use Mastodon's error shape", () => {
  assert.deepEqual(validateResponse("GET", "/api/v1/accounts/verify_credentials", 401, { error: "The access token is invalid" }).problems, []);
  const wrong = validateResponse("GET", "/api/v1/accounts/verify_credentials", 401, { message: "nope" });
  assert.equal(wrong.checked, true);
  assert.ok(wrong.problems.some((p) => p.includes(`"missingProperty":"error"`)), wrong.problems.join("\n"));
});

test("literal paths win over templated ones, and paths outside the contract are not checked", () => {
  assert.equal(findOperation("GET", "/api/v1/accounts/verify_credentials")?.template, "/api/v1/accounts/verify_credentials");
  assert.equal(findOperation("GET", "/api/v1/accounts/123")?.template, "/api/v1/accounts/{id}");
  assert.equal(findOperation("get", "/api/v2/instance")?.template, "/api/v2/instance");
  assert.equal(findOperation("DELETE", "/api/v2/instance"), null);
  assert.deepEqual(validateResponse("GET", "/health", 200, "OK"), { checked: false, problems: [] });
});
