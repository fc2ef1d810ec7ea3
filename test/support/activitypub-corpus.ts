// The fixture corpus of real ActivityPub payloads (/work/shared/fixtures/activitypub, listed in
// its MANIFEST.tsv) and a harness that feeds each one through Skein's inbound path, offline:
//
//   - JSON-LD is parsed by Fedify's vocabulary with a document loader that serves only Fedify's
//     preloaded contexts, a few third-party contexts written out below, and the fixtures
//     themselves by their `id`. Anything else is refused, and a guard on `fetch` and DNS makes
//     sure nothing reaches the network even by another road.
//   - Actors go through Resolver.saveActor (fromActor + the remote-account service); posts
//     through Resolver.post with their stored author as the sender, as the inbox does;
//     activities through the inbox listeners registered by src/federation/inbox.ts, called
//     directly (signatures are bypassed here only, by not going through HTTP).
//   - NodeInfo and WebFinger documents are only parsed (Skein stores neither).
//   - What a payload presumes was exchanged before (its sender, the post a Like or Delete names,
//     the Like an Undo takes back) is stored first as a minimal stand-in, through the same
//     services, so that the activity itself has something to act on.
//
// Each fixture ends as mapped (rows changed), parsed (read, nothing to store by design), ignored
// (with the reason) or crashed (an exception escaped Skein's code).
import fs from "node:fs";
import path from "node:path";
import dns from "node:dns";
import { createHash } from "node:crypto";
import { syncBuiltinESMExports } from "node:module";
import type { LogRecord } from "@logtape/logtape";
import { createFederation, generateCryptoKeyPair, MemoryKvStore, parseNodeInfo, preloadedContexts, type Context, type InboxContext } from "@fedify/fedify";
import { Activity, Announce, Collection, CollectionPage, Create, Delete, EmojiReact, Follow, Like, Note, Object as APObject, Service, Undo, Update, isActor, type Actor } from "@fedify/vocab";
import type { Runtime } from "../../src/server/context.ts";
import type { FederationDeps, SkeinFederation } from "../../src/federation/context.ts";
import { Resolver } from "../../src/federation/resolver.ts";
import { registerInboxListeners } from "../../src/federation/inbox.ts";
import { isPostObject } from "../../src/convert/activitypub/note.ts";
import type { AccountRow } from "../../src/store/accounts.ts";
import type { StatusRow } from "../../src/store/statuses.ts";

export const FIXTURE_DIR = process.env.SKEIN_AP_FIXTURES ?? path.resolve(import.meta.dirname, "../../../shared/fixtures/activitypub");

// --- no network --------------------------------------------------------------------------

/** Every attempt to reach a non-loopback host, for the test to assert there were none. */
export const networkAttempts: string[] = [];

const isLoopback = (host: string) => host === "localhost" || host === "::1" || host === "[::1]" || /^127\./.test(host);

/** Host names looked up while offline, answered "not found" without asking a resolver. */
export const offlineLookups: string[] = [];

/**
 * Makes the process offline: `fetch` of anything but loopback (PostgreSQL may be on localhost)
 * is refused and recorded as an attempt, which the test forbids; DNS look-ups of other names are
 * answered "not found" in place (Fedify's lookupObject falls back to WebFinger, and checks that
 * a host is public by resolving it, before fetching).
 */
export function forbidNetwork(): void {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (isLoopback(url.hostname)) return realFetch(input, init);
    networkAttempts.push(`fetch ${url.href}`);
    throw new TypeError(`network access is disabled in the fixture corpus test: ${url.href}`);
  };
  const realLookup = dns.lookup;
  const realPromiseLookup = dns.promises.lookup;
  dns.lookup = ((host: string, ...rest: unknown[]) => {
    if (isLoopback(host)) return (realLookup as (...a: unknown[]) => void)(host, ...rest);
    offlineLookups.push(host);
    const callback = rest[rest.length - 1] as (error: Error) => void;
    process.nextTick(() => callback(Object.assign(new Error(`DNS is disabled in the fixture corpus test: ${host}`), { code: "ENOTFOUND" })));
  }) as typeof dns.lookup;
  dns.promises.lookup = (async (host: string, options?: unknown) => {
    if (isLoopback(host)) return realPromiseLookup(host, options as dns.LookupAllOptions);
    offlineLookups.push(host);
    throw Object.assign(new Error(`DNS is disabled in the fixture corpus test: ${host}`), { code: "ENOTFOUND" });
  }) as typeof dns.promises.lookup;
  // ES module imports of node:dns (Fedify's URL validation) see the replacements too.
  syncBuiltinESMExports();
}

// --- the corpus ----------------------------------------------------------------------------

export interface Fixture {
  file: string;
  implementation: string;
  category: string;
  /** The payload as served to Skein (see withContext). */
  json: Record<string, unknown>;
  /** What had to be added for the payload to be read as its server sends it, if anything. */
  repaired: string | null;
}

export interface Corpus {
  fixtures: Fixture[];
  /** Number of files MANIFEST.tsv lists. */
  manifestCount: number;
  /** Fixtures by their top-level `id`, for the document loader. */
  byId: Map<string, Record<string, unknown>>;
  byFile(file: string): Fixture;
}

export function corpusAvailable(): boolean {
  return fs.existsSync(path.join(FIXTURE_DIR, "MANIFEST.tsv"));
}

const JSON_LD_CATEGORIES = (category: string) => category !== "nodeinfo" && category !== "webfinger";

/**
 * Some sources keep payloads without the `@context` their server sends (test suites add it when
 * serializing), or with only their extension context. Lemmy's get the context Lemmy 0.19 sends
 * (as its create-chatmessage-0.19 fixture shows); the others get the normative ActivityStreams
 * context, which AS2 Core §2.1 says applies to a document that does not name it, and, when they
 * had none at all, the two extension terms every Mastodon-compatible server declares (Hashtag,
 * sensitive). Fedify itself assumes nothing: such a payload, really sent, parses to an empty
 * object and is ignored.
 */
const AS_CONTEXTS = ["https://www.w3.org/ns/activitystreams", "http://www.w3.org/ns/activitystreams"];
const COMMON_TERMS = { Hashtag: "as:Hashtag", sensitive: "as:sensitive" };
function withContext(json: Record<string, unknown>, fixture: { implementation: string; category: string }): { json: Record<string, unknown>; repaired: string | null } {
  if (!JSON_LD_CATEGORIES(fixture.category)) return { json, repaired: null };
  const context = json["@context"];
  const contexts = context === undefined ? [] : Array.isArray(context) ? context : [context];
  if (contexts.some((c) => typeof c === "string" && (AS_CONTEXTS.includes(c) || c === "https://join-lemmy.org/context.json" || c.endsWith("/litepub-0.1.jsonld") || c.endsWith("/litepub/context.jsonld")))) {
    return { json, repaired: null };
  }
  if (fixture.implementation === "lemmy" && contexts.length === 0) {
    return { json: { ...json, "@context": ["https://join-lemmy.org/context.json", "https://www.w3.org/ns/activitystreams"] }, repaired: "Lemmy's @context added" };
  }
  if (contexts.length === 0) return { json: { ...json, "@context": [AS_CONTEXTS[0], COMMON_TERMS] }, repaired: "ActivityStreams @context assumed (AS2 Core §2.1), with Hashtag and sensitive" };
  return { json: { ...json, "@context": [AS_CONTEXTS[0], ...contexts] }, repaired: "ActivityStreams @context assumed (AS2 Core §2.1)" };
}

export function loadCorpus(): Corpus {
  const manifest = fs.readFileSync(path.join(FIXTURE_DIR, "MANIFEST.tsv"), "utf8").split("\n").filter((line) => line.trim() !== "");
  const [header, ...rows] = manifest;
  const columns = header.split("\t");
  const col = (name: string) => columns.indexOf(name);
  const fixtures: Fixture[] = rows.map((row) => {
    const cells = row.split("\t");
    const entry = { file: cells[col("file")], implementation: cells[col("implementation")], category: cells[col("category")] };
    const raw = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, entry.file), "utf8")) as Record<string, unknown>;
    return { ...entry, ...withContext(raw, entry) };
  });
  const byId = new Map<string, Record<string, unknown>>();
  for (const f of fixtures) {
    if (typeof f.json.id === "string" && JSON_LD_CATEGORIES(f.category) && !byId.has(f.json.id)) byId.set(f.json.id, f.json);
  }
  const byFileMap = new Map(fixtures.map((f) => [f.file, f]));
  return {
    fixtures,
    manifestCount: rows.length,
    byId,
    byFile(file) {
      const f = byFileMap.get(file);
      if (!f) throw new Error(`no fixture ${file} in MANIFEST.tsv`);
      return f;
    },
  };
}

// --- the offline document loader ------------------------------------------------------------

/**
 * Pleroma's and Akkoma's LitePub context, which every instance serves at
 * /schemas/litepub-0.1.jsonld (priv/static/schemas/litepub-0.1.jsonld in Pleroma); Mobilizon
 * names the same vocabulary at litepub.social.
 */
const LITEPUB_CONTEXT = {
  "@context": [
    "https://www.w3.org/ns/activitystreams",
    "https://w3id.org/security/v1",
    "https://purl.archive.org/socialweb/webfinger",
    {
      Emoji: "toot:Emoji",
      Hashtag: "as:Hashtag",
      PropertyValue: "schema:PropertyValue",
      atomUri: "ostatus:atomUri",
      conversation: { "@id": "ostatus:conversation", "@type": "@id" },
      discoverable: "toot:discoverable",
      manuallyApprovesFollowers: "as:manuallyApprovesFollowers",
      capabilities: "litepub:capabilities",
      ostatus: "http://ostatus.org#",
      schema: "http://schema.org#",
      toot: "http://joinmastodon.org/ns#",
      fedibird: "http://fedibird.com/ns#",
      value: "schema:value",
      sensitive: "as:sensitive",
      litepub: "http://litepub.social/ns#",
      invisible: "litepub:invisible",
      directMessage: "litepub:directMessage",
      listMessage: { "@id": "litepub:listMessage", "@type": "@id" },
      quoteUrl: "as:quoteUrl",
      quoteUri: "fedibird:quoteUri",
      oauthRegistrationEndpoint: { "@id": "litepub:oauthRegistrationEndpoint", "@type": "@id" },
      EmojiReact: "litepub:EmojiReact",
      ChatMessage: "litepub:ChatMessage",
      alsoKnownAs: { "@id": "as:alsoKnownAs", "@type": "@id" },
      vcard: "http://www.w3.org/2006/vcard/ns#",
      formerRepresentations: "litepub:formerRepresentations",
      sm: "http://smithereen.software/ns#",
      nonAnonymous: "sm:nonAnonymous",
      misskey: "https://misskey-hub.net/ns#",
      isCat: "misskey:isCat",
      firefish: "https://joinfirefish.org/ns#",
      speakAsCat: "firefish:speakAsCat",
    },
  ],
};

function contextFor(url: string): unknown {
  if (url in preloadedContexts) return preloadedContexts[url];
  // The http:// spellings redirect to the https:// documents Fedify preloads.
  if (url === "http://www.w3.org/ns/activitystreams") return preloadedContexts["https://www.w3.org/ns/activitystreams"];
  if (url === "http://w3id.org/security/v1") return preloadedContexts["https://w3id.org/security/v1"];
  if (url === "https://litepub.social/litepub/context.jsonld" || new URL(url).pathname === "/schemas/litepub-0.1.jsonld") return LITEPUB_CONTEXT;
  return undefined;
}

export interface OfflineLoader {
  (url: string): Promise<{ contextUrl: null; document: unknown; documentUrl: string }>;
  /** URLs refused (not preloaded, not in the corpus), in order. */
  refused: string[];
}

export function offlineLoader(byId: ReadonlyMap<string, unknown>): OfflineLoader {
  const refused: string[] = [];
  const load = async (url: string) => {
    const href = URL.canParse(url) ? new URL(url).href : url;
    const context = URL.canParse(href) ? contextFor(href) : undefined;
    if (context !== undefined) return { contextUrl: null, document: context, documentUrl: href };
    const document = byId.get(href) ?? byId.get(url);
    if (document !== undefined) return { contextUrl: null, document: structuredClone(document), documentUrl: href };
    refused.push(href);
    throw new Error(`Not available offline: ${href}`);
  };
  return Object.assign(load, { refused });
}

// --- the harness -----------------------------------------------------------------------------

export type Result = "mapped" | "parsed" | "ignored" | "crashed";

export interface Outcome {
  file: string;
  implementation: string;
  category: string;
  /** Fedify's class for the payload (or the document kind for NodeInfo and WebFinger). */
  type: string;
  /** Whether the payload parsed (JSON-LD through Fedify, or NodeInfo / WebFinger). */
  parsedOk: boolean;
  result: Result;
  reason: string;
  error?: unknown;
}

/** Skein's log messages (category "skein") while a fixture is processed; see logSink. */
export const skeinLogs: string[] = [];

/** A LogTape sink that keeps Skein's messages, to explain why a payload was ignored. */
export function logSink(record: LogRecord): void {
  skeinLogs.push(record.message.map((part, i) => (i % 2 === 0 ? String(part) : String(part instanceof Error ? part.message : typeof part === "object" ? JSON.stringify(part) : part))).join(""));
}

type Listener = (ctx: InboxContext<void>, activity: Activity) => Promise<void>;

/** The listeners src/federation/inbox.ts registers, captured without an HTTP server. */
function captureInboxListeners(deps: FederationDeps, resolver: Resolver): (activity: Activity) => Listener | null {
  const listeners = new Map<unknown, Listener>();
  // Fedify's InboxListenerSetters: `.on(Type, listener)` records; anything else (onError…) chains.
  const setters: object = new Proxy(
    {},
    {
      get: (_target, prop) =>
        prop === "on"
          ? (type: unknown, listener: Listener) => {
              listeners.set(type, listener);
              return setters;
            }
          : () => setters,
    },
  );
  const federation = new Proxy(
    {},
    {
      get: (_target, prop) => {
        if (prop === "setInboxListeners") return () => setters;
        throw new Error(`registerInboxListeners used federation.${String(prop)}; teach the corpus harness about it`);
      },
    },
  ) as SkeinFederation;
  registerInboxListeners(federation, deps, resolver, () => {});
  // The listener for the activity's class or its nearest superclass, as Fedify dispatches.
  return (activity) => {
    for (let cls: unknown = activity.constructor; cls && cls !== Activity; cls = Object.getPrototypeOf(cls)) {
      const listener = listeners.get(cls);
      if (listener) return listener;
    }
    return listeners.get(Activity) ?? null;
  };
}

const TABLES = ["accounts", "statuses", "mentions", "status_tags", "status_edits", "follows", "follow_requests", "blocks", "favourites", "reports", "notifications", "polls"] as const;

export class CorpusHarness {
  readonly runtime: Runtime;
  readonly corpus: Corpus;
  readonly loader: OfflineLoader;
  readonly ctx: Context<void>;
  readonly resolver: Resolver;
  private readonly listenerFor: (activity: Activity) => Listener | null;

  constructor(runtime: Runtime, corpus: Corpus) {
    this.runtime = runtime;
    this.corpus = corpus;
    this.loader = offlineLoader(corpus.byId);
    // Every loader Fedify would make (plain, or signed by an actor for servers in secure mode)
    // is the offline one.
    const federation = createFederation<void>({
      kv: new MemoryKvStore(),
      documentLoaderFactory: () => this.loader,
      contextLoaderFactory: () => this.loader,
      authenticatedDocumentLoaderFactory: () => this.loader,
    });
    // The resolver signs its fetches as the instance actor: give it one, with a key.
    const keys = generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    federation
      .setActorDispatcher("/users/{identifier}", (ctx, identifier) => new Service({ id: ctx.getActorUri(identifier), preferredUsername: identifier }))
      .setKeyPairsDispatcher(async () => [await keys]);
    this.ctx = federation.createContext(new URL(runtime.config.origin), undefined);
    const deps: FederationDeps = { config: runtime.config, services: runtime.services, stores: runtime.stores };
    this.resolver = new Resolver(deps, () => this.ctx);
    this.listenerFor = captureInboxListeners(deps, this.resolver);
  }

  /** Parses a payload as Fedify does when it arrives. */
  parse(json: unknown): Promise<APObject> {
    return APObject.fromJsonLd(json, { documentLoader: this.loader, contextLoader: this.loader });
  }

  // --- stand-ins for what a real exchange would have stored before -----------------------

  /** A stored remote account for `uri` (a minimal one, as if fetched earlier). */
  async stubAccount(uri: string): Promise<AccountRow> {
    const known = await this.runtime.stores.accounts.byUri(uri);
    if (known) return known;
    const url = new URL(uri);
    const segments = (url.pathname + url.hash).split(/[/#]/).filter(Boolean);
    let username = (segments.pop() ?? "").replace(/^@/, "").replace(/[^A-Za-z0-9_]+/g, "_").slice(0, 60) || "root";
    for (let n = 2; await this.runtime.stores.accounts.byUsername(username, url.host); n++) username = `${username}_${n}`;
    const saved = await this.runtime.services.remoteAccounts.save({
      uri, username, domain: url.host, url: uri, displayName: "", note: "", fields: [], locked: false, bot: false, group: false,
      discoverable: false, indexable: false, avatarUrl: null, headerUrl: null, inboxUrl: `${url.origin}/inbox`, sharedInboxUrl: null,
      followersUrl: null, featuredUrl: null, alsoKnownAs: [], actorType: "Person", published: null,
    });
    if (!saved) throw new Error(`could not store a stand-in for ${uri}`);
    return saved;
  }

  /** A stored public status at `uri` by `author` (what a Like, Announce or Delete refers to). */
  async stubStatus(uri: string, author: AccountRow): Promise<StatusRow> {
    return (
      (await this.runtime.stores.statuses.byUri(uri)) ??
      this.runtime.services.remoteStatuses.receive({
        uri, url: null, author, content: "<p>stand-in</p>", spoilerText: "", sensitive: false, visibility: "public", language: null,
        inReplyTo: null, mentioned: [], tags: [], published: new Date(Date.now() - 60_000), updated: null,
      })
    );
  }

  private async forgetStatus(uri: string): Promise<void> {
    const status = await this.runtime.stores.statuses.byUri(uri);
    if (status) await this.runtime.services.remoteStatuses.remove(status);
  }

  /** The sender of an activity stored (a stand-in when its actor document is not at hand). */
  private async ensureSender(activity: Activity): Promise<AccountRow | null> {
    if (!activity.actorId) return null;
    return this.stubAccount(activity.actorId.href);
  }

  /** Stores what the activity refers to, as the exchange before it would have. */
  private async seedFor(activity: Activity, sender: AccountRow | null): Promise<void> {
    const stores = this.runtime.stores;
    const objectId = activity.objectId?.href ?? null;
    if (!sender || !objectId) return;
    const embedded = await (activity as Create).getObject({ documentLoader: this.loader, contextLoader: this.loader }).catch(() => null);
    const isReference = !embedded || isPostObject(embedded);
    if (activity instanceof Like || activity instanceof EmojiReact) {
      if (!this.corpus.byId.has(objectId)) await this.stubStatus(objectId, await this.stubAccount(new URL("/stand-in-author", objectId).href));
    } else if (activity instanceof Announce) {
      if (isReference && !this.corpus.byId.has(objectId)) await this.stubStatus(objectId, await this.stubAccount(new URL("/stand-in-author", objectId).href));
    } else if (activity instanceof Delete) {
      if (objectId !== sender.uri && new URL(objectId).origin === new URL(sender.uri).origin) await this.stubStatus(objectId, sender);
    } else if (activity instanceof Undo && embedded && embedded.id) {
      // What is undone must have happened: the Like or Announce the Undo names.
      const inner = embedded as Activity;
      const target = inner.objectId?.href;
      if (!target) return;
      if (inner instanceof Like || inner instanceof EmojiReact) {
        const status = await this.stubStatus(target, await this.stubAccount(new URL("/stand-in-author", target).href));
        await this.runtime.services.remoteStatuses.receiveLike(sender, status, inner.id!.href, false);
      } else if (inner instanceof Announce && !(await stores.statuses.byUri(inner.id!.href))) {
        const status = await this.stubStatus(target, await this.stubAccount(new URL("/stand-in-author", target).href));
        await this.runtime.services.remoteStatuses.receiveBoost(sender, status, inner.id!.href, new Date(), "public");
      }
    }
  }

  /** A digest of what an activity may change, to tell whether it changed anything. */
  async fingerprint(): Promise<string> {
    const db = this.runtime.database.db;
    const hash = createHash("sha256");
    for (const table of TABLES) {
      const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      hash.update(`${table}:${Number(row.n)};`);
    }
    const accounts = await db.selectFrom("accounts").select(["id", "display_name", "note", "fields", "locked", "suspended_at", "moved_to_account_id", "fetched_at"]).orderBy("id").execute();
    const statuses = await db.selectFrom("statuses").select(["id", "content", "spoiler_text", "sensitive", "edited_at", "favourites_count", "reblogs_count"]).orderBy("id").execute();
    hash.update(JSON.stringify(accounts)).update(JSON.stringify(statuses));
    return hash.digest("hex");
  }

  // --- processing -------------------------------------------------------------------------

  async process(fixture: Fixture): Promise<Outcome> {
    const base = { file: fixture.file, implementation: fixture.implementation, category: fixture.category };
    if (fixture.category === "nodeinfo") return { ...base, ...readNodeInfo(fixture.json) };
    if (fixture.category === "webfinger") return { ...base, ...readWebFinger(fixture.json) };

    let object: APObject;
    try {
      object = await this.parse(fixture.json);
    } catch (error) {
      // Fedify refuses the payload before any Skein code sees it (it would answer 400).
      return { ...base, type: String(fixture.json.type ?? "?"), parsedOk: false, result: "ignored", reason: `Fedify rejects it: ${firstLine(error)}` };
    }
    const type = typeName(object);
    const outcome = (result: Result, reason: string, error?: unknown): Outcome => ({ ...base, type, parsedOk: true, result, reason, error });
    if (!object.id && !(object instanceof Activity)) return outcome("ignored", "no id: Fedify read no ActivityStreams terms");

    if (object instanceof Collection || object instanceof CollectionPage) return outcome("parsed", "collections are read on demand, never stored");

    skeinLogs.length = 0;
    try {
      if (isActor(object)) {
        const row = await this.resolver.saveActor(object as Actor);
        if (row) return outcome("mapped", `account @${row.username}@${row.domain}`);
        return outcome("ignored", (object as Actor).preferredUsername ? "its handle is stored under another actor URI" : "actor without preferredUsername");
      }
      if (isPostObject(object)) {
        await this.forgetStatus(object.id!.href);
        const author = object.attributionId ? await this.stubAccount(object.attributionId.href) : null;
        if (!author) return outcome("ignored", "post without attributedTo");
        const row = await this.resolver.post(this.ctx, object, author);
        return row ? outcome("mapped", `status ${row.visibility}`) : outcome("ignored", this.lastLog() ?? "Resolver.post stored nothing");
      }
      if (object instanceof Activity) {
        const listener = this.listenerFor(object);
        if (!listener) return outcome("ignored", `no inbox listener for ${type}`);
        // A post another fixture stored already is forgotten, so each Create counts on its own.
        if (object instanceof Create && object.objectId) await this.forgetStatus(object.objectId.href);
        const sender = await this.ensureSender(object);
        await this.seedFor(object, sender);
        const before = await this.fingerprint();
        await listener(this.ctx as InboxContext<void>, object);
        const changed = (await this.fingerprint()) !== before;
        return changed ? outcome("mapped", `${type} handled`) : outcome("ignored", this.lastLog() ?? (await unchangedReason(object, this)));
      }
      return outcome("ignored", `${type} is not a kind of object Skein stores`);
    } catch (error) {
      return outcome("crashed", firstLine(error), error);
    }
  }

  private lastLog(): string | null {
    return skeinLogs.length ? skeinLogs[skeinLogs.length - 1] : null;
  }
}

/** Why a handled activity changed nothing, in words (a guess from its shape). */
async function unchangedReason(activity: Activity, harness: CorpusHarness): Promise<string> {
  const local = (id: URL | null) => !!id && id.origin === new URL(harness.runtime.config.origin).origin;
  const inner = await (activity as Create).getObject({ documentLoader: harness.loader, contextLoader: harness.loader }).catch(() => null);
  if (inner instanceof Note && inner.name && inner.contents.length === 0 && inner.replyTargetId) return "a vote in a poll (a Note with only a name), not a post";
  if (activity instanceof Create || activity instanceof Update || activity instanceof Announce) {
    if (inner && !isPostObject(inner) && !isActor(inner)) return `${activity.constructor.name} of ${typeName(inner)}, which is not a post Skein stores`;
    if (activity instanceof Update && inner && isActor(inner)) return "Update of an actor by another actor (only an actor may update itself)";
    if (!inner) return `${activity.constructor.name} of an object not available offline`;
  }
  if (activity instanceof Undo && inner instanceof Follow) return "Undo of a Follow of an account that is not local";
  if (!local(activity.objectId) && ["Follow", "Block", "Accept", "Reject", "Flag", "Undo", "Move"].includes(activity.constructor.name)) {
    return `${activity.constructor.name} about accounts that are not local`;
  }
  return `${activity.constructor.name}: the handler made no change`;
}

function typeName(object: APObject): string {
  const name = object.constructor.name.replace(/\$\d+$/, "");
  return name === "Object" ? "Object (untyped to Fedify)" : name;
}

function firstLine(error: unknown): string {
  const details = (error as { details?: { code?: string; url?: string } }).details;
  if (details?.code === "loading remote context failed") return `its @context ${details.url} is not available offline`;
  return String(error instanceof Error ? `${error.name}: ${error.message}` : error).split("\n")[0].slice(0, 200);
}

function readNodeInfo(json: Record<string, unknown>): Omit<Outcome, "file" | "implementation" | "category"> {
  if (Array.isArray(json.links)) {
    const ok = json.links.some((l) => typeof (l as { rel?: unknown }).rel === "string" && String((l as { rel: string }).rel).startsWith("http://nodeinfo.diaspora.software/ns/schema/"));
    return ok
      ? { type: "NodeInfo links", parsedOk: true, result: "parsed", reason: "well-known NodeInfo links" }
      : { type: "NodeInfo links", parsedOk: false, result: "ignored", reason: "no NodeInfo schema link" };
  }
  const info = parseNodeInfo(json, { tryBestEffort: true });
  return info
    ? { type: "NodeInfo", parsedOk: true, result: "parsed", reason: `NodeInfo of ${info.software.name}` }
    : { type: "NodeInfo", parsedOk: false, result: "ignored", reason: "not a NodeInfo document" };
}

function readWebFinger(json: Record<string, unknown>): Omit<Outcome, "file" | "implementation" | "category"> {
  const links = Array.isArray(json.links) ? (json.links as { rel?: unknown; type?: unknown; href?: unknown }[]) : [];
  if (typeof json.subject !== "string") return { type: "JRD", parsedOk: false, result: "ignored", reason: "WebFinger without subject" };
  // What Fedify's lookupObject follows from an acct: handle.
  const self = links.find((l) => l.rel === "self" && typeof l.href === "string" && /^application\/(activity\+json|ld\+json)/.test(String(l.type ?? "")));
  return self
    ? { type: "JRD", parsedOk: true, result: "parsed", reason: "WebFinger with an ActivityPub self link" }
    : { type: "JRD", parsedOk: true, result: "parsed", reason: "WebFinger without an ActivityPub self link" };
}
