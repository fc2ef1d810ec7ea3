// A signature that does not cover the body, the method, the target or the host proves less than it
// seems: such requests are refused before Fedify sees them (the end-to-end cases are in
// federation/signatures.test.ts and federation/signature-interop.test.ts).
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { coveredComponents, missingComponents, weakSignatureRefusal } from "../../src/federation/signature-policy.ts";

const post = (headers: Record<string, string>, method = "POST") => new Request("https://example.test/inbox", { method, headers, body: method === "POST" ? "{}" : undefined });

test("the components of each signature are read from Signature-Input, parameters aside", () => {
  assert.deepEqual(coveredComponents('sig1=("@method" "@target-uri" "content-digest");alg="rsa-v1_5-sha256";keyid="https://a.test/u#k";created=1'), [["@method", "@target-uri", "content-digest"]]);
  assert.deepEqual(coveredComponents('a=("@query-param";name="content-digest" "date");created=1, b=("content-digest";sf)'), [["@query-param", "date"], ["content-digest"]]);
  assert.deepEqual(coveredComponents('sig1=("a\\"b" "c")'), [['a"b', "c"]]);
  assert.equal(coveredComponents('sig1=("@method" "content-digest";created=1'), null, "an unclosed list");
  assert.equal(coveredComponents('sig1=("@method)'), null, "an unclosed string");
});

test("a POST is refused when one of its RFC 9421 signatures leaves the body, method or target uncovered", async () => {
  const covered = 'sig1=("@method" "@target-uri" "content-digest");keyid="https://a.test/u#k";created=1';
  assert.equal(weakSignatureRefusal(post({ "Signature-Input": covered, Signature: "sig1=:AA==:" })), null);
  assert.equal(weakSignatureRefusal(post({})), null, "unsigned: the caller's rule");
  assert.equal(weakSignatureRefusal(post({ "Signature-Input": 'sig1=("@method" "@target-uri");created=1' }, "GET")), null, "a GET has no body");
  assert.equal(weakSignatureRefusal(post({ "Signature-Input": 'sig1=("@method");created=1' }, "GET"))?.status, 401, "a GET still names its target");

  for (const input of [
    'sig1=("@method" "@target-uri" "@authority");keyid="k";created=1',
    'sig1=("@target-uri" "content-digest");keyid="k";created=1',
    'sig1=("@method" "@authority" "content-digest");keyid="k";created=1',
    `${covered}, sig2=("@method");keyid="k";created=1`,
    'sig1=("@method"',
  ]) {
    const refused = weakSignatureRefusal(post({ "Signature-Input": input, Signature: "sig1=:AA==:" }));
    assert.equal(refused?.status, 401, input);
  }
});

test("a draft-cavage signature must cover (request-target) and host, and digest when there is a body", () => {
  const draft = (headers: string) => `keyId="https://a.test/u#k",algorithm="rsa-sha256",headers="${headers}",signature="AA=="`;
  assert.equal(weakSignatureRefusal(post({ Signature: draft("(request-target) host date digest") })), null, "Mastodon's own");
  assert.equal(weakSignatureRefusal(post({ Signature: draft("(request-target) date host digest content-type") })), null, "Misskey's order");
  assert.equal(weakSignatureRefusal(post({ Signature: draft("(request-target) host date accept") }, "GET")), null, "a GET");
  assert.deepEqual(missingComponents(post({ Signature: draft("(request-target) date digest") })), ["host"]);
  assert.deepEqual(missingComponents(post({ Signature: draft("host date digest") })), ["(request-target)"]);
  assert.deepEqual(missingComponents(post({ Signature: draft("(request-target) host date") })), ["digest"]);
  assert.deepEqual(missingComponents(post({ Signature: draft("date") }, "GET")), ["(request-target)", "host"]);
  assert.equal(weakSignatureRefusal(post({ Signature: 'keyId="k",signature="AA=="' }))?.status, 401, "no headers list");
});
