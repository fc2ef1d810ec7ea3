// Ids are what every timeline sorts and paginates by: they must grow with time, never repeat,
// and carry the moment they stand for.
// skein-test: once (in-process, no database)
import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { idAtTime, newId, parseId, timeOfId } from "../../src/util/ids.ts";

test("ids made one after another only grow, and carry the time they were made", () => {
  const before = Date.now();
  const ids = Array.from({ length: 20_000 }, () => newId());
  const after = Date.now();
  for (let i = 1; i < ids.length; i++) assert.ok(BigInt(ids[i]) > BigInt(ids[i - 1]), `id ${i} is not above the one before it`);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of [ids[0], ids[ids.length - 1]]) {
    assert.match(id, /^\d+$/, "rendered as a decimal string");
    const t = timeOfId(id).getTime();
    // A millisecond may be borrowed when one runs out of sequence numbers.
    assert.ok(t >= before && t <= after + 2, `time ${t} is outside ${before}..${after}`);
  }
});

test("more than 65,536 ids in one millisecond still only grow, and a clock going back does not reorder them", (t) => {
  t.after(() => mock.timers.reset());
  // A millisecond later than any id made so far in this process.
  const frozen = Date.now() + 86_400_000;
  mock.timers.enable({ apis: ["Date"], now: frozen });
  let previous = 0n;
  for (let i = 0; i < 70_000; i++) {
    const id = BigInt(newId());
    assert.ok(id > previous, `id ${i} made in the same millisecond is not above the one before it`);
    previous = id;
  }
  assert.equal(timeOfId(previous.toString()).getTime() - frozen <= 2, true, "borrowing stays within a couple of milliseconds");

  mock.timers.setTime(frozen - 60_000);
  const afterClockJump = BigInt(newId());
  assert.ok(afterClockJump > previous, "an id made after the clock went back still sorts after the earlier ones");
});

test("an id made for an imported object carries that object's time, and ids for one instant differ", () => {
  const published = new Date("2021-03-04T05:06:07.089Z");
  const a = newId(published);
  const b = newId(published);
  assert.notEqual(a, b);
  assert.equal(timeOfId(a).toISOString(), published.toISOString());
  assert.equal(timeOfId(b).toISOString(), published.toISOString());
  assert.ok(BigInt(a) >= BigInt(idAtTime(published)));
  assert.ok(BigInt(a) < BigInt(idAtTime(new Date(published.getTime() + 1))), "it sorts before anything of the next millisecond");
  assert.ok(BigInt(a) < BigInt(newId()), "an old object's id sorts before one made now");
});

test("idAtTime is the lower bound of its millisecond", () => {
  const at = new Date("2024-01-01T00:00:00.000Z");
  assert.equal(timeOfId(idAtTime(at)).toISOString(), at.toISOString());
  assert.equal(BigInt(idAtTime(at)) & 0xffffn, 0n);
});

test("parseId accepts decimal ids that fit a signed 64-bit column and nothing else", () => {
  assert.equal(parseId("0"), "0");
  assert.equal(parseId("110363450294839296"), "110363450294839296");
  assert.equal(parseId("007"), "7", "leading zeros are normalised");
  assert.equal(parseId("9223372036854775807"), "9223372036854775807", "the largest bigint");
  assert.equal(parseId("9223372036854775808"), null, "one past the largest bigint");
  assert.equal(parseId("99999999999999999999"), null, "twenty digits");
  for (const bad of ["", "-1", "1.5", "1e3", " 1", "1 ", "0x10", "abc", "１２３"]) assert.equal(parseId(bad), null, JSON.stringify(bad));
  for (const bad of [1, 1n, null, undefined, ["1"], { id: "1" }]) assert.equal(parseId(bad), null, String(bad));
});
