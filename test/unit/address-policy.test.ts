// The outbound address policy: which addresses Skein may connect to for another server's sake
// (public unicast only), how IP literals are recognised in every spelling a URL accepts, and how
// the test environment's exceptions are bounded.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { ipLiteralOf, refusalOf } from "../../src/net/address-policy.ts";
import { destinationRefusal, guardedLookup, refusalUnder, type OutboundPolicy } from "../../src/net/connection-guard.ts";

/** Address → the range it is refused as (null: public, allowed). */
const TABLE: [string, string | null][] = [
  // IPv4
  ["0.0.0.0", '"this network"'],
  ["0.1.2.3", '"this network"'],
  ["10.0.0.1", "private"],
  ["10.255.255.255", "private"],
  ["100.64.0.1", "shared (carrier-grade NAT)"],
  ["100.127.255.254", "shared (carrier-grade NAT)"],
  ["127.0.0.1", "loopback"],
  ["127.0.0.65", "loopback"],
  ["127.255.255.255", "loopback"],
  ["169.254.169.254", "link-local"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["192.0.0.8", "IETF protocol assignments"],
  ["192.0.2.10", "documentation"],
  ["192.88.99.1", "6to4 relay anycast"],
  ["192.168.1.1", "private"],
  ["198.18.0.1", "benchmarking"],
  ["198.19.255.255", "benchmarking"],
  ["198.51.100.7", "documentation"],
  ["203.0.113.9", "documentation"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["240.0.0.1", "reserved"],
  ["255.255.255.255", "broadcast"],
  ["1.1.1.1", null],
  ["8.8.8.8", null],
  ["93.184.215.14", null],
  ["100.63.255.255", null],
  ["100.128.0.0", null],
  ["172.15.255.255", null],
  ["172.32.0.0", null],
  ["192.0.1.1", null],
  ["198.20.0.0", null],
  ["223.255.255.255", null],
  // IPv6
  ["::", "unspecified"],
  ["::1", "loopback"],
  ["0:0:0:0:0:0:0:1", "loopback"],
  ["::ffff:127.0.0.1", "IPv4-mapped loopback"],
  ["::ffff:7f00:1", "IPv4-mapped loopback"],
  ["::ffff:10.1.2.3", "IPv4-mapped private"],
  ["::ffff:169.254.169.254", "IPv4-mapped link-local"],
  ["::ffff:8.8.8.8", null],
  ["::127.0.0.1", "IPv4-compatible"],
  ["::8.8.8.8", "IPv4-compatible"],
  ["64:ff9b::7f00:1", "NAT64 loopback"],
  ["64:ff9b::10.0.0.1", "NAT64 private"],
  ["64:ff9b::808:808", null],
  ["64:ff9b:1::1", "local-use NAT64"],
  ["2002:7f00:1::1", "6to4 loopback"],
  ["2002:c0a8:101::1", "6to4 private"],
  ["2002:808:808::1", null],
  ["100::1", "discard-only"],
  ["2001::1", "IETF protocol assignments (Teredo, benchmarking, ORCHID)"],
  ["2001:db8::1", "documentation"],
  ["3fff::1", "documentation"],
  ["fc00::1", "unique-local"],
  ["fd12:3456::1", "unique-local"],
  ["fe80::1", "link-local"],
  ["fe80::1%eth0", "link-local"],
  ["fec0::1", "site-local"],
  ["ff02::1", "multicast"],
  ["::ffff:0:7f00:1", "reserved (not global unicast)"],
  ["4000::1", "reserved (not global unicast)"],
  ["2606:4700:4700::1111", null],
  ["2a00:1450:4001::200e", null],
  ["2001:4860:4860::8888", null],
  // Not addresses at all: refused, never guessed at.
  ["localhost", "not an IP address"],
  ["2130706433", "not an IP address"],
  ["", "not an IP address"],
];

test("addresses are allowed only when public unicast; every other range is refused by name", () => {
  for (const [address, range] of TABLE) assert.equal(refusalOf(address), range, address);
});

test("IP literals are recognised in every spelling a URL's host accepts", () => {
  const spellings: [string, string | null][] = [
    ["127.0.0.65", "127.0.0.65"],
    ["2130706433", "127.0.0.1"],
    ["0x7f000041", "127.0.0.65"],
    ["0177.0.0.1", "127.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["[::1]", "::1"],
    ["::1", "::1"],
    ["[::ffff:127.0.0.1]", "::ffff:7f00:1"],
    ["[::ffff:7f00:1]", "::ffff:7f00:1"],
    ["[0:0:0:0:0:ffff:7f00:1]", "::ffff:7f00:1"],
    ["example.com", null],
    ["127.0.0.1.example", null],
    ["a/b", null],
  ];
  for (const [host, address] of spellings) {
    assert.equal(ipLiteralOf(host), address, host);
    if (address !== null) assert.notEqual(refusalOf(address), null, `${host} is refused`);
  }
});

test("the test environment's exceptions: private addresses when allowed, pinned names only at their address", () => {
  const pinned: OutboundPolicy = { allowPrivate: false, pinned: (h) => (h === "a.test" ? "127.0.0.20" : undefined) };
  assert.equal(refusalUnder(pinned, "a.test", "127.0.0.20"), null);
  assert.equal(refusalUnder(pinned, "a.test", "::ffff:127.0.0.20"), null);
  assert.equal(refusalUnder(pinned, "a.test", "127.0.0.21"), "loopback", "a pinned name elsewhere is judged as any other");
  assert.equal(refusalUnder(pinned, "b.test", "127.0.0.20"), "loopback");
  assert.equal(refusalUnder(pinned, "a.test", "8.8.8.8"), null);
  assert.equal(refusalUnder({ allowPrivate: true }, "anything", "10.0.0.1"), null);
});

test("names are resolved with refused addresses left out", async () => {
  const resolve = (policy: OutboundPolicy, name: string) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((done) => guardedLookup(policy)(name, {}, (error, address) => done({ error, address })));
  const refused = await resolve({ allowPrivate: false }, "localhost");
  assert.equal(refused.error?.code, "ERR_PRIVATE_ADDRESS");
  assert.match(String(refused.error?.message), /localhost \((127\.0\.0\.1|::1)\) refused: loopback address/);
  assert.equal((await resolve({ allowPrivate: true }, "localhost")).error, null);
  assert.equal((await resolve({ allowPrivate: false, pinned: () => "127.0.0.9" }, "d1.fleet.test")).address, "127.0.0.9");
});

test("a destination URL is refused for a private literal in any spelling or a name resolving privately", async () => {
  const production: OutboundPolicy = { allowPrivate: false };
  for (const url of ["https://127.0.0.65/inbox", "https://2130706433/inbox", "https://[::ffff:7f00:1]/inbox", "https://[fd00::1]/", "https://localhost/inbox"]) {
    assert.notEqual(await destinationRefusal(new URL(url), production), null, url);
  }
  assert.equal(await destinationRefusal(new URL("https://93.184.215.14/inbox"), production), null);
  assert.equal(await destinationRefusal(new URL("https://localhost/inbox"), { allowPrivate: true }), null);
});
