// The domain policy and sign-up blocks through Mastodon's admin API — domain blocks and allows,
// e-mail domain, canonical e-mail and IP blocks, measures, dimensions, retention — and the
// public instance endpoints: shapes (checked against the contract's Admin_* schemas), bad input
// (422, never 500), Mastodon's scopes and permissions (403), and the audit log.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { apiCaller, type ApiResponse } from "../support/api.ts";
import { createHash } from "node:crypto";
import { startServer, type TestServer } from "../support/server.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { adminUser, auditRows, schemaProblems, tokenFor, type AdminUser } from "../support/admin-clients.ts";

let server: TestServer;
let contract: ContractLog;
let admin: AdminUser;
let moderator: AdminUser;
let plain: AdminUser;
/** The admin, with a token that holds no admin scope. */
let adminUnscoped: { token: string };
/** The admin, with a token that may only read domain blocks. */
let adminReadBlocks: { token: string };
const schemaViolations: string[] = [];

before(async () => {
  server = await startServer();
  contract = installContractCheck(server.url);
  admin = await adminUser(server, "root", "admin");
  moderator = await adminUser(server, "mod", "moderator");
  plain = await adminUser(server, "plain", "user");
  adminUnscoped = await tokenFor(server, "root", admin.password, "read write");
  adminReadBlocks = await tokenFor(server, "root", admin.password, "admin:read:domain_blocks");
});

after(async () => {
  assert.deepEqual(contract.violations, []);
  assert.deepEqual(schemaViolations, []);
  await server?.stop();
});

type Res = ApiResponse;
const call = apiCaller(() => server.url);

const as = (user: { token: string } | null) => (method: string, path: string, body?: unknown) => call(user?.token ?? null, method, path, body);

/** Checks each entity against the contract's schema; failures are gathered and asserted at the end. */
function entity<T>(schema: string, body: T): T {
  for (const item of Array.isArray(body) ? body : [body]) schemaViolations.push(...schemaProblems(schema, item));
  return body;
}

/** A refused request: the status and Mastodon's error body. */
function refused(res: Res, status: number, what: string): void {
  assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(typeof res.body?.error, "string", `${what} has Mastodon's error body`);
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

test("domain blocks: create (JSON and form), read, list, update, delete — normalised names and Mastodon's entity", async () => {
  const api = as(admin);
  const created = await api("POST", "/api/v1/admin/domain_blocks", { domain: "Bad.Example", severity: "suspend", reject_media: true, public_comment: "spam" });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  entity("AdminDomainBlock", created.body);
  assert.deepEqual({ ...created.body, id: undefined, created_at: undefined }, {
    id: undefined, created_at: undefined, domain: "bad.example", digest: sha256("bad.example"), severity: "suspend",
    reject_media: true, reject_reports: false, private_comment: "", public_comment: "spam", obfuscate: false,
  });

  const form = await api("POST", "/api/v1/admin/domain_blocks", new URLSearchParams({ domain: "bücher.example", severity: "silence", obfuscate: "true", private_comment: "noisy" }));
  assert.equal(form.status, 200, JSON.stringify(form.body));
  assert.equal(form.body.domain, "xn--bcher-kva.example");
  assert.equal(form.body.obfuscate, true);
  assert.equal(form.body.private_comment, "noisy");
  assert.equal(form.body.public_comment, "");

  const wildcard = await api("POST", "/api/v1/admin/domain_blocks", { domain: "*.wild.example", severity: "noop", reject_reports: true });
  assert.equal(wildcard.status, 200);
  assert.equal(wildcard.body.domain, "wild.example");
  assert.equal(wildcard.body.severity, "noop");

  const defaults = await api("POST", "/api/v1/admin/domain_blocks", { domain: "quiet.example" });
  assert.equal(defaults.body.severity, "silence", "Mastodon's default severity");

  const one = await api("GET", `/api/v1/admin/domain_blocks/${created.body.id}`);
  assert.equal(one.status, 200);
  assert.deepEqual(entity("AdminDomainBlock", one.body), created.body);

  const list = await api("GET", "/api/v1/admin/domain_blocks");
  assert.equal(list.status, 200);
  entity("AdminDomainBlock", list.body);
  assert.deepEqual(list.body.map((b: { domain: string }) => b.domain), ["quiet.example", "wild.example", "xn--bcher-kva.example", "bad.example"], "newest first");
  assert.match(list.headers.get("link") ?? "", /rel="prev"/);
  assert.doesNotMatch(list.headers.get("link") ?? "", /rel="next"/, "one page: no next");

  const updated = await api("PUT", `/api/v1/admin/domain_blocks/${created.body.id}`, { severity: "silence", reject_reports: true, public_comment: null });
  assert.equal(updated.status, 200);
  assert.equal(updated.body.severity, "silence");
  assert.equal(updated.body.reject_media, true, "unchanged fields are kept");
  assert.equal(updated.body.reject_reports, true);
  assert.equal(updated.body.public_comment, "");
  const formUpdate = await api("PUT", `/api/v1/admin/domain_blocks/${created.body.id}`, new URLSearchParams({ severity: "suspend" }));
  assert.equal(formUpdate.body.severity, "suspend");

  const removed = await api("DELETE", `/api/v1/admin/domain_blocks/${defaults.body.id}`);
  assert.equal(removed.status, 200);
  assert.deepEqual(removed.body, {});
  refused(await api("GET", `/api/v1/admin/domain_blocks/${defaults.body.id}`), 404, "a removed block");
  refused(await api("DELETE", `/api/v1/admin/domain_blocks/${defaults.body.id}`), 404, "removing it again");

  const log = (await auditRows(server)).filter((row) => row.target_type === "DomainBlock");
  assert.deepEqual(log.map((row) => [row.action, row.human_identifier]), [
    ["create", "bad.example"], ["create", "xn--bcher-kva.example"], ["create", "wild.example"], ["create", "quiet.example"],
    ["update", "bad.example"], ["update", "bad.example"], ["destroy", "quiet.example"],
  ]);
  assert.ok(log.every((row) => row.account_id === admin.id), "each entry names the moderator");
});

test("domain blocks: duplicates and covered subdomains are 422 with the existing block; bad input is 422, unknown ids 404", async () => {
  const api = as(admin);
  const parent = await api("POST", "/api/v1/admin/domain_blocks", { domain: "dup.example", severity: "suspend" });
  assert.equal(parent.status, 200);

  for (const domain of ["dup.example", "DUP.example", "*.dup.example"]) {
    const again = await api("POST", "/api/v1/admin/domain_blocks", { domain, severity: "suspend" });
    refused(again, 422, `duplicate ${domain}`);
    assert.equal(again.body.existing_domain_block.id, parent.body.id);
    entity("AdminDomainBlock", again.body.existing_domain_block);
  }
  const covered = await api("POST", "/api/v1/admin/domain_blocks", { domain: "sub.dup.example", severity: "silence" });
  refused(covered, 422, "a subdomain of a suspended domain");
  assert.equal(covered.body.existing_domain_block.domain, "dup.example");

  // A stricter block on a subdomain of a silenced domain is worth having (Mastodon's rule).
  await api("POST", "/api/v1/admin/domain_blocks", { domain: "soft.example", severity: "silence" });
  assert.equal((await api("POST", "/api/v1/admin/domain_blocks", { domain: "hard.soft.example", severity: "suspend" })).status, 200);

  const bad: [unknown, string][] = [
    [{ domain: "bad-severity.example", severity: "banana" }, "unknown severity"],
    [{ domain: "https://scheme.example", severity: "suspend" }, "a scheme"],
    [{ domain: "path.example/some/path", severity: "suspend" }, "a path"],
    [{ domain: "port.example:8443", severity: "suspend" }, "a port"],
    [{ domain: "", severity: "suspend" }, "empty"],
    [{ severity: "suspend" }, "missing"],
    [{ domain: "white space.example" }, "a space"],
    [{ domain: "192.0.2.1" }, "an IP address"],
    [{ domain: "x".repeat(5000) }, "too long"],
    [{ domain: "long-comment.example", public_comment: "x".repeat(5000) }, "a comment too long"],
    [{ domain: "reject.example", reject_media: "perhaps" }, "a boolean that is not one"],
    [{ domain: ["a.example"] }, "a list for a string"],
  ];
  for (const [body, what] of bad) refused(await api("POST", "/api/v1/admin/domain_blocks", body), 422, what);
  refused(await api("PUT", `/api/v1/admin/domain_blocks/${parent.body.id}`, { severity: "total" }), 422, "update to an unknown severity");
  refused(await api("PUT", `/api/v1/admin/domain_blocks/${parent.body.id}`, { domain: "other.example" }), 422, "changing a block's domain");
  for (const id of ["123456789", "abc", "99999999999999999999999"]) {
    refused(await api("GET", `/api/v1/admin/domain_blocks/${id}`), 404, `GET ${id}`);
    refused(await api("PUT", `/api/v1/admin/domain_blocks/${id}`, { severity: "noop" }), 404, `PUT ${id}`);
  }
  refused(await api("POST", "/api/v1/admin/domain_blocks", "not json"), 400, "a JSON string is not a parameter object");
});

test("domain allows: create (returning the existing one for a repeat), read, list, delete", async () => {
  const api = as(admin);
  const created = await api("POST", "/api/v1/admin/domain_allows", { domain: "Friends.Example" });
  assert.equal(created.status, 200);
  entity("AdminDomainAllow", created.body);
  assert.equal(created.body.domain, "friends.example");
  const again = await api("POST", "/api/v1/admin/domain_allows", new URLSearchParams({ domain: "friends.example" }));
  assert.equal(again.status, 200);
  assert.equal(again.body.id, created.body.id);
  const other = await api("POST", "/api/v1/admin/domain_allows", { domain: "*.pals.example" });
  assert.equal(other.body.domain, "pals.example");

  assert.deepEqual((await api("GET", "/api/v1/admin/domain_allows")).body.map((a: { domain: string }) => a.domain), ["pals.example", "friends.example"]);
  assert.deepEqual(entity("AdminDomainAllow", (await api("GET", `/api/v1/admin/domain_allows/${created.body.id}`)).body), created.body);
  for (const body of [{}, { domain: "" }, { domain: "a/b" }, { domain: "x.example:1" }]) refused(await api("POST", "/api/v1/admin/domain_allows", body), 422, JSON.stringify(body));

  assert.deepEqual((await api("DELETE", `/api/v1/admin/domain_allows/${other.body.id}`)).body, {});
  refused(await api("GET", `/api/v1/admin/domain_allows/${other.body.id}`), 404, "a removed allow");
  const log = (await auditRows(server)).filter((row) => row.target_type === "DomainAllow");
  assert.deepEqual(log.map((row) => [row.action, row.human_identifier]), [["create", "friends.example"], ["create", "pals.example"], ["destroy", "pals.example"]]);
});

test("e-mail domain blocks: create, read, list, delete; duplicates and bad names are 422", async () => {
  const api = as(admin);
  const created = await api("POST", "/api/v1/admin/email_domain_blocks", { domain: "Spam.Example" });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  entity("AdminEmailDomainBlock", created.body);
  assert.equal(created.body.domain, "spam.example");
  assert.deepEqual(created.body.history, []);
  assert.equal(created.body.allow_with_approval, false);
  const form = await api("POST", "/api/v1/admin/email_domain_blocks", new URLSearchParams({ domain: "maybe.example", allow_with_approval: "true" }));
  assert.equal(form.body.allow_with_approval, true);

  refused(await api("POST", "/api/v1/admin/email_domain_blocks", { domain: "SPAM.example" }), 422, "a duplicate");
  for (const body of [{}, { domain: "" }, { domain: "user@spam.example" }, { domain: "spam.example/x" }]) refused(await api("POST", "/api/v1/admin/email_domain_blocks", body), 422, JSON.stringify(body));

  assert.deepEqual((await api("GET", "/api/v1/admin/email_domain_blocks")).body.map((b: { domain: string }) => b.domain), ["maybe.example", "spam.example"]);
  assert.deepEqual(entity("AdminEmailDomainBlock", (await api("GET", `/api/v1/admin/email_domain_blocks/${created.body.id}`)).body), created.body);
  assert.deepEqual((await api("DELETE", `/api/v1/admin/email_domain_blocks/${form.body.id}`)).body, {});
  refused(await api("GET", `/api/v1/admin/email_domain_blocks/${form.body.id}`), 404, "a removed block");
  const log = (await auditRows(server)).filter((row) => row.target_type === "EmailDomainBlock");
  assert.deepEqual(log.map((row) => [row.action, row.human_identifier]), [["create", "spam.example"], ["create", "maybe.example"], ["destroy", "maybe.example"]]);
});

test("canonical e-mail blocks: by address (canonicalised) or hash, the test endpoint, delete", async () => {
  const api = as(admin);
  const hash = sha256("jdoe@example.com");
  const created = await api("POST", "/api/v1/admin/canonical_email_blocks", { email: "J.Doe+promo@Example.com" });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  entity("AdminCanonicalEmailBlock", created.body);
  assert.equal(created.body.canonical_email_hash, hash);

  for (const email of ["jdoe@example.com", "j.d.o.e+x@EXAMPLE.com"]) {
    const tested = await api("POST", "/api/v1/admin/canonical_email_blocks/test", { email });
    assert.equal(tested.status, 200);
    assert.deepEqual(tested.body, [created.body], email);
  }
  assert.deepEqual((await api("POST", "/api/v1/admin/canonical_email_blocks/test", new URLSearchParams({ email: "someone@example.com" }))).body, []);
  refused(await api("POST", "/api/v1/admin/canonical_email_blocks/test", {}), 422, "test without an address");

  refused(await api("POST", "/api/v1/admin/canonical_email_blocks", { canonical_email_hash: hash }), 422, "the same hash again");
  const byHash = await api("POST", "/api/v1/admin/canonical_email_blocks", { canonical_email_hash: sha256("other@example.com").toUpperCase() });
  assert.equal(byHash.status, 200);
  assert.equal(byHash.body.canonical_email_hash, sha256("other@example.com"));
  for (const body of [{}, { email: "not-an-address" }, { canonical_email_hash: "abc" }, { email: "@example.com" }]) {
    refused(await api("POST", "/api/v1/admin/canonical_email_blocks", body), 422, JSON.stringify(body));
  }
  assert.equal((await api("GET", "/api/v1/admin/canonical_email_blocks")).body.length, 2);
  assert.deepEqual((await api("GET", `/api/v1/admin/canonical_email_blocks/${created.body.id}`)).body, created.body);
  assert.deepEqual((await api("DELETE", `/api/v1/admin/canonical_email_blocks/${created.body.id}`)).body, {});
  assert.deepEqual((await api("POST", "/api/v1/admin/canonical_email_blocks/test", { email: "jdoe@example.com" })).body, []);
  const log = (await auditRows(server)).filter((row) => row.target_type === "CanonicalEmailBlock");
  assert.deepEqual(log.map((row) => row.action), ["create", "create", "destroy"]);
});

test("IP blocks: IPv4 and IPv6 ranges normalised, severities, expiry, update, delete; bad ranges are 422", async () => {
  const api = as(admin);
  const single = await api("POST", "/api/v1/admin/ip_blocks", { ip: "192.0.2.7", severity: "no_access", comment: "scraper", expires_in: 3600 });
  assert.equal(single.status, 200, JSON.stringify(single.body));
  entity("AdminIpBlock", single.body);
  assert.equal(single.body.ip, "192.0.2.7/32");
  assert.equal(single.body.severity, "no_access");
  assert.equal(single.body.comment, "scraper");
  const expiresIn = Date.parse(single.body.expires_at) - Date.now();
  assert.ok(expiresIn > 3500_000 && expiresIn <= 3600_000, `expires in an hour (${expiresIn} ms)`);

  const v6 = await api("POST", "/api/v1/admin/ip_blocks", new URLSearchParams({ ip: "2001:DB8:0:0:0:0:0:1/32", severity: "sign_up_block" }));
  assert.equal(v6.status, 200, JSON.stringify(v6.body));
  assert.equal(v6.body.ip, "2001:db8::/32");
  assert.equal(v6.body.expires_at, null);
  assert.equal(v6.body.comment, "");
  const network = await api("POST", "/api/v1/admin/ip_blocks", { ip: "10.1.2.3/8", severity: "sign_up_requires_approval" });
  assert.equal(network.body.ip, "10.0.0.0/8");

  refused(await api("POST", "/api/v1/admin/ip_blocks", { ip: "10.9.9.9/8", severity: "no_access" }), 422, "the same network spelled otherwise");
  const bad: [unknown, string][] = [
    [{ ip: "999.1.1.1", severity: "no_access" }, "not an address"],
    [{ ip: "192.0.2.0/33", severity: "no_access" }, "prefix too long"],
    [{ ip: "2001:db8::/129", severity: "no_access" }, "IPv6 prefix too long"],
    [{ ip: "example.com", severity: "no_access" }, "a name"],
    [{ ip: "192.0.2.9", severity: "forbidden" }, "unknown severity"],
    [{ ip: "192.0.2.9" }, "no severity"],
    [{ severity: "no_access" }, "no ip"],
    [{ ip: "192.0.2.9", severity: "no_access", expires_in: -5 }, "negative expiry"],
    [{ ip: "192.0.2.9", severity: "no_access", expires_in: "soon" }, "expiry not a number"],
  ];
  for (const [body, what] of bad) refused(await api("POST", "/api/v1/admin/ip_blocks", body), 422, what);

  const updated = await api("PUT", `/api/v1/admin/ip_blocks/${single.body.id}`, { severity: "sign_up_block", comment: "changed", expires_in: null });
  assert.equal(updated.status, 200);
  entity("AdminIpBlock", updated.body);
  assert.deepEqual([updated.body.ip, updated.body.severity, updated.body.comment, updated.body.expires_at], ["192.0.2.7/32", "sign_up_block", "changed", null]);
  refused(await api("PUT", `/api/v1/admin/ip_blocks/${single.body.id}`, { ip: "10.0.0.0/8" }), 422, "moving onto another block's range");

  assert.deepEqual((await api("GET", "/api/v1/admin/ip_blocks")).body.map((b: { ip: string }) => b.ip), ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32"]);
  assert.deepEqual((await api("GET", `/api/v1/admin/ip_blocks/${single.body.id}`)).body, updated.body);
  assert.deepEqual((await api("DELETE", `/api/v1/admin/ip_blocks/${network.body.id}`)).body, {});
  refused(await api("GET", `/api/v1/admin/ip_blocks/${network.body.id}`), 404, "a removed block");
  const log = (await auditRows(server)).filter((row) => row.target_type === "IpBlock");
  assert.deepEqual(log.map((row) => [row.action, row.human_identifier]), [
    ["create", "192.0.2.7/32"], ["create", "2001:db8::/32"], ["create", "10.0.0.0/8"], ["update", "192.0.2.7/32"], ["destroy", "10.0.0.0/8"],
  ]);
});

test("measures, dimensions and retention: Mastodon's shapes, strings for numbers, real counts where Skein has them", async () => {
  const api = as(admin);
  const today = new Date().toISOString().slice(0, 10);
  const weekAgo = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
  // Something to count: a post with a hashtag, favourited and answered.
  const post = await as(plain)("POST", "/api/v1/statuses", { status: "Counting #measuretag", language: "de" });
  assert.equal(post.status, 200);
  assert.equal((await api("POST", `/api/v1/statuses/${post.body.id}/favourite`)).status, 200);
  assert.equal((await api("POST", "/api/v1/statuses", { status: "@plain answered", in_reply_to_id: post.body.id })).status, 200);
  const tagId = (await api("GET", "/api/v1/tags/measuretag")).body.id;
  assert.ok(tagId, "the hashtag exists");

  const keys = ["active_users", "new_users", "interactions", "opened_reports", "resolved_reports", "instance_accounts", "instance_follows", "instance_followers", "instance_statuses", "instance_media_attachments", "instance_reports", "no_such_measure"];
  const params: Record<string, unknown> = { keys, start_at: weekAgo, end_at: today };
  for (const key of keys.filter((k) => k.startsWith("instance_"))) params[key] = { domain: "nowhere.example" };
  const measures = await api("POST", "/api/v1/admin/measures", params);
  assert.equal(measures.status, 200, JSON.stringify(measures.body));
  entity("AdminMeasure", measures.body);
  assert.deepEqual(measures.body.map((m: { key: string }) => m.key), keys.slice(0, -1), "unknown keys are left out");
  for (const measure of measures.body) {
    assert.equal(typeof measure.total, "string", measure.key);
    assert.equal(measure.data.length, 7, `${measure.key}: one point per day`);
    assert.ok(measure.data.every((d: { value: unknown }) => typeof d.value === "string"));
  }
  const byKey = Object.fromEntries(measures.body.map((m: { key: string }) => [m.key, m]));
  assert.equal(byKey.new_users.total, "3", "three accounts were created today");
  assert.equal(byKey.new_users.data.at(-1).value, "3");
  assert.equal(byKey.new_users.data.at(-1).date, `${today}T00:00:00.000Z`);
  assert.equal(byKey.new_users.previous_total, "0");
  assert.equal(byKey.instance_follows.total, "0");
  assert.equal(byKey.instance_media_attachments.unit, "bytes");
  assert.equal(byKey.interactions.total, "2", "a favourite and a reply on a local post");
  assert.equal(byKey.interactions.data.at(-1).value, "2");

  const tags = await api("POST", "/api/v1/admin/measures", { keys: ["tag_uses", "tag_accounts", "tag_servers"], tag_uses: { id: tagId }, tag_accounts: { id: tagId }, tag_servers: { id: tagId }, start_at: today, end_at: today });
  assert.equal(tags.status, 200, JSON.stringify(tags.body));
  entity("AdminMeasure", tags.body);
  assert.deepEqual(tags.body.map((m: { total: string; data: unknown[] }) => [m.total, m.data.length]), [["1", 1], ["1", 1], ["1", 1]]);
  refused(await api("POST", "/api/v1/admin/measures", { keys: ["tag_uses"], tag_uses: { id: "x" }, start_at: today, end_at: today }), 422, "a tag measure without a tag id");

  const form = new URLSearchParams([["keys[]", "instance_accounts"], ["instance_accounts[domain]", "nowhere.example"]]);
  const viaForm = await api("POST", "/api/v1/admin/measures", form);
  assert.equal(viaForm.status, 200);
  assert.deepEqual(viaForm.body, [{ key: "instance_accounts", unit: null, total: "0", data: [] }], "no period: the all-time total and no series");

  refused(await api("POST", "/api/v1/admin/measures", { keys: ["instance_follows"] }), 422, "a domain measure without its domain");
  refused(await api("POST", "/api/v1/admin/measures", { keys: ["instance_follows"], instance_follows: { domain: "a/b" } }), 422, "a bad domain");
  refused(await api("POST", "/api/v1/admin/measures", { keys: ["new_users"], start_at: "yesterday", end_at: today }), 422, "a bad date");
  refused(await api("POST", "/api/v1/admin/measures", { keys: ["new_users"], start_at: "2020-01-01", end_at: today }), 422, "a period of years");
  refused(await api("POST", "/api/v1/admin/measures", { keys: Array.from({ length: 100 }, () => "new_users") }), 422, "too many keys");

  const dimensions = await api("POST", "/api/v1/admin/dimensions", { keys: ["languages", "servers", "software_versions", "sources", "instance_accounts"], instance_accounts: { domain: "nowhere.example" }, start_at: weekAgo, end_at: today, limit: 5 });
  assert.equal(dimensions.status, 200, JSON.stringify(dimensions.body));
  entity("AdminDimension", dimensions.body);
  assert.deepEqual(dimensions.body.map((d: { key: string }) => d.key), ["languages", "servers", "software_versions", "sources", "instance_accounts"]);
  const languages = dimensions.body.find((d: { key: string }) => d.key === "languages");
  assert.deepEqual(languages.data.find((d: { key: string }) => d.key === "de"), { key: "de", human_key: "de", value: "1" });
  const tagDimensions = await api("POST", "/api/v1/admin/dimensions", { keys: ["tag_servers", "tag_languages"], tag_servers: { id: tagId }, tag_languages: { id: tagId }, start_at: today, end_at: today });
  assert.equal(tagDimensions.status, 200, JSON.stringify(tagDimensions.body));
  entity("AdminDimension", tagDimensions.body);
  assert.deepEqual(tagDimensions.body[0].data, [{ key: new URL(server.url).host, human_key: new URL(server.url).host, value: "1" }]);
  assert.deepEqual(tagDimensions.body[1].data, [{ key: "de", human_key: "de", value: "1" }]);
  const software = dimensions.body.find((d: { key: string }) => d.key === "software_versions");
  assert.deepEqual(software.data.map((d: { key: string }) => d.key), ["skein", "nodejs"]);
  assert.match(software.data[1].value, /^\d+\.\d+\.\d+$/);

  const retention = await api("POST", "/api/v1/admin/retention", { start_at: weekAgo, end_at: today, frequency: "day" });
  assert.equal(retention.status, 200);
  assert.deepEqual(retention.body, []);
  refused(await api("POST", "/api/v1/admin/retention", { frequency: "year" }), 422, "an unknown frequency");
});

test("the public instance endpoints: moderated servers (obfuscated, with the real digest) and peers; limited_federation", async () => {
  const api = as(admin);
  await api("POST", "/api/v1/admin/domain_blocks", { domain: "hidden-server.example", severity: "suspend", obfuscate: true, public_comment: "harassment" });
  const listed = await call(null, "GET", "/api/v1/instance/domain_blocks");
  assert.equal(listed.status, 200);
  const hidden = listed.body.find((b: { digest: string }) => b.digest === sha256("hidden-server.example"));
  assert.ok(hidden, "the obfuscated block is listed by its digest");
  assert.equal(hidden.domain, "hidden*******.**ample", "Mastodon's obfuscation: the middle half starred, dots kept");
  assert.equal(hidden.severity, "suspend");
  assert.equal(hidden.comment, "harassment");
  assert.ok(listed.body.every((b: { severity: string }) => b.severity !== "noop"), "noop entries limit nothing and are not listed");
  assert.ok(!listed.body.some((b: { domain: string }) => b.domain === "wild.example"), "the noop block is left out");
  const severities = listed.body.map((b: { severity: string }) => b.severity);
  assert.deepEqual(severities, [...severities].sort((a: string, b: string) => (a === b ? 0 : a === "suspend" ? -1 : 1)), "suspensions first");
  const plainEntry = listed.body.find((b: { domain: string }) => b.domain === "dup.example");
  assert.deepEqual(plainEntry, { domain: "dup.example", digest: sha256("dup.example"), severity: "suspend", comment: "" });

  const peers = await call(null, "GET", "/api/v1/instance/peers");
  assert.equal(peers.status, 200);
  assert.deepEqual(peers.body, [], "no remote accounts are known here");

  const instance = await call(null, "GET", "/api/v2/instance");
  assert.equal(instance.body.configuration.limited_federation, false);
});

test("permissions: a plain user, a moderator without manage_federation/manage_blocks, and a token without the scope are refused 403", async () => {
  const probe = await as(admin)("POST", "/api/v1/admin/domain_blocks", { domain: "probe.example", severity: "noop" });
  const id = probe.body.id;
  const federation: [string, string, unknown?][] = [
    ["GET", "/api/v1/admin/domain_blocks"], ["GET", `/api/v1/admin/domain_blocks/${id}`],
    ["POST", "/api/v1/admin/domain_blocks", { domain: "x.example" }], ["PUT", `/api/v1/admin/domain_blocks/${id}`, { severity: "suspend" }],
    ["DELETE", `/api/v1/admin/domain_blocks/${id}`],
    ["GET", "/api/v1/admin/domain_allows"], ["POST", "/api/v1/admin/domain_allows", { domain: "x.example" }],
  ];
  const blocks: [string, string, unknown?][] = [
    ["GET", "/api/v1/admin/email_domain_blocks"], ["POST", "/api/v1/admin/email_domain_blocks", { domain: "x.example" }],
    ["GET", "/api/v1/admin/canonical_email_blocks"], ["POST", "/api/v1/admin/canonical_email_blocks", { email: "a@x.example" }],
    ["POST", "/api/v1/admin/canonical_email_blocks/test", { email: "a@x.example" }],
    ["GET", "/api/v1/admin/ip_blocks"], ["POST", "/api/v1/admin/ip_blocks", { ip: "192.0.2.1", severity: "no_access" }],
  ];
  const dashboard: [string, string, unknown?][] = [
    ["POST", "/api/v1/admin/measures", { keys: ["new_users"] }], ["POST", "/api/v1/admin/dimensions", { keys: ["languages"] }],
    ["POST", "/api/v1/admin/retention", {}],
  ];
  for (const [method, path, body] of [...federation, ...blocks, ...dashboard]) {
    refused(await as(plain)(method, path, body), 403, `plain user: ${method} ${path}`);
    refused(await as(adminUnscoped)(method, path, body), 403, `token without admin scopes: ${method} ${path}`);
    refused(await call(null, method, path, body), 401, `no token: ${method} ${path}`);
  }
  for (const [method, path, body] of [...federation, ...blocks]) refused(await as(moderator)(method, path, body), 403, `moderator: ${method} ${path}`);
  // A moderator may view the dashboard (view_dashboard).
  for (const [method, path, body] of dashboard) assert.equal((await as(moderator)(method, path, body)).status, 200, `moderator: ${method} ${path}`);

  // A granular read scope reads, and writes nothing.
  assert.equal((await as(adminReadBlocks)("GET", "/api/v1/admin/domain_blocks")).status, 200);
  assert.equal((await as(adminReadBlocks)("GET", `/api/v1/admin/domain_blocks/${id}`)).status, 200);
  refused(await as(adminReadBlocks)("POST", "/api/v1/admin/domain_blocks", { domain: "y.example" }), 403, "read scope writing");
  refused(await as(adminReadBlocks)("DELETE", `/api/v1/admin/domain_blocks/${id}`), 403, "read scope deleting");
  refused(await as(adminReadBlocks)("GET", "/api/v1/admin/ip_blocks"), 403, "another resource's scope");
  assert.equal((await as(admin)("GET", `/api/v1/admin/domain_blocks/${id}`)).status, 200, "nothing refused was changed");
});

test("allowlist mode is announced as limited_federation, and its peers and moderated servers are for signed-in users", async () => {
  const allowlist = await startServer({ env: { FEDERATION_MODE: "allowlist" } });
  try {
    const res = await fetch(`${allowlist.url}/api/v2/instance`);
    assert.equal((await res.json()).configuration.limited_federation, true);
    const user = await adminUser(allowlist, "member", "user", "read");
    for (const path of ["/api/v1/instance/peers", "/api/v1/instance/domain_blocks"]) {
      const anonymous = await fetch(`${allowlist.url}${path}`);
      assert.equal(anonymous.status, 401, path);
      assert.equal(typeof (await anonymous.json()).error, "string");
      const signedIn = await fetch(`${allowlist.url}${path}`, { headers: { Authorization: `Bearer ${user.token}` } });
      assert.equal(signedIn.status, 200, path);
      assert.deepEqual(await signedIn.json(), []);
    }
  } finally {
    await allowlist.stop();
  }
});
