// Skein's inbox and secure-mode fetches against HTTP signatures as other implementations make
// them — not Fedify's signRequest, the library on Skein's side too:
//
//   Mastodon, draft-cavage: `(request-target) host date digest`, rsa-sha256, `Digest: SHA-256=`
//   (signed by hand with node:crypto, test/support/http-signatures.ts);
//   Mastodon 4.5, RFC 9421: `("@method" "@target-uri" "content-digest")`, `Content-Digest`;
//   Misskey: its own library, @misskey-dev/node-http-message-signatures, called as Misskey's
//   ApRequestService calls it (`(request-target) date host digest`, or `… accept` for a GET).
//
// Each style is accepted: a Follow makes the peer a follower, a Create shows up for the account it
// mentions. A signature that covers too little (no digest, no host, no (request-target); RFC 9421
// without content-digest, @method or @target-uri), a digest that does not match the body, or a
// stale date is refused with 401 and leaves no trace. With authorized fetch on, a GET signed each
// way is answered, one unsigned or signed too weakly is not. A key rotated since Skein cached it
// is fetched again at once, and the old one refused. The keys are a Fedify peer's
// (test/support/fedify-peer.ts), which serves the actors Skein fetches.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Temporal as Polyfill } from "@js-temporal/polyfill";
import { Create, Follow, Mention, Note, PUBLIC_COLLECTION, type Actor } from "@fedify/vocab";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { startFedifyPeer, type FedifyPeer } from "../support/fedify-peer.ts";
import { signUp, type TestUser } from "../support/clients.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { draftSigned, misskeySigned, pkcs8Pem, rawKey, rfc9421Signed, type RawSigningKey } from "../support/http-signatures.ts";

const SKEIN = "interop.test";
const PEER = "interop-peer.test";
// Reserved for this file: files run side by side.
const SKEIN_ADDRESS = 253;
const PEER_ADDRESS = "127.0.0.254";
const STYLES = ["mastodon-draft", "mastodon-rfc9421", "misskey"] as const;
type Style = (typeof STYLES)[number];

let fleet: Fleet;
let peer: FedifyPeer;
let alice: TestUser;
let aliceActor: Actor;
let contract: ContractLog;
const keys: Partial<Record<Style, RawSigningKey & { privateKeyPem: string }>> = {};

async function api(path: string) {
  const response = await fetch(`https://${SKEIN}${path}`, { headers: { Authorization: `Bearer ${alice.token}` } });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

/** The peer's actor that signs in `style` (one actor per style, so their effects stay apart). */
const actorOf = (style: Style | "rotating") => peer.actors[style].uri;

/** Signs a request in `style`; `bend` makes it cover too little, digest another body, or carry another date. */
async function sign(style: Style, url: string, body: string | undefined, bend: { covered?: string[]; digestOf?: string; at?: Date } = {}): Promise<Request> {
  const key = keys[style]!;
  if (style === "mastodon-draft") return draftSigned(url, key, { body, ...bend });
  if (style === "mastodon-rfc9421") return rfc9421Signed(url, key, { body, ...bend });
  const request = await misskeySigned(url, { keyId: key.keyId, privateKeyPem: key.privateKeyPem }, { body, includeHeaders: bend.covered, at: bend.at });
  // Misskey's library digests the body it is given: another body is swapped in after signing.
  return bend.digestOf === undefined ? request : new Request(url, { method: "POST", headers: request.headers, body: `${body} ` });
}

/** A public Create(Note) by `style`'s actor mentioning alice: its JSON text and the Note's id. */
async function mention(style: Style | "rotating", label: string): Promise<{ body: string; noteUri: string }> {
  const noteId = peer.newId(style, "notes");
  const note = new Note({
    id: noteId,
    attribution: actorOf(style),
    content: `<p>@alice ${label}</p>`,
    to: PUBLIC_COLLECTION,
    ccs: [aliceActor.id!],
    tags: [new Mention({ href: aliceActor.id!, name: `@alice@${SKEIN}` })],
    published: Polyfill.Now.instant() as unknown as Temporal.Instant,
  });
  const create = new Create({ id: new URL(`${noteId.href}/activity`), actor: actorOf(style), object: note, to: PUBLIC_COLLECTION, ccs: [aliceActor.id!] });
  return { body: JSON.stringify(await create.toJsonLd({ format: "compact" })), noteUri: noteId.href };
}

async function send(request: Request): Promise<{ status: number; text: string }> {
  const response = await fetch(request);
  return { status: response.status, text: await response.text() };
}

/** Whether alice has a mention notification for the post `noteUri`. */
async function mentioned(noteUri: string): Promise<boolean> {
  const notifications = await api("/api/v1/notifications?types[]=mention&limit=80");
  assert.equal(notifications.status, 200);
  return notifications.body.some((n: any) => n.status?.uri === noteUri);
}

async function deliverValid(style: Style, label: string, path = "/inbox"): Promise<void> {
  const post = await mention(style, label);
  const response = await send(await sign(style, `https://${SKEIN}${path}`, post.body));
  assert.ok(response.status >= 200 && response.status < 300, `${style} to ${path}: ${response.status} ${response.text}`);
  await eventually(() => mentioned(post.noteUri), 20_000, `${style}'s post "${label}" on Skein`);
}

before(async () => {
  fleet = await startFleet([SKEIN], { firstAddress: SKEIN_ADDRESS, extraHosts: { [PEER]: PEER_ADDRESS }, env: { [SKEIN]: { AUTHORIZED_FETCH: "true" } } });
  contract = installContractCheck(fleet.servers[SKEIN].url);
  peer = await startFedifyPeer({ host: PEER, address: PEER_ADDRESS, tls: fleet.tls, identifiers: [...STYLES, "rotating"] });
  alice = await signUp(fleet.servers[SKEIN], "alice");
  aliceActor = await peer.lookup(`alice@${SKEIN}`);
  for (const style of STYLES) {
    const key = await peer.signingKey(style);
    keys[style] = { ...rawKey(key.keyId, key.privateKey), privateKeyPem: pkcs8Pem(key.privateKey) };
  }
});

after(async () => {
  await peer?.stop();
  await fleet?.stop();
});

test("a Follow and a Create signed as Mastodon (draft-cavage, RFC 9421) and Misskey sign them take effect", async () => {
  const account = async (style: Style) => (await api(`/api/v1/accounts/lookup?acct=${style}@${PEER}`)).body;
  for (const style of STYLES) {
    const follow = new Follow({ id: peer.newId(style, "follows"), actor: actorOf(style), object: aliceActor.id! });
    const body = JSON.stringify(await follow.toJsonLd({ format: "compact" }));
    const response = await send(await sign(style, `https://${SKEIN}/users/alice/inbox`, body));
    assert.ok(response.status >= 200 && response.status < 300, `${style}'s Follow: ${response.status} ${response.text}`);
  }
  const me = (await api("/api/v1/accounts/verify_credentials")).body;
  await eventually(async () => {
    const followers = (await api(`/api/v1/accounts/${me.id}/followers`)).body as { acct: string }[];
    return STYLES.every((style) => followers.some((f) => f.acct === `${style}@${PEER}`));
  }, 20_000, "every style's actor among alice's followers");
  for (const style of STYLES) {
    assert.equal((await api(`/api/v1/accounts/relationships?id[]=${(await account(style)).id}`)).body[0].followed_by, true, `${style} follows alice`);
  }
  // The Follows went to alice's inbox; the posts go to the shared one, all at once.
  await Promise.all(STYLES.map((style) => deliverValid(style, `a post signed ${style}, to the shared inbox`)));
});

test("a signature covering too little, a digest of another body or a stale date is refused with 401 and leaves no trace", async () => {
  const thirteenHoursAgo = new Date(Date.now() - 13 * 3600_000);
  const inTwoHours = new Date(Date.now() + 2 * 3600_000);
  const bends: Record<Style, [string, { covered?: string[]; digestOf?: string; at?: Date }][]> = {
    "mastodon-draft": [
      ["no digest", { covered: ["(request-target)", "host", "date"] }],
      ["no host", { covered: ["(request-target)", "date", "digest"] }],
      ["no (request-target)", { covered: ["host", "date", "digest"] }],
      ["a digest of another body", { digestOf: "{}" }],
      ["a date 13 hours old", { at: thirteenHoursAgo }],
      ["a date 2 hours ahead", { at: inTwoHours }],
    ],
    "mastodon-rfc9421": [
      ["no content-digest", { covered: ["@method", "@target-uri"] }],
      ["no @target-uri", { covered: ["@method", "@authority", "@path", "content-digest"] }],
      ["no @method", { covered: ["@target-uri", "content-digest"] }],
      ["a digest of another body", { digestOf: "{}" }],
      ["created 13 hours ago", { at: thirteenHoursAgo }],
    ],
    misskey: [
      ["no digest", { covered: ["(request-target)", "date", "host"] }],
      ["no host", { covered: ["(request-target)", "date", "digest"] }],
      ["no (request-target)", { covered: ["date", "host", "digest"] }],
      ["a body other than the one digested", { digestOf: "" }],
      ["a date 13 hours old", { at: thirteenHoursAgo }],
    ],
  };
  const refused: string[] = [];
  for (const style of STYLES) {
    for (const [what, bend] of bends[style]) {
      const post = await mention(style, `${what} (${style})`);
      const response = await send(await sign(style, `https://${SKEIN}/inbox`, post.body, bend));
      assert.equal(response.status, 401, `${style} with ${what}: ${response.text}`);
      refused.push(post.noteUri);
    }
  }
  // Once a valid post sent afterwards has arrived, none of the refused ones exists.
  await deliverValid("mastodon-draft", "a valid marker after the refused ones");
  for (const noteUri of refused) {
    assert.equal(await mentioned(noteUri), false, `${noteUri} was not delivered`);
    const search = await api(`/api/v2/search?type=statuses&resolve=false&q=${encodeURIComponent(noteUri)}`);
    assert.deepEqual(search.body.statuses, [], `${noteUri} is not stored`);
  }
});

test("with authorized fetch, a GET signed each way is answered and one unsigned or signed too weakly is not", async () => {
  const url = `https://${SKEIN}/users/alice/outbox`;
  const get = async (request: Request) => {
    const response = await fetch(request);
    return { status: response.status, body: (await response.json().catch(() => null)) as any };
  };
  assert.equal((await get(new Request(url, { headers: { Accept: "application/activity+json" } }))).status, 401, "unsigned");
  for (const style of STYLES) {
    const answer = await get(await sign(style, url, undefined));
    assert.equal(answer.status, 200, `a GET signed ${style}`);
    assert.equal(answer.body?.type, "OrderedCollection", `${style}: alice's outbox`);
  }
  const weak: [string, Request][] = [
    ["draft-cavage without host", draftSigned(url, keys["mastodon-draft"]!, { covered: ["(request-target)", "date", "accept"] })],
    ["draft-cavage without (request-target)", draftSigned(url, keys["mastodon-draft"]!, { covered: ["host", "date", "accept"] })],
    ["RFC 9421 without @target-uri", rfc9421Signed(url, keys["mastodon-rfc9421"]!, { covered: ["@method", "@authority"] })],
    ["Misskey's signature without host", await misskeySigned(url, { keyId: keys.misskey!.keyId, privateKeyPem: keys.misskey!.privateKeyPem }, { includeHeaders: ["(request-target)", "date", "accept"] })],
    ["a draft-cavage date 13 hours old", draftSigned(url, keys["mastodon-draft"]!, { at: new Date(Date.now() - 13 * 3600_000) })],
  ];
  for (const [what, request] of weak) {
    const answer = await get(request);
    assert.equal(answer.status, 401, what);
    assert.equal(answer.body?.type, undefined, `${what}: nothing of the outbox`);
  }
  assert.deepEqual(contract.violations, []);
});

test("a key rotated since Skein cached it is fetched again at once, and the old key no longer signs", async () => {
  const inbox = `https://${SKEIN}/inbox`;
  const before = await peer.signingKey("rotating");
  const oldKey = rawKey(before.keyId, before.privateKey);
  const first = await mention("rotating", "signed with the first key");
  assert.ok((await send(draftSigned(inbox, oldKey, { body: first.body }))).status < 300);
  await eventually(() => mentioned(first.noteUri), 20_000, "the first key's post");

  // The actor document now holds another key; Skein cached the old one moments ago.
  await peer.rotateKeys("rotating");
  const after = await peer.signingKey("rotating");
  const newKey = rawKey(after.keyId, after.privateKey);
  const second = await mention("rotating", "signed with the rotated key");
  const accepted = await send(draftSigned(inbox, newKey, { body: second.body }));
  assert.ok(accepted.status >= 200 && accepted.status < 300, `the rotated key: ${accepted.status} ${accepted.text}`);
  await eventually(() => mentioned(second.noteUri), 20_000, "the rotated key's post");

  const stale = await mention("rotating", "signed with the key that was rotated away");
  const refused = await send(draftSigned(inbox, oldKey, { body: stale.body }));
  assert.equal(refused.status, 401, refused.text);
  await deliverValid("mastodon-draft", "a marker after the old key's post");
  assert.equal(await mentioned(stale.noteUri), false);
});
