// The pure rules of sign-up: username shape and reserved names, look-alike folding for the
// moderators' blocks (exact and partial), ages from a date of birth, and invite states.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { blockedBy, foldUsername, usernameProblem } from "../../src/domain/registration/username-rules.ts";
import { ageOn } from "../../src/domain/registration/registration-service.ts";
import { inviteState } from "../../src/domain/registration/invite-service.ts";

test("usernames: shape, length and reserved names (look-alikes of staff names too)", () => {
  assert.equal(usernameProblem("")?.error, "ERR_BLANK");
  assert.equal(usernameProblem("a".repeat(30)), null);
  assert.equal(usernameProblem("a".repeat(31))?.error, "ERR_TOO_LONG");
  for (const bad of ["with space", "dash-ed", "dot.ted", "émile", "аdmin"]) assert.equal(usernameProblem(bad)?.error, "ERR_INVALID", bad);
  for (const reserved of ["admin", "Admin", "ROOT", "postmaster", "well_known", "instance_actor", "4dm1n", "r00t", "ad_min", "5taff"]) {
    assert.equal(usernameProblem(reserved)?.error, "ERR_RESERVED", reserved);
  }
  for (const fine of ["alice", "bob_42", "knitting_circle", "adminton"]) assert.equal(usernameProblem(fine), null, fine);
});

test("folding: case, marks, digits and symbols, Cyrillic and Greek look-alikes, separators", () => {
  assert.equal(foldUsername("Ad_M1n"), "admin");
  assert.equal(foldUsername("4dm1n"), foldUsername("admin"));
  assert.equal(foldUsername("аdmіn"), foldUsername("admin")); // Cyrillic а and і
  assert.equal(foldUsername("αdmιn"), foldUsername("admin")); // Greek α and ι
  assert.equal(foldUsername("Ådmïn"), foldUsername("admin")); // marks dropped
  assert.equal(foldUsername("paypal"), foldUsername("PAYPA1"));
  assert.equal(foldUsername("___"), "");
});

test("blocks: partial blocks match inside a name, exact ones only the whole name", () => {
  const blocks = [{ normalized: foldUsername("spammer"), exact: false }, { normalized: foldUsername("bob"), exact: true }];
  assert.ok(blockedBy("best_5pamm3r", blocks));
  assert.ok(blockedBy("SPAMMER", blocks));
  assert.ok(blockedBy("b0b", blocks));
  assert.equal(blockedBy("bobby", blocks), null);
  assert.equal(blockedBy("alice", blocks), null);
});

test("ages: whole years, the birthday itself counts; impossible and future dates are refused", () => {
  const today = new Date("2026-06-15T12:00:00Z");
  assert.equal(ageOn("2010-06-15", today), 16);
  assert.equal(ageOn("2010-06-16", today), 15);
  assert.equal(ageOn("2010-07-01", today), 15);
  assert.equal(ageOn("2001-02-29", today), null);
  assert.equal(ageOn("2030-01-01", today), null);
  assert.equal(ageOn("15/06/2010", today), null);
  assert.equal(ageOn("1850-01-01", today), null);
});

test("invite states: revoked before expired before used up", () => {
  const base = { id: "1", code: "abcdefghij", user_id: "1", max_uses: 2, uses: 0, expires_at: null, autofollow: 0, created_at: "2026-01-01T00:00:00.000Z", revoked_at: null };
  const now = "2026-06-01T00:00:00.000Z";
  assert.equal(inviteState(base, now), "valid");
  assert.equal(inviteState({ ...base, uses: 2 }, now), "used");
  assert.equal(inviteState({ ...base, max_uses: null, uses: 1000 }, now), "valid");
  assert.equal(inviteState({ ...base, expires_at: "2026-05-31T23:59:59.000Z" }, now), "expired");
  assert.equal(inviteState({ ...base, expires_at: "2026-06-01T00:00:01.000Z" }, now), "valid");
  assert.equal(inviteState({ ...base, uses: 2, expires_at: "2026-01-02T00:00:00.000Z", revoked_at: now }, now), "revoked");
});
