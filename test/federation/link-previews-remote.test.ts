// Link previews of remote posts: a Fedify peer (none of Skein's code) delivers twenty-five public
// posts linking one page at once; Skein fetches the page exactly once (PREVIEW_CARD_REMOTE_DELAY=0
// here; in production each remote link waits a random delay first) and every post shows the card
// to a local reader, who hears of it as `status.update` on the stream.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { Temporal as Polyfill } from "@js-temporal/polyfill";
import { Create, Follow, Note, PUBLIC_COLLECTION, type Actor } from "@fedify/vocab";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { startFedifyPeer, type FedifyPeer } from "../support/fedify-peer.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { openEventStream } from "../support/streaming.ts";
import type { TestServer } from "../support/server.ts";

const SKEIN = "cards.test";
const PEER = "linker.test";
// Reserved for this file: Skein on .248, the peer and the pages on .249.
const SKEIN_ADDRESS = 248;
const PEER_ADDRESS = "127.0.0.249";
const POSTS = 25;

let pageFetches = 0;
const pages = http.createServer((_req, res) => {
  pageFetches++;
  // Slow enough that the posts' jobs overlap the one fetch.
  setTimeout(() => res.writeHead(200, { "content-type": "text/html" }).end('<html><head><meta property="og:title" content="Shared by many"></head></html>'), 400);
});

let fleet: Fleet;
let server: TestServer;
let peer: FedifyPeer;
let alice: TestUser;
let aliceActor: Actor;
let pageUrl: string;

async function api(path: string) {
  const response = await fetch(`https://${SKEIN}${path}`, { headers: { Authorization: `Bearer ${alice.token}` } });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

before(async () => {
  await new Promise<void>((resolve) => pages.listen(0, PEER_ADDRESS, resolve));
  pageUrl = `http://pages.linker.test:${(pages.address() as { port: number }).port}/article`;
  fleet = await startFleet([SKEIN], {
    firstAddress: SKEIN_ADDRESS,
    extraHosts: { [PEER]: PEER_ADDRESS, "pages.linker.test": PEER_ADDRESS },
    env: { [SKEIN]: { PREVIEW_CARD_REMOTE_DELAY: "0" } },
  });
  server = fleet.servers[SKEIN];
  peer = await startFedifyPeer({ host: PEER, address: PEER_ADDRESS, tls: fleet.tls, identifiers: ["poster"] });
  alice = await signUp(server, "alice");
  aliceActor = await peer.lookup(`alice@${SKEIN}`);
  // alice follows the poster, so its posts reach her home timeline.
  const found = await api(`/api/v2/search?q=poster@${PEER}&resolve=true&type=accounts`);
  const posterId = found.body.accounts[0].id;
  const follow = await fetch(`https://${SKEIN}/api/v1/accounts/${posterId}/follow`, { method: "POST", headers: { Authorization: `Bearer ${alice.token}` } });
  assert.equal(follow.status, 200);
  await eventually(async () => peer.received.some((a) => a.type === "Follow"), 20_000, "the follow at the peer");
  await eventually(async () => (await api(`/api/v1/accounts/relationships?id[]=${posterId}`)).body?.[0]?.following === true, 20_000, "the follow accepted");
});

after(async () => {
  await peer?.stop();
  await fleet?.stop();
  pages.close();
});

test("twenty-five remote posts linking one page at once: one fetch, every post gets the card, announced on the stream", async () => {
  const stream = await openEventStream(`https://${SKEIN}/api/v1/streaming/user`, alice.token);
  await stream.opened();
  const now = Polyfill.Now.instant() as unknown as Temporal.Instant;
  const uris: string[] = [];
  await Promise.all(
    Array.from({ length: POSTS }, (_, i) => {
      const id = peer.newId("poster", "notes");
      uris.push(id.href);
      const note = new Note({
        id,
        attribution: peer.actors.poster.uri,
        content: `<p>Read this (${i}): <a href="${pageUrl}" rel="nofollow noopener" target="_blank">${pageUrl}</a></p>`,
        url: id,
        to: PUBLIC_COLLECTION,
        cc: peer.context().getFollowersUri("poster"),
        published: now,
      });
      peer.notes.set(id.href, note);
      return peer.send("poster", aliceActor, new Create({ id: new URL(`${id.href}/activity`), actor: peer.actors.poster.uri, object: note, to: PUBLIC_COLLECTION, cc: peer.context().getFollowersUri("poster"), published: now }), { sharedInbox: true });
    }),
  );
  // The home timeline shows the posts with the card (two pages of 40 and the rest).
  const seen = await eventually(async () => {
    const all: { uri: string; card: { title: string } | null }[] = [];
    let max = "";
    for (let page = 0; page < 3; page++) {
      const res = await api(`/api/v1/timelines/home?limit=40${max ? `&max_id=${max}` : ""}`);
      if (res.status !== 200 || res.body.length === 0) break;
      all.push(...res.body);
      max = res.body[res.body.length - 1].id;
    }
    const ours = all.filter((s) => uris.includes(s.uri));
    return ours.length === POSTS && ours.every((s) => s.card?.title === "Shared by many") ? ours : null;
  }, 60_000, "every remote post with its card");
  assert.equal(seen.length, POSTS);
  const update = await stream.next((m) => m.event === "status.update" && JSON.parse(m.data).card?.title === "Shared by many", 10_000);
  assert.ok(uris.includes(JSON.parse(update.data).uri));
  stream.close();
  assert.equal(pageFetches, 1, "the page was fetched once for the whole server");
});
