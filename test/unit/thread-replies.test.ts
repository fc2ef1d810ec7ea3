// How a thread's completion reads a post's `replies` collection (federation/threads.ts), on a
// real Mastodon Note: its embedded first page costs no fetch, its `next` pages are followed on the
// post's own server only, and never more than THREAD_BOUNDS.pagesPerCollection of them.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Note } from "@fedify/vocab";
import { Budget, replyUrisOf } from "../../src/federation/threads.ts";
import { THREAD_BOUNDS } from "../../src/domain/threads/thread-service.ts";

const fixture = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../../../shared/fixtures/activitypub/mastodon__object__note-replies-collection.json"), "utf8"));
const collectionId: string = fixture.replies.id;
const firstNext: string = fixture.replies.first.next;

/** Pages of other accounts' replies, each naming the next one (without end unless `last` is set). */
function pageAt(url: string, n: number, next: string | null) {
  return {
    "@context": "https://www.w3.org/ns/activitystreams",
    id: url,
    type: "CollectionPage",
    partOf: collectionId,
    items: [`https://other.example/users/someone/statuses/${n}a`, `https://other.example/users/someone/statuses/${n}b`],
    ...(next ? { next } : {}),
  };
}

function loader(pages: Map<string, unknown>, asked: string[]) {
  return async (url: string) => {
    asked.push(url);
    const document = pages.get(url);
    if (!document) throw new Error(`not served: ${url}`);
    return { contextUrl: null, document, documentUrl: url };
  };
}

test("a Mastodon note's replies: the embedded first page, then at most three fetched pages on its server", async () => {
  const note = await Note.fromJsonLd(fixture);
  const pages = new Map<string, unknown>();
  let url = firstNext;
  for (let n = 1; n <= 6; n++) {
    const next = `${collectionId}?only_other_accounts=true&page=${n + 1}`;
    pages.set(url, pageAt(url, n, next));
    url = next;
  }
  const asked: string[] = [];
  const budget = new Budget();
  const uris = await replyUrisOf(note, loader(pages, asked), budget);
  assert.equal(THREAD_BOUNDS.pagesPerCollection, 3);
  assert.deepEqual(asked, [firstNext, `${collectionId}?only_other_accounts=true&page=2`, `${collectionId}?only_other_accounts=true&page=3`]);
  assert.deepEqual(uris, [1, 2, 3].flatMap((n) => [`https://other.example/users/someone/statuses/${n}a`, `https://other.example/users/someone/statuses/${n}b`]));
  assert.equal(budget.fetches, 1 + 3, "the collection (embedded: counted, not fetched) and three pages");
});

test("a next page on another server, or a collection elsewhere, is not read", async () => {
  const note = await Note.fromJsonLd(fixture);
  const elsewhere = "https://attacker.example/pages/1";
  const asked: string[] = [];
  const uris = await replyUrisOf(note, loader(new Map([[firstNext, pageAt(firstNext, 1, elsewhere)]]), asked), new Budget());
  assert.deepEqual(asked, [firstNext]);
  assert.equal(uris.length, 2);

  const moved = await Note.fromJsonLd({ ...fixture, replies: { ...fixture.replies, id: "https://attacker.example/replies" } });
  const none: string[] = [];
  assert.deepEqual(await replyUrisOf(moved, loader(new Map(), none), new Budget()), []);
  assert.deepEqual(none, []);
});
