// The sign-up rules the registration work will ask before creating an account: IP ranges
// (IPv4, IPv6, IPv4 seen through an IPv6 socket; expiry is the store's filter), e-mail domains
// covering their subdomains, canonical addresses, and which verdict wins.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatIpRange, parseIpRange, rangeContains } from "../../src/domain/moderation/ip-ranges.ts";
import { SignUpBlockService, canonicalEmail, canonicalEmailHash } from "../../src/domain/moderation/sign-up-blocks.ts";
import type { IpBlockRow, EmailDomainBlockRow } from "../../src/store/moderation/sign-up-blocks.ts";
import type { Stores } from "../../src/store/stores.ts";
import type { AuditLog } from "../../src/domain/moderation/audit-log.ts";

test("IP ranges are normalised to one spelling and refuse what is not a range", () => {
  const cases: [string, string][] = [
    ["192.0.2.7", "192.0.2.7/32"],
    ["10.1.2.3/8", "10.0.0.0/8"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1/128"],
    ["2001:db8:1:2:3:4:5:6/48", "2001:db8:1::/48"],
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1/128"],
    ["::ffff:192.0.2.1", "::ffff:c000:201/128"],
    ["fe80::1:0:0:0/64", "fe80::/64"],
    ["::/0", "::/0"],
  ];
  for (const [input, expected] of cases) assert.equal(formatIpRange(parseIpRange(input)), expected, input);
  for (const bad of ["", "192.0.2", "192.0.2.256", "192.0.2.0/33", "192.0.2.0/-1", "192.0.2.0/", "2001:db8::/129", "example.com", "1.2.3.4/8/8", "192.0.2.0/0x8"]) {
    assert.throws(() => parseIpRange(bad), /Ip /, bad);
  }
});

test("an address is inside a range of its family; an IPv4 client behind an IPv6 socket is still IPv4", () => {
  const v4 = parseIpRange("198.51.100.0/24");
  assert.ok(rangeContains(v4, "198.51.100.200"));
  assert.ok(!rangeContains(v4, "198.51.101.1"));
  assert.ok(rangeContains(v4, "::ffff:198.51.100.9"));
  assert.ok(!rangeContains(v4, "2001:db8::1"));
  assert.ok(!rangeContains(v4, "not an address"));
  const v6 = parseIpRange("2001:db8:abcd::/48");
  assert.ok(rangeContains(v6, "2001:db8:abcd:12::1"));
  assert.ok(!rangeContains(v6, "2001:db8:abce::1"));
  assert.ok(rangeContains(parseIpRange("::/0"), "::1"));
});

test("canonical e-mail addresses: lower case, no dots or +tag in the local part", () => {
  assert.equal(canonicalEmail(" J.Doe+promo@Example.COM "), "jdoe@example.com");
  assert.equal(canonicalEmail("a.b.c@x.example"), "abc@x.example");
  assert.equal(canonicalEmailHash("j.doe@example.com"), canonicalEmailHash("jdoe+x@EXAMPLE.com"));
  for (const bad of ["", "nobody", "@example.com", "user@", "x".repeat(400) + "@example.com"]) assert.throws(() => canonicalEmail(bad), /not an e-mail address/, bad);
});

function serviceOver(ipBlocks: Partial<IpBlockRow>[], emailDomains: Partial<EmailDomainBlockRow>[], hashes: string[]) {
  const stores = {
    signUpBlocks: {
      activeIpBlocks: async () => ipBlocks,
      emailDomainsAmong: async (domains: string[]) => emailDomains.filter((row) => domains.includes(row.domain!)).sort((a, b) => b.domain!.length - a.domain!.length),
      canonicalEmailByHash: async (hash: string) => (hashes.includes(hash) ? { id: "1", canonical_email_hash: hash } : undefined),
    },
  } as unknown as Stores;
  return new SignUpBlockService(stores, {} as AuditLog);
}

test("check(): blocks beat approval; e-mail domains cover their subdomains; canonical addresses match any spelling", async () => {
  const service = serviceOver(
    [
      { ip: "203.0.113.0/24", severity: "sign_up_requires_approval" },
      { ip: "203.0.113.66/32", severity: "no_access" },
      { ip: "2001:db8::/32", severity: "sign_up_block" },
    ],
    [{ domain: "spam.example", allow_with_approval: 0 }, { domain: "maybe.example", allow_with_approval: 1 }],
    [canonicalEmailHash("banned@mail.example")],
  );
  const verdict = async (email: string | null, ip: string | null) => (await service.check({ email, ip })).outcome;
  assert.equal(await verdict("someone@fine.example", "192.0.2.1"), "allowed");
  assert.equal(await verdict(null, null), "allowed");
  assert.equal(await verdict("someone@fine.example", "203.0.113.5"), "approval_required");
  assert.equal(await verdict("someone@fine.example", "203.0.113.66"), "blocked", "the stricter range inside the approval range");
  assert.equal(await verdict("someone@fine.example", "2001:db8:1::7"), "blocked");
  assert.equal(await verdict("x@spam.example", null), "blocked");
  assert.equal(await verdict("x@mx.SPAM.example", null), "blocked", "a subdomain of a blocked e-mail domain");
  assert.equal(await verdict("x@notspam.example", null), "allowed", "a name that merely ends the same is not a subdomain");
  assert.equal(await verdict("x@maybe.example", null), "approval_required");
  assert.equal(await verdict("x@maybe.example", "2001:db8::1"), "blocked", "a block beats an approval");
  assert.equal(await verdict("B.a.n.n.e.d+again@Mail.Example", null), "blocked");
  assert.equal(await verdict("not an address", "not an address either"), "allowed", "unreadable input is not a match (the registration validates it)");
  assert.match((await service.check({ email: "x@spam.example" })).reason ?? "", /spam\.example/);
});
