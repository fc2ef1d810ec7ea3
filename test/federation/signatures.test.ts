// What Skein's inboxes accept: hand-made requests, over HTTPS to a Skein server's shared inbox
// (/inbox) and an account's inbox (/users/alice/inbox), signed with the keys of a Fedify test
// peer (test/support/fedify-peer.ts) through Fedify's own `signRequest`, in both HTTP signature
// dialects (draft-cavage and RFC 9421). Unsigned, forged (a key that is not the actor's, a body
// changed after signing or not covered by the signature, a signature made for another inbox)
// and replayed (outside Fedify's default window of one hour either side of now) requests are
// refused with 401 and leave no trace: the post never shows through the client API, and the
// same activity, signed properly afterwards, is still processed (no "already seen" mark was
// left). A valid activity delivered several times is accepted each time and makes one status.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Temporal as Polyfill } from "@js-temporal/polyfill";
import { generateCryptoKeyPair, signRequest } from "@fedify/fedify";
import { Create, Mention, Note, PUBLIC_COLLECTION, type Actor } from "@fedify/vocab";
import { startFleet, eventually, type Fleet } from "../support/federation-fleet.ts";
import { startFedifyPeer, type FedifyPeer } from "../support/fedify-peer.ts";
import { signUp, type TestUser } from "../support/clients.ts";

const SKEIN = "skein.test";
const PEER = "fedify.test";
// Distinct from the addresses other federation test files use, since files run side by side.
const SKEIN_ADDRESS = 50;
const PEER_ADDRESS = "127.0.0.59";
const INBOXES = ["/inbox", "/users/alice/inbox"];
const SPECS = ["draft-cavage-http-signatures-12", "rfc9421"] as const;
type Spec = (typeof SPECS)[number];
type SigningKey = { keyId: URL; privateKey: CryptoKey };

let fleet: Fleet;
let peer: FedifyPeer;
let alice: TestUser;
let aliceActor: Actor;
let peerKey: SigningKey;
let malloryKey: SigningKey;

async function api(path: string) {
  const response = await fetch(`https://${SKEIN}${path}`, { headers: { Authorization: `Bearer ${alice.token}` } });
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
}

interface Delivery {
  /** The Create's id and its Note's id. */
  activityId: string;
  noteUri: string;
  /** The activity as JSON text. */
  body: string;
}

/** A public Create(Note) by the peer mentioning alice, as JSON, with fresh ids. */
async function createActivity(label: string, actor = peer.actors.peer.uri): Promise<Delivery> {
  const noteId = peer.newId("peer", "notes");
  const note = new Note({
    id: noteId,
    attribution: actor,
    content: `<p><span class="h-card"><a href="https://${SKEIN}/@alice" class="u-url mention">@alice</a></span> ${label}</p>`,
    to: PUBLIC_COLLECTION,
    ccs: [aliceActor.id!],
    tags: [new Mention({ href: aliceActor.id!, name: `@alice@${SKEIN}` })],
    // Fedify runs on the Temporal polyfill; its typings name the standard global.
    published: Polyfill.Now.instant() as unknown as Temporal.Instant,
  });
  const create = new Create({ id: new URL(`${noteId.href}/activity`), actor, object: note, to: PUBLIC_COLLECTION, ccs: [aliceActor.id!] });
  return { activityId: create.id!.href, noteUri: noteId.href, body: JSON.stringify(await create.toJsonLd({ format: "compact" })) };
}

function unsignedRequest(path: string, body: string): Request {
  return new Request(`https://${SKEIN}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/activity+json", Accept: "application/activity+json" },
    body,
  });
}

function signed(path: string, body: string, key: SigningKey, spec: Spec, currentTime?: Polyfill.Instant): Promise<Request> {
  return signRequest(unsignedRequest(path, body), key.privateKey, key.keyId, { spec, currentTime: currentTime as unknown as Temporal.Instant | undefined });
}

/** An RFC 9421 signature over "@method", "@target-uri" and "@authority" only: the body is not covered. */
async function signedWithoutContentDigest(path: string, body: string, key: SigningKey): Promise<Request> {
  const url = `https://${SKEIN}${path}`;
  const params = `("@method" "@target-uri" "@authority");alg="rsa-v1_5-sha256";keyid="${key.keyId.href}";created=${Math.floor(Date.now() / 1000)}`;
  const base = `"@method": POST\n"@target-uri": ${url}\n"@authority": ${SKEIN}\n"@signature-params": ${params}`;
  const signature = Buffer.from(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key.privateKey, new TextEncoder().encode(base))).toString("base64");
  return new Request(url, {
    method: "POST",
    headers: { "Content-Type": "application/activity+json", "Signature-Input": `sig1=${params}`, Signature: `sig1=:${signature}:` },
    body,
  });
}

/** A signed request's headers (signature included) sent again with `body`, to `path` or the same URL. */
function replayed(request: Request, body: string, path?: string): Request {
  return new Request(path ? `https://${SKEIN}${path}` : request.url, { method: "POST", headers: request.headers, body });
}

async function send(request: Request): Promise<{ status: number; text: string }> {
  const response = await fetch(request);
  return { status: response.status, text: await response.text() };
}

/** Statuses with this URI that alice can find, and her mention notifications for it. */
async function traces(noteUri: string): Promise<{ found: number; mentions: number; public: number }> {
  const search = await api(`/api/v2/search?type=statuses&q=${encodeURIComponent(noteUri)}`);
  assert.equal(search.status, 200);
  const notifications = await api("/api/v1/notifications?types[]=mention&limit=80");
  const timeline = await api("/api/v1/timelines/public?limit=40");
  return {
    found: search.body.statuses.length,
    mentions: notifications.body.filter((n: any) => n.status?.uri === noteUri).length,
    public: timeline.body.filter((s: { uri: string }) => s.uri === noteUri).length,
  };
}

/** Delivers a properly signed activity and waits until alice sees it. */
async function deliverValid(delivery: Delivery, path = "/inbox", spec: Spec = "draft-cavage-http-signatures-12"): Promise<void> {
  const response = await send(await signed(path, delivery.body, peerKey, spec));
  assert.ok(response.status >= 200 && response.status < 300, `a valid delivery is accepted (got ${response.status}: ${response.text})`);
  await eventually(async () => (await traces(delivery.noteUri)).mentions === 1, 30_000, `${delivery.noteUri} on Skein`);
}

/**
 * Refused deliveries left nothing behind: once a valid post sent afterwards has arrived, none of
 * theirs exists; and each of them, now signed properly (same activity id), is processed.
 */
async function assertNoTrace(refused: Delivery[]): Promise<void> {
  await deliverValid(await createActivity("a valid marker sent after the refused ones"));
  for (const delivery of refused) {
    assert.deepEqual(await traces(delivery.noteUri), { found: 0, mentions: 0, public: 0 }, `${delivery.noteUri} left no trace`);
  }
  for (const delivery of refused) await deliverValid(delivery, "/users/alice/inbox", "rfc9421");
}

before(async () => {
  fleet = await startFleet([SKEIN], { firstAddress: SKEIN_ADDRESS, extraHosts: { [PEER]: PEER_ADDRESS } });
  peer = await startFedifyPeer({ host: PEER, address: PEER_ADDRESS, tls: fleet.tls, identifiers: ["peer", "mallory"] });
  alice = await signUp(fleet.servers[SKEIN], "alice");
  aliceActor = await peer.lookup(`alice@${SKEIN}`);
  peerKey = await peer.signingKey("peer");
  malloryKey = await peer.signingKey("mallory");
});

after(async () => {
  await peer?.stop();
  await fleet?.stop();
});

test("an unsigned POST is refused with 401 and leaves no trace", async () => {
  const refused: Delivery[] = [];
  for (const path of INBOXES) {
    const delivery = await createActivity(`unsigned to ${path}`);
    const response = await send(unsignedRequest(path, delivery.body));
    assert.equal(response.status, 401, `unsigned POST to ${path}: ${response.text}`);
    refused.push(delivery);
  }
  await assertNoTrace(refused);
});

test("a forged signature is refused with 401 and leaves no trace", async () => {
  const refused: Delivery[] = [];
  const expect401 = async (what: string, request: Request, delivery: Delivery) => {
    const response = await send(request);
    assert.equal(response.status, 401, `${what}: ${response.text}`);
    refused.push(delivery);
  };
  // A key pair of the forger's own, claiming to be the peer's published key.
  const stranger = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const impostor: SigningKey = { keyId: peerKey.keyId, privateKey: stranger.privateKey };

  for (const path of INBOXES) {
    for (const spec of SPECS) {
      const where = `${spec} to ${path}`;
      let d = await createActivity(`signed with a key that is not the actor's (${where})`);
      await expect401(`a key the actor never published (${where})`, await signed(path, d.body, impostor, spec), d);

      d = await createActivity(`signed by another actor (${where})`);
      await expect401(`a valid signature by mallory for the peer's activity (${where})`, await signed(path, d.body, malloryKey, spec), d);

      const original = await createActivity(`the body that was signed (${where})`);
      d = await createActivity(`a body swapped in after signing (${where})`);
      await expect401(`a body changed after signing (${where})`, replayed(await signed(path, original.body, peerKey, spec), d.body), d);

      d = await createActivity(`signed for another inbox (${where})`);
      const otherPath = INBOXES.find((p) => p !== path)!;
      await expect401(`a signature made for ${otherPath}, sent to ${path} (${spec})`, replayed(await signed(otherPath, d.body, peerKey, spec), d.body, path), d);
    }

    // RFC 9421 made by hand, as another implementation might: a valid signature over the method,
    // target and authority but not content-digest says nothing about the body, so a body swapped
    // in later would pass Fedify's check; Skein refuses such signatures (signature-policy.ts).
    const uncovered = await createActivity(`a body no signature covers (${path})`);
    await expect401(`an RFC 9421 signature without content-digest (${path})`, await signedWithoutContentDigest(path, uncovered.body, peerKey), uncovered);

    // draft-cavage: a forger who also recomputes the Digest header breaks the signature over it.
    const original = await createActivity(`the body that was signed, digest recomputed (${path})`);
    const d = await createActivity(`a body swapped in with a recomputed digest (${path})`);
    const request = await signed(path, original.body, peerKey, "draft-cavage-http-signatures-12");
    const headers = new Headers(request.headers);
    const digest = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(d.body))).toString("base64");
    headers.set("Digest", `SHA-256=${digest}`);
    await expect401(`a changed body with a matching Digest (${path})`, new Request(request.url, { method: "POST", headers, body: d.body }), d);
  }

  // The signer is the peer and the signature is valid, but the activity claims to be alice's.
  const spoof = await createActivity("posted in a local account's name", aliceActor.id!);
  const response = await send(await signed("/inbox", spoof.body, peerKey, "draft-cavage-http-signatures-12"));
  assert.equal(response.status, 401, `an activity by alice signed by the peer: ${response.text}`);
  const search = await api(`/api/v2/search?type=statuses&q=${encodeURIComponent(spoof.noteUri)}`);
  assert.deepEqual(search.body.statuses, []);

  await assertNoTrace(refused);
});

test("a replayed request, signed outside Fedify's default window of one hour, is refused with 401 and leaves no trace", async () => {
  const refused: Delivery[] = [];
  const now = Polyfill.Now.instant();
  for (const path of INBOXES) {
    for (const spec of SPECS) {
      for (const [when, time] of [["two hours ago", now.subtract({ hours: 2 })], ["in two hours", now.add({ hours: 2 })]] as const) {
        const d = await createActivity(`signed ${when} (${spec} to ${path})`);
        const request = await signed(path, d.body, peerKey, spec, time);
        if (spec === "draft-cavage-http-signatures-12") assert.equal(request.headers.get("Date"), new Date(time.epochMilliseconds).toUTCString());
        const response = await send(request);
        assert.equal(response.status, 401, `signed ${when}, ${spec} to ${path}: ${response.text}`);
        refused.push(d);
      }
    }
  }
  // Inside the window, a slow delivery still counts.
  const late = await createActivity("signed ten minutes ago");
  const response = await send(await signed("/inbox", late.body, peerKey, "draft-cavage-http-signatures-12", now.subtract({ minutes: 10 })));
  assert.ok(response.status >= 200 && response.status < 300, `signed ten minutes ago: ${response.status} ${response.text}`);
  await eventually(async () => (await traces(late.noteUri)).mentions === 1, 30_000, "the late delivery on Skein");

  await assertNoTrace(refused);
});

test("a valid signed Create delivered several times is accepted each time and creates exactly one status", async () => {
  const delivery = await createActivity("delivered more than once");
  const request = await signed("/inbox", delivery.body, peerKey, "draft-cavage-http-signatures-12");
  // The very same request twice (as a retrying sender does), then to alice's own inbox, twice at once.
  const first = await send(replayed(request, delivery.body));
  const second = await send(replayed(request, delivery.body));
  const parallel = await Promise.all([
    send(await signed("/users/alice/inbox", delivery.body, peerKey, "rfc9421")),
    send(await signed("/users/alice/inbox", delivery.body, peerKey, "draft-cavage-http-signatures-12")),
  ]);
  for (const [i, response] of [first, second, ...parallel].entries()) {
    assert.ok(response.status >= 200 && response.status < 300, `delivery ${i + 1} is accepted: ${response.status} ${response.text}`);
  }

  await eventually(async () => (await traces(delivery.noteUri)).mentions >= 1, 30_000, "the status on Skein");
  // Every copy has been handled once a later post has arrived; the count stays at one.
  await deliverValid(await createActivity("a marker after the copies"));
  await new Promise((r) => setTimeout(r, 2_000));
  assert.deepEqual(await traces(delivery.noteUri), { found: 1, mentions: 1, public: 1 });
  const account = await api(`/api/v1/accounts/lookup?acct=peer@${PEER}`);
  const statuses = await api(`/api/v1/accounts/${account.body.id}/statuses?limit=40`);
  assert.equal(statuses.body.filter((s: { uri: string }) => s.uri === delivery.noteUri).length, 1);
});
