// What other servers fetch is named by ids: posts at /users/NAME/statuses/ID, and collection pages
// (followers, following, outbox) by the id they continue after. Anything that is not such an id —
// a word, a fraction, a number past 64 bits — names nothing: 404, never a database error
// (PostgreSQL refused to compare such values with a bigint; the fuzzer found both 500s).
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

test("a post id past 64 bits names no post", async () => {
  for (const id of ["9223372036854775808", "99999999999999999999"]) {
    for (const method of ["GET", "HEAD"]) {
      const response = await fetch(`${server.url}/users/alice/statuses/${id}`, { method, headers: { Accept: "application/activity+json" } });
      assert.equal(response.status, 404, `${method} statuses/${id}`);
      await response.arrayBuffer();
    }
  }
});
