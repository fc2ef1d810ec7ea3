// The server's TOTP against the RFCs' own test vectors: RFC 4226 appendix D (HOTP) and RFC 6238
// appendix B (TOTP, SHA-1, 8 digits), plus base32 both ways and the ±1 step window.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri } from "../../src/domain/auth/totp.ts";

const RFC_KEY = Buffer.from("12345678901234567890");

test("HOTP gives RFC 4226's values for counters 0–9", () => {
  const expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
  assert.deepEqual(expected.map((_, counter) => hotp(RFC_KEY, counter)), expected);
});

test("TOTP gives RFC 6238's SHA-1 values", () => {
  const vectors: [number, string][] = [[59, "94287082"], [1111111109, "07081804"], [1111111111, "14050471"], [1234567890, "89005924"], [2000000000, "69279037"], [20000000000, "65353130"]];
  for (const [seconds, code] of vectors) assert.equal(hotp(RFC_KEY, Math.floor(seconds / 30), 8), code, `T=${seconds}`);
});

test("base32 round-trips, and the RFC key reads back", () => {
  assert.equal(base32Encode(RFC_KEY), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  assert.deepEqual(base32Decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"), RFC_KEY);
});

test("a code matches its own step and one either side, no further", () => {
  const secret = base32Encode(RFC_KEY);
  const at = 1_700_000_000_000;
  const step = Math.floor(at / 30_000);
  for (const offset of [-1, 0, 1]) assert.equal(matchTotp(secret, hotp(RFC_KEY, step + offset), at), step + offset);
  for (const offset of [-3, -2, 2, 3]) assert.equal(matchTotp(secret, hotp(RFC_KEY, step + offset), at), null);
  assert.equal(matchTotp(secret, "12345", at), null);
  assert.equal(matchTotp(secret, "abcdef", at), null);
});

test("the otpauth URI carries the key, issuer and parameters", () => {
  const uri = new URL(otpauthUri("My Server", "alice@example.social", "ABCDEFGH"));
  assert.equal(uri.protocol, "otpauth:");
  assert.equal(uri.host, "totp");
  assert.equal(decodeURIComponent(uri.pathname), "/My Server:alice@example.social");
  assert.equal(uri.searchParams.get("secret"), "ABCDEFGH");
  assert.equal(uri.searchParams.get("issuer"), "My Server");
  assert.equal(uri.searchParams.get("period"), "30");
});
