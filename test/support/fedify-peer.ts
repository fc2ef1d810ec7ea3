// A second ActivityPub implementation for the federation tests: a small server written directly
// with Fedify — none of Skein's code — so that what Skein sends and accepts is checked against
// someone else's reading of the protocol. Its actors (Person, with RSA and Ed25519 keys) are
// served with WebFinger over HTTPS on the peer's own test host name; it records every activity
// it receives, accepts follow requests, and sends what a test asks it to.
import https from "node:https";
import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createFederation, generateCryptoKeyPair, MemoryKvStore, type Context, type Federation, type InboxContext } from "@fedify/fedify";
import { Accept, Activity, Endpoints, Follow, Like, Note, Person, isActor, type Actor, type Object as APObject, type Recipient } from "@fedify/vocab";

export interface ReceivedActivity {
  /** The activity's type name: "Create", "Follow", "Accept"… */
  type: string;
  id: string | null;
  actor: string | null;
  /** The local identifier of the inbox it arrived in; null for the shared inbox. */
  recipient: string | null;
  activity: Activity;
  /**
   * Its object as sent: embedded (even when its id is on another server, as the Follow inside an
   * Accept is) or else fetched; null when there is none or it could not be fetched.
   */
  object: APObject | null;
  /** The activity as compact JSON-LD. */
  json: any;
}

export interface PeerActor {
  identifier: string;
  uri: URL;
  /** RSA (RSASSA-PKCS1-v1_5) first, then Ed25519. */
  keyPairs: CryptoKeyPair[];
}

export interface FedifyPeer {
  host: string;
  origin: string;
  federation: Federation<void>;
  actors: Record<string, PeerActor>;
  received: ReceivedActivity[];
  /** Notes the peer serves at their ids (https://HOST/users/NAME/notes/ID), as a real server would. */
  notes: Map<string, Note>;
  /** Likes the peer serves at their ids (https://HOST/users/NAME/likes/ID). */
  likes: Map<string, Like>;
  /**
   * WebFinger usernames → actor identifiers, for handles that are not simply an identifier: the
   * actor an entry names takes that username as its preferredUsername. Change it to make a
   * handle point to another actor (a server that re-created an account under a new URI).
   */
  handles: Map<string, string>;
  /** Identifier → the preferredUsername its actor document claims, whatever WebFinger says (an impostor's). */
  claimedUsernames: Map<string, string>;
  /** Identifier → the display name its actor document shows (default "Fedify IDENTIFIER"). */
  displayNames: Map<string, string>;
  context(): Context<void>;
  /** A remote actor by `user@domain` (WebFinger) or URI. */
  lookup(handleOrUri: string): Promise<Actor>;
  /** Signs `activity` as `from` and delivers it now to `to`'s inbox (its shared inbox when `sharedInbox`). */
  send(from: string, to: Recipient | Recipient[], activity: Activity, options?: { sharedInbox?: boolean }): Promise<void>;
  /** The public key id and private key of an actor's RSA or Ed25519 key, for hand-made signed requests. */
  signingKey(identifier: string, kind?: "rsa" | "ed25519"): Promise<{ keyId: URL; privateKey: CryptoKey }>;
  /** Replaces an actor's key pairs with new ones, as a server rotating its keys does (its actor document changes at once). */
  rotateKeys(identifier: string): Promise<void>;
  /** A fresh id under the peer's origin, e.g. https://p.test/users/peer/notes/<uuid>. */
  newId(identifier: string, kind: string): URL;
  stop(): Promise<void>;
}

export interface PeerOptions {
  host: string;
  /** Loopback address to serve HTTPS on (port 443). */
  address: string;
  /** PEM files of a certificate valid for `host` (a fleet's `tls`). */
  tls: { cert: string; key: string };
  identifiers?: string[];
  /** Answer Follow requests with Accept (default true). */
  autoAccept?: boolean;
  /**
   * Actors whose published Multikeys (assertionMethod) name another actor as their controller,
   * identifier → that actor's URI: a forger's server claiming its key is someone else's.
   */
  claimedControllers?: Record<string, URL>;
}

/**
 * An actor's RSA and Ed25519 key pairs. RSA at 2048 bits, as Mastodon and GoToSocial make them:
 * Fedify's default (4096) takes seconds of CPU per key, which the suite pays for every actor.
 */
async function peerKeyPairs(): Promise<CryptoKeyPair[]> {
  const rsa = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  return [rsa, await generateCryptoKeyPair("Ed25519")];
}

export async function startFedifyPeer(options: PeerOptions): Promise<FedifyPeer> {
  const origin = `https://${options.host}`;
  const identifiers = options.identifiers ?? ["peer"];
  const autoAccept = options.autoAccept ?? true;
  const keys = new Map<string, CryptoKeyPair[]>();
  for (const identifier of identifiers) {
    keys.set(identifier, await peerKeyPairs());
  }
  const received: ReceivedActivity[] = [];
  const notes = new Map<string, Note>();
  const handles = new Map<string, string>();
  const likes = new Map<string, Like>();
  const claimedUsernames = new Map<string, string>();
  const displayNames = new Map<string, string>();
  const usernameOf = (identifier: string) => claimedUsernames.get(identifier) ?? [...handles].find(([, id]) => id === identifier)?.[0] ?? identifier;

  const federation = createFederation<void>({
    kv: new MemoryKvStore(),
    // No queue: deliveries go out while `send` is awaited, and inbox activities are handled
    // before the response, so a test sees failures where they happen.
    origin,
    // The test federation lives on loopback addresses.
    allowPrivateAddress: true,
  });

  federation
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      if (!keys.has(identifier)) return null;
      const pairs = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: usernameOf(identifier),
        name: displayNames.get(identifier) ?? `Fedify ${identifier}`,
        summary: "A test peer built directly on Fedify.",
        url: new URL(`/@${identifier}`, origin),
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        followers: ctx.getFollowersUri(identifier),
        manuallyApprovesFollowers: false,
        discoverable: true,
        publicKey: pairs[0]?.cryptographicKey,
        assertionMethods: pairs.map((p) => {
          const claimed = options.claimedControllers?.[identifier];
          return claimed ? p.multikey.clone({ controller: claimed }) : p.multikey;
        }),
      });
    })
    .setKeyPairsDispatcher((_ctx, identifier) => keys.get(identifier) ?? [])
    .mapHandle((_ctx, username) => handles.get(username) ?? (keys.has(username) && [...handles].every(([, id]) => id !== username) ? username : null));

  federation.setFollowersDispatcher("/users/{identifier}/followers", () => ({ items: [] }));

  federation.setObjectDispatcher(Note, "/users/{identifier}/notes/{id}", (ctx, values) => {
    return notes.get(new URL(`/users/${values.identifier}/notes/${values.id}`, origin).href) ?? null;
  });
  // Likes served at their ids, as Lemmy serves its activities (a group's announced Like is checked there).
  federation.setObjectDispatcher(Like, "/users/{identifier}/likes/{id}", (ctx, values) => {
    return likes.get(new URL(`/users/${values.identifier}/likes/${values.id}`, origin).href) ?? null;
  });

  const record = async (ctx: InboxContext<void>, activity: Activity) => {
    const object = await activity.getObject({ documentLoader: ctx.documentLoader, crossOrigin: "trust" }).catch(() => null);
    received.push({
      type: activity.constructor.name,
      id: activity.id?.href ?? null,
      actor: activity.actorId?.href ?? null,
      recipient: ctx.recipient,
      activity,
      object,
      json: await activity.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader }),
    });
  };

  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .on(Follow, async (ctx, follow) => {
      await record(ctx, follow);
      if (!autoAccept || !follow.id || !follow.actorId || !follow.objectId) return;
      const target = ctx.parseUri(follow.objectId);
      if (target?.type !== "actor" || !keys.has(target.identifier)) return;
      const follower = await follow.getActor({ documentLoader: ctx.documentLoader });
      if (!follower || !isActor(follower)) return;
      await ctx.sendActivity(
        { identifier: target.identifier },
        follower,
        new Accept({ id: new URL(`#accepts/${crypto.randomUUID()}`, ctx.getActorUri(target.identifier)), actor: ctx.getActorUri(target.identifier), object: follow }),
      );
    })
    .on(Activity, async (ctx, activity) => {
      await record(ctx, activity);
    });

  const context = () => federation.createContext(new URL(origin), undefined);

  // Fedify speaks the Fetch API; node:https speaks IncomingMessage/ServerResponse.
  const handle = async (incoming: IncomingMessage, outgoing: ServerResponse) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
      }
      const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD";
      const request = new Request(new URL(incoming.url ?? "/", origin), { method: incoming.method, headers, body: hasBody ? Buffer.concat(chunks) : undefined });
      const response = await federation.fetch(request, { contextData: undefined });
      outgoing.writeHead(response.status, Object.fromEntries(response.headers.entries()));
      outgoing.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      outgoing.writeHead(500, { "Content-Type": "text/plain" });
      outgoing.end(String(error));
    }
  };
  const server = https.createServer({ cert: fs.readFileSync(options.tls.cert), key: fs.readFileSync(options.tls.key) }, (req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(443, options.address, () => resolve());
  });

  return {
    host: options.host,
    origin,
    federation,
    actors: Object.fromEntries(identifiers.map((identifier) => [identifier, { identifier, uri: context().getActorUri(identifier), keyPairs: keys.get(identifier)! }])),
    received,
    notes,
    likes,
    handles,
    claimedUsernames,
    displayNames,
    context,
    async lookup(handleOrUri) {
      const ctx = context();
      const found = await ctx.lookupObject(/^https?:/.test(handleOrUri) ? handleOrUri : `acct:${handleOrUri.replace(/^@/, "")}`);
      if (!found || !isActor(found)) throw new Error(`${handleOrUri} is not an actor`);
      return found;
    },
    async send(from, to, activity, sendOptions = {}) {
      await context().sendActivity({ identifier: from }, to, activity, { preferSharedInbox: sendOptions.sharedInbox ?? false, immediate: true });
    },
    async signingKey(identifier, kind = "rsa") {
      const pairs = await context().getActorKeyPairs(identifier);
      const pair = pairs.find((p) => (kind === "rsa" ? p.privateKey.algorithm.name === "RSASSA-PKCS1-v1_5" : p.privateKey.algorithm.name === "Ed25519"));
      if (!pair) throw new Error(`${identifier} has no ${kind} key`);
      return { keyId: pair.keyId, privateKey: pair.privateKey };
    },
    async rotateKeys(identifier) {
      keys.set(identifier, await peerKeyPairs());
    },
    newId(identifier, kind) {
      return new URL(`/users/${identifier}/${kind}/${crypto.randomUUID()}`, origin);
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
