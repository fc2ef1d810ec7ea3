// A key whose signature fails is fetched again at most once per five minutes (the document
// cache's lifetime): forged signatures cannot make Skein fetch a key more often than its cache
// expiring would (the end-to-end rotation is in federation/signature-interop.test.ts).
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryKvStore } from "@fedify/fedify";
import { KeyRefresh } from "../../src/federation/key-refresh.ts";
import { REMOTE_DOCUMENTS } from "../../src/federation/document-loaders.ts";

test("a key's cached documents are forgotten at most once per key per five minutes", async () => {
  const kv = new MemoryKvStore();
  let now = 1_000_000;
  const refresh = new KeyRefresh(kv, () => now);
  const key = new URL("https://a.example/users/x#main-key");
  await kv.set([...REMOTE_DOCUMENTS, key.href], { cached: true });
  await kv.set([...REMOTE_DOCUMENTS, "https://a.example/users/x"], { cached: true });
  await kv.set([...REMOTE_DOCUMENTS, "https://a.example/users/y"], { cached: true });

  assert.equal(await refresh.forget(key), true);
  assert.equal(await kv.get([...REMOTE_DOCUMENTS, key.href]), undefined, "the key's document");
  assert.equal(await kv.get([...REMOTE_DOCUMENTS, "https://a.example/users/x"]), undefined, "the actor's document");
  assert.deepEqual(await kv.get([...REMOTE_DOCUMENTS, "https://a.example/users/y"]), { cached: true }, "another actor's stays");

  now += 5_000;
  assert.equal(await refresh.forget(key), false, "the same key again at once");
  assert.equal(await refresh.forget(new URL("https://a.example/users/y#main-key")), true, "another key of the same host");
  assert.equal(await kv.get([...REMOTE_DOCUMENTS, "https://a.example/users/y"]), undefined);
  now += 4 * 60_000;
  assert.equal(await refresh.forget(key), false, "the first key within five minutes");
  now += 60_000;
  assert.equal(await refresh.forget(key), true, "the first key after five minutes");
});
