// An RFC 9421 signature that does not cover content-digest leaves the body unsigned: such POSTs
// are refused before Fedify sees them (the end-to-end case is in federation/signatures.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { coveredComponents, uncoveredBodyRefusal } from "../../src/federation/signature-policy.ts";

const post = (headers: Record<string, string>, method = "POST") => new Request("https://example.test/inbox", { method, headers, body: method === "POST" ? "{}" : undefined });

test("the components of each signature are read from Signature-Input, parameters aside", () => {
  assert.deepEqual(coveredComponents('sig1=("@method" "@target-uri" "content-digest");alg="rsa-v1_5-sha256";keyid="https://a.test/u#k";created=1'), [["@method", "@target-uri", "content-digest"]]);
  assert.deepEqual(coveredComponents('a=("@query-param";name="content-digest" "date");created=1, b=("content-digest";sf)'), [["@query-param", "date"], ["content-digest"]]);
  assert.deepEqual(coveredComponents('sig1=("a\\"b" "c")'), [['a"b', "c"]]);
  assert.equal(coveredComponents('sig1=("@method" "content-digest";created=1'), null, "an unclosed list");
  assert.equal(coveredComponents('sig1=("@method)'), null, "an unclosed string");
});

test("a POST is refused when one of its RFC 9421 signatures leaves the body uncovered", async () => {
  const covered = 'sig1=("@method" "@target-uri" "content-digest");keyid="https://a.test/u#k";created=1';
  assert.equal(uncoveredBodyRefusal(post({ "Signature-Input": covered, Signature: "sig1=:AA==:" })), null);
  assert.equal(uncoveredBodyRefusal(post({ Signature: 'keyId="k",headers="(request-target) date digest",signature="AA=="' })), null, "draft-cavage: Fedify requires the digest itself");
  assert.equal(uncoveredBodyRefusal(post({})), null, "unsigned: Fedify refuses it");
  assert.equal(uncoveredBodyRefusal(post({ "Signature-Input": 'sig1=("@method");created=1' }, "GET")), null, "a GET has no body");

  for (const input of ['sig1=("@method" "@target-uri" "@authority");keyid="k";created=1', `${covered}, sig2=("@method");keyid="k";created=1`, 'sig1=("@method"']) {
    const refused = uncoveredBodyRefusal(post({ "Signature-Input": input, Signature: "sig1=:AA==:" }));
    assert.equal(refused?.status, 401, input);
  }
});
