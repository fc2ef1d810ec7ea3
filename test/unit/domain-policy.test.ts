// The domain policy's rules, decided from memory: normalised names, parents covering
// subdomains, the most specific block deciding, allowlist mode, and an allow that beats a
// subscription's block but never a moderator's.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { domainAndParents, normalizeDomain } from "../../src/domain/moderation/domain-names.ts";
import { DomainPolicy } from "../../src/domain/moderation/domain-policy.ts";
import { stricterThan } from "../../src/domain/moderation/domain-block-service.ts";
import type { DomainBlockRow } from "../../src/store/moderation/domain-blocks.ts";
import type { Stores } from "../../src/store/stores.ts";

function block(domain: string, fields: Partial<DomainBlockRow> = {}): DomainBlockRow {
  return {
    id: String(1000 + domain.length), domain, severity: "suspend", reject_media: 0, reject_reports: 0, private_comment: "",
    public_comment: "", obfuscate: 0, subscription_id: null, created_at: "", updated_at: "", ...fields,
  };
}

/** Just the reads the policy makes: its rows and the version setting. */
function policyOver(blocks: DomainBlockRow[], allows: string[], mode: "blocklist" | "allowlist" = "blocklist", settings = new Map<string, string>()) {
  const stores = {
    domainBlocks: { all: async () => blocks, allAllows: async () => allows.map((domain, i) => ({ id: String(i), domain, created_at: "" })) },
    settings: { get: async (key: string) => settings.get(key), put: async (key: string, value: string) => void settings.set(key, value) },
  } as unknown as Stores;
  return new DomainPolicy(stores, mode, "skein.example:8443");
}

test("domain names are normalised to one spelling, and non-names are refused", () => {
  assert.equal(normalizeDomain("Example.COM"), "example.com");
  assert.equal(normalizeDomain("*.example.com"), "example.com");
  assert.equal(normalizeDomain(" bücher.example. "), "xn--bcher-kva.example");
  assert.equal(normalizeDomain("xyz"), "xyz");
  for (const bad of ["", "https://example.com", "example.com/path", "example.com:443", "user@example.com", "exa mple.com", "-bad-.com", "192.0.2.1", "a.*.com"]) {
    assert.throws(() => normalizeDomain(bad), /not a|IP address/, bad);
  }
  assert.deepEqual(domainAndParents("A.b.Example.com:443"), ["a.b.example.com", "b.example.com", "example.com", "com"]);
});

test("a block covers its subdomains, the most specific block decides, and the local domain is never blocked", async () => {
  const policy = policyOver([block("bad.example"), block("quiet.bad.example", { severity: "silence" }), block("media.example", { severity: "noop", reject_media: 1 })], []);
  await policy.changed();
  assert.equal(policy.decide("bad.example").refusal, "suspended");
  assert.equal(policy.decide("deep.sub.bad.example:443").federates, false);
  assert.deepEqual([policy.decide("quiet.bad.example").federates, policy.decide("quiet.bad.example").silenced], [true, true]);
  assert.equal(policy.decide("notbad.example").federates, true, "a suffix that is not a parent is not covered");
  const media = policy.decide("media.example");
  assert.deepEqual([media.federates, media.silenced, media.rejectMedia, media.rejectReports], [true, false, true, false]);
  assert.equal(policyOver([block("example")], []).decide("skein.example").federates, true);
});

test("allowlist mode: only allowed domains (and their subdomains) federate, and a block beats an allow", async () => {
  const policy = policyOver([block("bad.friends.example")], ["friends.example", "other.example"], "allowlist");
  await policy.changed();
  assert.equal(policy.decide("friends.example").federates, true);
  assert.equal(policy.decide("sub.friends.example").federates, true);
  assert.equal(policy.decide("stranger.example").refusal, "not_allowed");
  assert.equal(policy.decide("bad.friends.example").refusal, "suspended");
});

test("in blocklist mode an allow lifts a subscription's block but not a moderator's", async () => {
  const policy = policyOver([block("listed.example", { subscription_id: "7" }), block("manual.example")], ["listed.example", "manual.example"]);
  await policy.changed();
  assert.equal(policy.decide("listed.example").federates, true);
  assert.equal(policy.decide("manual.example").federates, false);
});

test("a change made by another process reaches this one through the version, within the recheck interval", async (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: 1_000_000 });
  const blocks: DomainBlockRow[] = [];
  const settings = new Map<string, string>();
  const web = policyOver(blocks, [], "blocklist", settings);
  await web.fresh();
  assert.equal(web.decide("late.example").federates, true);

  blocks.push(block("late.example"));
  await policyOver(blocks, [], "blocklist", settings).changed(); // e.g. `./skein domains block` beside the server
  await web.fresh();
  assert.equal(web.decide("late.example").federates, true, "between checks the copy in memory is used");
  t.mock.timers.tick(2_001);
  await web.fresh();
  assert.equal(web.decide("late.example").federates, false);
});

test("a subdomain block is worth adding only if it is stricter than its parent's", () => {
  const base = { severity: "silence" as const, reject_media: 0 as const, reject_reports: 0 as const, private_comment: "", public_comment: "", obfuscate: 0 as const };
  assert.equal(stricterThan({ ...base, severity: "suspend" }, base), true);
  assert.equal(stricterThan(base, { ...base, severity: "suspend" }), false);
  assert.equal(stricterThan(base, base), false);
  assert.equal(stricterThan({ ...base, reject_media: 1 }, base), true);
  assert.equal(stricterThan({ ...base, severity: "noop", reject_media: 1 }, base), false);
});
