// Scopes decide what a token may do. An endpoint names one granular scope; broader scopes and
// the legacy `follow` scope must cover exactly what Mastodon says they cover, and no more.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { ALL_SCOPES, parseScopes, scopeAllows, scopesWithin } from "../../src/domain/oauth/scopes.ts";

test("read covers every read:* scope, and nothing to write or administer", () => {
  for (const scope of ALL_SCOPES.filter((s) => s.startsWith("read:"))) assert.ok(scopeAllows(["read"], scope), scope);
  assert.ok(scopeAllows(["read"], "read"));
  assert.equal(scopeAllows(["read"], "write:accounts"), false);
  assert.equal(scopeAllows(["read"], "admin:read:accounts"), false, "admin reads need an admin scope");
  assert.equal(scopeAllows(["write"], "read:accounts"), false);
  assert.ok(scopeAllows(["write"], "write:statuses"));
});

test("a granular scope covers only itself, never the broad scope or a sibling", () => {
  assert.ok(scopeAllows(["read:accounts"], "read:accounts"));
  assert.equal(scopeAllows(["read:accounts"], "read"), false);
  assert.equal(scopeAllows(["read:accounts"], "read:statuses"), false);
  assert.equal(scopeAllows(["write:media"], "write:statuses"), false);
  assert.equal(scopeAllows([], "read:accounts"), false);
  assert.ok(scopeAllows(["write:media", "read:accounts"], "read:accounts"), "any granted scope may match");
});

test("the legacy follow scope covers follows, blocks and mutes, reading and writing, and nothing else", () => {
  for (const scope of ["read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes"]) {
    assert.ok(scopeAllows(["follow"], scope), scope);
  }
  for (const scope of ["read", "read:accounts", "read:statuses", "write:statuses", "write:lists", "write:accounts"]) {
    assert.equal(scopeAllows(["follow"], scope), false, scope);
  }
});

test("admin:read and admin:write cover their admin:* scopes only", () => {
  assert.ok(scopeAllows(["admin:read"], "admin:read:accounts"));
  assert.ok(scopeAllows(["admin:read"], "admin:read:domain_blocks"));
  assert.equal(scopeAllows(["admin:read"], "admin:write:accounts"), false);
  assert.ok(scopeAllows(["admin:write"], "admin:write:domain_blocks"));
  assert.equal(scopeAllows(["admin:write"], "admin:read:reports"), false);
  assert.equal(scopeAllows(["admin:read:accounts"], "admin:read:reports"), false);
});

test("scope strings split on spaces or '+', drop repeats, and keep unknown words apart", () => {
  assert.deepEqual(parseScopes("read write  follow"), { scopes: ["read", "write", "follow"], unknown: [] });
  assert.deepEqual(parseScopes("read+write:statuses"), { scopes: ["read", "write:statuses"], unknown: [] });
  assert.deepEqual(parseScopes("read read"), { scopes: ["read"], unknown: [] });
  assert.deepEqual(parseScopes("read everything read:nothing"), { scopes: ["read"], unknown: ["everything", "read:nothing"] });
  assert.deepEqual(parseScopes(""), { scopes: [], unknown: [] });
  assert.deepEqual(parseScopes(undefined), { scopes: [], unknown: [] });
  for (const scope of ["push", "profile", "write:conversations", "admin:write:canonical_email_blocks"]) {
    assert.deepEqual(parseScopes(scope).unknown, [], scope);
  }
});

test("a token may ask for what its app registered, or narrower, but never broader", () => {
  assert.ok(scopesWithin(["read", "write"], ["read", "write", "follow"]));
  assert.ok(scopesWithin(["read:accounts", "write:media"], ["read", "write"]));
  assert.ok(scopesWithin(["write:blocks"], ["follow"]));
  assert.equal(scopesWithin(["read"], ["read:accounts"]), false);
  assert.equal(scopesWithin(["read", "write"], ["read"]), false);
  assert.equal(scopesWithin(["follow"], ["read", "write"]), false);
  assert.ok(scopesWithin([], ["read"]));
});
