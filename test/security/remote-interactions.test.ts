// Another server may only interact with a post its actor can see. A Fedify peer (test/support/
// fedify-peer.ts, none of Skein's code) sends signed Likes, reactions, boosts, poll votes and
// replies to a Skein account's posts over real HTTPS; what the account sees through the client
// API — counts on the post, its notifications, its thread, its poll — must show only those from
// actors the post was addressed to (direct: the mentioned; followers-only: the followers too).
//
// Inbox activities are handled by a queue, so "nothing was stored" is only checked after a
// positive signal: each test also sends an activity that is allowed, waits for its effect, and
// then waits until the inbox queue is empty (`./skein queue status`) before checking what is absent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Temporal as Polyfill } from "@js-temporal/polyfill";
import { Announce, Create, EmojiReact, Follow, Like, Mention, Note, PUBLIC_COLLECTION, type Actor } from "@fedify/vocab";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { startFedifyPeer, type FedifyPeer } from "../support/fedify-peer.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import type { TestServer } from "../support/server.ts";

const SKEIN = "skein.test";
const PEER = "elsewhere.test";
// Distinct from the addresses other test files use, since files run side by side.
const SKEIN_ADDRESS = 140;
const PEER_ADDRESS = "127.0.0.141";

let fleet: Fleet;
let server: TestServer;
let peer: FedifyPeer;
let alice: TestUser;
let aliceActor: Actor;
/** A post of alice's: its id (for the API) and URI (for activities). */
interface Post {
  id: string;
  uri: string;
}
let directToFriend: Post;
let followersOnly: Post;

async function api(path: string, init: RequestInit = {}) {
  const response = await fetch(`https://${SKEIN}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

async function post(body: Record<string, unknown>): Promise<Post> {
  const created = await api("/api/v1/statuses", { method: "POST", body: JSON.stringify(body) });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  return { id: created.body.id, uri: created.body.uri };
}

const now = () => Polyfill.Now.instant() as unknown as Temporal.Instant;
const actorUri = (name: string) => peer.actors[name].uri;

/** Sends `activity` from the peer's `from` to alice's inbox, signed as `from`. */
async function send(from: string, activity: Create | Like | EmojiReact | Announce | Follow): Promise<void> {
  await peer.send(from, aliceActor, activity);
}

const like = (from: string, target: Post) => new Like({ id: peer.newId(from, "likes"), actor: actorUri(from), object: new URL(target.uri) });

/** Alice's notifications of `type` from `from@PEER` about `target`. */
async function notificationsFrom(from: string, type: string, target: Post): Promise<unknown[]> {
  const list = await api(`/api/v1/notifications?types[]=${type}&limit=40`);
  assert.equal(list.status, 200);
  return list.body.filter((n: any) => n.account.acct === `${from}@${PEER}` && n.status?.id === target.id);
}

/** The Skein account id of the peer's `name`, looked up through WebFinger if Skein does not know it yet. */
async function accountIdOf(name: string): Promise<string> {
  const found = await api(`/api/v2/search?q=${name}@${PEER}&resolve=true&type=accounts`);
  assert.equal(found.body?.accounts?.[0]?.acct, `${name}@${PEER}`, JSON.stringify(found.body));
  return found.body.accounts[0].id;
}

/** The post as alice sees it. */
async function seen(target: Post) {
  const got = await api(`/api/v1/statuses/${target.id}`);
  assert.equal(got.status, 200);
  return got.body;
}

/**
 * Waits until Skein's inbox queue holds no job: every activity the peer delivered (each
 * enqueued before its 202) has been handled, and none waits for a retry.
 */
async function inboxQueueDrained(): Promise<void> {
  await eventually(async () => {
    const status = await server.cli(["queue", "status"]);
    assert.equal(status.code, 0, status.stderr);
    return !/^fedify\s/m.test(status.stdout);
  }, 60_000, "an empty inbox queue");
}

before(async () => {
  fleet = await startFleet([SKEIN], { firstAddress: SKEIN_ADDRESS, extraHosts: { [PEER]: PEER_ADDRESS } });
  server = fleet.servers[SKEIN];
  peer = await startFedifyPeer({ host: PEER, address: PEER_ADDRESS, tls: fleet.tls, identifiers: ["friend", "follower", "stranger", "pest"] });
  alice = await signUp(server, "alice");
  aliceActor = await peer.lookup(`alice@${SKEIN}`);

  // `follower` follows alice (she accepts at once); the others do not.
  await send("follower", new Follow({ id: peer.newId("follower", "follows"), actor: actorUri("follower"), object: aliceActor.id }));
  await eventually(async () => {
    const list = await api(`/api/v1/accounts/${alice.id}/followers`);
    return list.body?.some((a: { acct: string }) => a.acct === `follower@${PEER}`);
  }, 30_000, "the peer's follower on Skein");

  await accountIdOf("friend"); // a mention names only accounts Skein knows
  directToFriend = await post({ status: `@friend@${PEER} only you may read this`, visibility: "direct" });
  const mentions = (await seen(directToFriend)).mentions.map((m: { acct: string }) => m.acct);
  assert.deepEqual(mentions, [`friend@${PEER}`], "the direct message is addressed to friend alone");
  followersOnly = await post({ status: "for my followers", visibility: "private" });
});

after(async () => {
  await peer?.stop();
  await fleet?.stop();
});

test("a Like or reaction to a direct message from an account it was not sent to is not stored; its addressee's is", async () => {
  await send("stranger", like("stranger", directToFriend));
  await send("stranger", new EmojiReact({ id: peer.newId("stranger", "reactions"), actor: actorUri("stranger"), object: new URL(directToFriend.uri), content: "👀" }));
  await send("friend", like("friend", directToFriend));

  await eventually(async () => (await notificationsFrom("friend", "favourite", directToFriend)).length === 1, 30_000, "the addressee's favourite notification");
  await inboxQueueDrained();
  assert.deepEqual(await notificationsFrom("stranger", "favourite", directToFriend), [], "no notification from the stranger");
  assert.equal((await seen(directToFriend)).favourites_count, 1, "only the addressee's favourite counts");
});

test("a followers-only post takes Likes from followers, not from others", async () => {
  await send("stranger", like("stranger", followersOnly));
  await send("follower", like("follower", followersOnly));

  await eventually(async () => (await notificationsFrom("follower", "favourite", followersOnly)).length === 1, 30_000, "the follower's favourite notification");
  await inboxQueueDrained();
  assert.deepEqual(await notificationsFrom("stranger", "favourite", followersOnly), [], "no notification from the non-follower");
  assert.equal((await seen(followersOnly)).favourites_count, 1, "only the follower's favourite counts");
});

test("only public and unlisted posts can be boosted, and not by an account the author blocks", async () => {
  const open = await post({ status: "boost me" });
  assert.equal((await api(`/api/v1/accounts/${await accountIdOf("pest")}/block`, { method: "POST" })).status, 200);

  const announce = (from: string, target: Post) =>
    new Announce({ id: peer.newId(from, "boosts"), actor: actorUri(from), object: new URL(target.uri), to: PUBLIC_COLLECTION, published: now() });
  // Even a follower, who may read it, may not spread a followers-only post.
  await send("follower", announce("follower", followersOnly));
  await send("pest", announce("pest", open));
  await send("follower", announce("follower", open));

  await eventually(async () => (await seen(open)).reblogs_count >= 1, 30_000, "the follower's boost of the public post");
  await inboxQueueDrained();
  assert.equal((await seen(open)).reblogs_count, 1, "the blocked account's boost is not counted");
  assert.equal((await seen(followersOnly)).reblogs_count, 0, "the followers-only post was not boosted");
  assert.deepEqual(await notificationsFrom("follower", "reblog", followersOnly), []);
});

test("a vote in a followers-only poll counts from a follower, not from anyone else", async () => {
  const poll = await post({ status: "Tea or coffee?", visibility: "private", poll: { options: ["tea", "coffee"], expires_in: 3600 } });
  const vote = (from: string, choice: string) => {
    const id = peer.newId(from, "votes");
    const note = new Note({ id, attribution: actorUri(from), name: choice, replyTarget: new URL(poll.uri), to: aliceActor.id!, published: now() });
    return new Create({ id: new URL(`${id.href}/activity`), actor: actorUri(from), object: note, to: aliceActor.id!, published: now() });
  };
  await send("stranger", vote("stranger", "coffee"));
  await send("follower", vote("follower", "tea"));

  const pollId = (await seen(poll)).poll.id;
  await eventually(async () => (await api(`/api/v1/polls/${pollId}`)).body.votes_count >= 1, 30_000, "the follower's vote");
  await inboxQueueDrained();
  const counted = (await api(`/api/v1/polls/${pollId}`)).body;
  assert.deepEqual(counted.options.map((o: { title: string; votes_count: number }) => [o.title, o.votes_count]), [["tea", 1], ["coffee", 0]]);
  assert.equal(counted.votes_count, 1);
});

test("a reply to a direct message from an account it was not sent to is kept out of its thread", async () => {
  const reply = (from: string, text: string) => {
    const id = peer.newId(from, "notes");
    const note = new Note({
      id,
      attribution: actorUri(from),
      content: `<p><span class="h-card"><a href="https://${SKEIN}/@alice" class="u-url mention">@<span>alice</span></a></span> ${text}</p>`,
      replyTarget: new URL(directToFriend.uri),
      url: id,
      to: aliceActor.id!,
      tags: [new Mention({ href: aliceActor.id!, name: `@alice@${SKEIN}` })],
      published: now(),
    });
    peer.notes.set(id.href, note);
    return new Create({ id: new URL(`${id.href}/activity`), actor: actorUri(from), object: note, to: aliceActor.id!, published: note.published });
  };
  await send("stranger", reply("stranger", "I read your message anyway"));
  await send("friend", reply("friend", "Got it"));

  await eventually(async () => (await seen(directToFriend)).replies_count >= 1, 30_000, "the addressee's reply in the thread");
  await inboxQueueDrained();
  const context = await api(`/api/v1/statuses/${directToFriend.id}/context`);
  assert.deepEqual(context.body.descendants.map((s: { account: { acct: string } }) => s.account.acct), [`friend@${PEER}`], "only the addressee's reply is in the thread");
  assert.equal((await seen(directToFriend)).replies_count, 1);
  // The stranger's post itself is theirs to make: it arrives as a private mention, in no thread —
  // held as a notification request, as Mastodon's default policy holds private mentions from
  // strangers that answer nothing of the recipient's.
  const request = await eventually(async () => {
    const list = await api("/api/v1/notifications/requests");
    return list.body.find((r: any) => r.account.acct === `stranger@${PEER}`);
  }, 30_000, "the stranger's mention, held as a notification request");
  assert.equal(request.last_status.in_reply_to_id, null);
});
