// The collections other servers page through (followers, following, outbox) are named by the id
// a page continues after. A cursor that is not such an id names no page: 404, never a database
// error (PostgreSQL refused to compare it with a bigint, and the fuzzer found a 500 there).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../support/server.ts";
import { signUp } from "../support/clients.ts";

let server: TestServer;

before(async () => {
  server = await startServer();
  await signUp(server, "alice");
});

after(() => server?.stop());

const get = (path: string) => fetch(`${server.url}${path}`, { headers: { Accept: "application/activity+json" } });

test("a cursor that is not an id names no page of a collection", async () => {
  for (const collection of ["followers", "following", "outbox"]) {
    for (const cursor of ["abc", "1.5", "1e309", "99999999999999999999", "https://example.invalid/users/x"]) {
      const response = await get(`/users/alice/${collection}?cursor=${encodeURIComponent(cursor)}`);
      assert.equal(response.status, 404, `${collection} cursor=${cursor}`);
      await response.arrayBuffer();
    }
    // The pages Skein hands out still work.
    const first = await get(`/users/alice/${collection}?cursor=`);
    assert.equal(first.status, 200, `${collection} first page`);
    await first.arrayBuffer();
    const page = await get(`/users/alice/${collection}?cursor=117707767102114787`);
    assert.equal(page.status, 200, `${collection} a page after an id`);
    await page.arrayBuffer();
  }
});
