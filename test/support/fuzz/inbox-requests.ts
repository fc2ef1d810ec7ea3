// Requests to the federation side: activities POSTed to the shared and personal inboxes as
// application/activity+json — malformed JSON-LD (contexts inline, unloadable or nested, deep
// embedded objects, huge address lists, wrong types), unsigned or with junk HTTP signatures
// (draft-cavage and RFC 9421) whose keys name loopback URLs — and GETs of actors, collections,
// objects, WebFinger and NodeInfo with hostile parameters.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { arr, deepNode, manyNode, obj, raw, str, awkwardNumberLiterals, type JsonNode } from "./json-text.ts";
import { fuzzRequest, invalidJsonBodies, jsonBody, withQuery, type FuzzRequest, type Pair } from "./http-request.ts";
import { acctText, freeText, headerSafe, headerText, hostileString, pathSegment, urlText, type FuzzTarget } from "./values.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;
/** Contexts Fedify ships preloaded: naming them costs no fetch. (Any other URL here is a loopback one.) */
const PRELOADED = [AS, "https://w3id.org/security/v1", "https://w3id.org/security/data-integrity/v1", "https://w3id.org/security/multikey/v1", "https://www.w3.org/ns/did/v1"];

const ACTIVITY_TYPES = ["Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo", "Like", "Announce", "Block", "Move", "Add", "Remove", "Flag", "EmojiReact", "Question", "Note", "Person", "Tombstone"];

function context(target: FuzzTarget): fc.Arbitrary<JsonNode> {
  const preloaded = fc.constantFrom(...PRELOADED).map(str);
  const inline = fc
    .array(
      fc.tuple(
        fc.constantFrom("@vocab", "@base", "@language", "@version", "@protected", "@import", "type", "id", "toot", "sensitive", "__proto__", "Hashtag", "@type"),
        fc.oneof(urlText(target).map(str), hostileString(target).map(str), fc.constantFrom("true", "1.1", "null", "{}", '{"@id":"as:tag","@type":"@id"}', '{"@id":"@type"}').map(raw)),
      ),
      { maxLength: 6 },
    )
    .map(obj);
  const small = fc.oneof(preloaded, urlText(target).map(str), inline);
  return fc.oneof(
    { weight: 6, arbitrary: preloaded },
    { weight: 3, arbitrary: fc.array(small, { minLength: 1, maxLength: 4 }).map((items) => arr(str(AS), ...items)) },
    { weight: 2, arbitrary: urlText(target).map(str) },
    { weight: 2, arbitrary: inline },
    { weight: 1, arbitrary: fc.constantFrom("null", "1", "[]", "{}", '""', "true").map(raw) },
    { weight: 1, arbitrary: deepNode(small) },
    { weight: 1, arbitrary: manyNode(preloaded) },
  );
}

/** A value where an id or a link is expected: a URL, an embedded object, a list, or the wrong type. */
function reference(target: FuzzTarget, embedded: fc.Arbitrary<JsonNode>): fc.Arbitrary<JsonNode> {
  const url = urlText(target).map(str);
  return fc.oneof(
    { weight: 6, arbitrary: url },
    { weight: 2, arbitrary: embedded },
    { weight: 1, arbitrary: fc.array(url, { maxLength: 4 }).map((items) => arr(...items)) },
    { weight: 1, arbitrary: fc.constantFrom(...awkwardNumberLiterals, "null", "true", "{}", "[]").map(raw) },
    { weight: 1, arbitrary: hostileString(target).map(str) },
    { weight: 1, arbitrary: deepNode(url) },
  );
}

function addresses(target: FuzzTarget): fc.Arbitrary<JsonNode> {
  const one = fc.oneof(fc.constantFrom(PUBLIC, "as:Public", "Public", `${target.origin}/users/${target.username}`, `${target.origin}/users/${target.username}/followers`).map(str), urlText(target).map(str));
  return fc.oneof(
    { weight: 4, arbitrary: fc.array(one, { maxLength: 5 }).map((items) => arr(...items)) },
    { weight: 2, arbitrary: one },
    { weight: 1, arbitrary: manyNode(one) },
    { weight: 1, arbitrary: fc.constantFrom("null", "1", "{}").map(raw) },
  );
}

/** An object of the type the activity carries: a Note and its kin, an actor, or another activity. */
function embeddedObject(target: FuzzTarget, depth: number): fc.Arbitrary<JsonNode> {
  const text = hostileString(target).map(str);
  const leaf = urlText(target).map(str);
  const nested = depth > 0 ? embeddedObject(target, depth - 1) : leaf;
  const tag = fc.record({ type: fc.constantFrom("Mention", "Hashtag", "Emoji", "Link", "x"), href: urlText(target), name: fc.oneof(acctText(target), freeText) }).map((t) => obj([["type", str(t.type)], ["href", str(t.href)], ["name", str(t.name)]]));
  const fields: Record<string, fc.Arbitrary<JsonNode>> = {
    type: fc.oneof(fc.constantFrom("Note", "Question", "Article", "Page", "Image", "Person", "Service", "Tombstone", "Create").map(str), hostileString(target).map(str)),
    id: reference(target, nested),
    attributedTo: reference(target, nested),
    content: fc.oneof(text, fc.constantFrom("<p>hi</p>", "<script>x</script>", "<a href=\"javascript:alert(1)\">x</a>").map(str)),
    contentMap: fc.array(fc.tuple(fc.constantFrom("en", "", "__proto__", "x".repeat(300)), text), { maxLength: 3 }).map(obj),
    summary: text,
    name: text,
    inReplyTo: fc.oneof(reference(target, nested), deepNode(leaf, 3000, ["inReplyTo"])),
    to: addresses(target),
    cc: addresses(target),
    published: fc.oneof(fc.constantFrom("2024-01-01T00:00:00Z", "+275760-09-13T00:00:00.000Z", "0000-00-00", "yesterday").map(str), text),
    sensitive: fc.constantFrom("true", "false", "null", "\"yes\"", "1").map(raw),
    tag: fc.oneof(fc.array(tag, { maxLength: 4 }).map((items) => arr(...items)), manyNode(tag), tag),
    attachment: fc.array(fc.record({ type: fc.constantFrom("Document", "Image", "PropertyValue"), url: urlText(target), mediaType: fc.constantFrom("image/png", "text/html", "", "x/y") }).map((a) => obj([["type", str(a.type)], ["url", str(a.url)], ["mediaType", str(a.mediaType)]])), { maxLength: 3 }).map((items) => arr(...items)),
    oneOf: fc.oneof(manyNode(fc.constant(obj([["type", str("Note")], ["name", str("a")]]))), fc.constant(arr())),
    inbox: reference(target, leaf),
    publicKey: fc.record({ id: urlText(target), owner: urlText(target), pem: fc.constantFrom("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "", "x") }).map((k) => obj([["id", str(k.id)], ["owner", str(k.owner)], ["publicKeyPem", str(k.pem)]])),
  };
  return fc.record(fields, { requiredKeys: [] }).map((record) => obj(present(record)));
}

function activity(target: FuzzTarget): fc.Arbitrary<JsonNode> {
  const url = urlText(target).map(str);
  const fields: Record<string, fc.Arbitrary<JsonNode>> = {
    "@context": context(target),
    id: reference(target, url),
    type: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...ACTIVITY_TYPES).map(str) },
      { weight: 1, arbitrary: fc.array(fc.constantFrom(...ACTIVITY_TYPES).map(str), { maxLength: 3 }).map((items) => arr(...items)) },
      { weight: 1, arbitrary: hostileString(target).map(str) },
      { weight: 1, arbitrary: fc.constantFrom("1", "null", "{}").map(raw) },
    ),
    actor: reference(target, embeddedObject(target, 0)),
    object: fc.oneof({ weight: 5, arbitrary: reference(target, embeddedObject(target, 2)) }, { weight: 1, arbitrary: deepNode(url, 3000, ["object", "inReplyTo"]) }),
    target: reference(target, url),
    to: addresses(target),
    cc: addresses(target),
    published: hostileString(target).map(str),
    content: hostileString(target).map(str),
    signature: fc.record({ type: fc.constantFrom("RsaSignature2017", "x"), creator: urlText(target), value: freeText }).map((s) => obj([["type", str(s.type)], ["creator", str(s.creator)], ["created", str("2024-01-01T00:00:00Z")], ["signatureValue", str(s.value)]])),
    proof: fc.record({ cryptosuite: fc.constantFrom("eddsa-jcs-2022", "x"), method: urlText(target), value: freeText }).map((p) => obj([["type", str("DataIntegrityProof")], ["cryptosuite", str(p.cryptosuite)], ["verificationMethod", str(p.method)], ["proofPurpose", str("assertionMethod")], ["proofValue", str(p.value)]])),
  };
  const junk = fc.array(fc.tuple(fc.constantFrom("__proto__", "constructor", "type", "@context", "@id", "@type", "@graph", "@reverse", "@included", "x"), fc.oneof(url, hostileString(target).map(str), fc.constant(obj([["polluted", raw("true")]])))), { maxLength: 3 });
  return fc.tuple(fc.record(fields, { requiredKeys: ["type"] }), junk).map(([record, extra]) => obj([...present(record), ...extra]));
}

/** The fields fast-check chose to include. */
function present(record: Partial<Record<string, JsonNode>>): [string, JsonNode][] {
  return Object.entries(record).filter((entry): entry is [string, JsonNode] => entry[1] !== undefined);
}

const httpDate = (offsetSeconds: number) => new Date(Date.now() + offsetSeconds * 1000).toUTCString();

/** Signature headers that cannot verify: none, draft-cavage or RFC 9421, naming keys on loopback. */
function signatureHeaders(target: FuzzTarget, body: string | Buffer): fc.Arbitrary<Record<string, string>> {
  const digest = `SHA-256=${createHash("sha256").update(body).digest("base64")}`;
  const keyId = fc.oneof(
    fc.constantFrom(`${target.origin}/users/${target.username}#main-key`, `${target.origin}/users/friend#main-key`, `${target.origin}/users/nobody#main-key`),
    urlText(target).map(headerSafe),
  );
  // Within Node's 16 KiB request head: a head over it is refused (431) before anything else is tried.
  const signatureValue = fc.oneof(fc.base64String({ maxLength: 400 }), fc.constantFrom("", "!!!", "A".repeat(4_000)));
  const cavage = fc
    .record({
      keyId,
      algorithm: fc.constantFrom("rsa-sha256", "hs2019", "ed25519", "none", ""),
      headers: fc.constantFrom("(request-target) host date digest", "(request-target) host date", "", "date", "(request-target)"),
      signature: signatureValue,
      date: fc.constantFrom(0, -3600 * 24, 3600 * 24, -40, null),
      digest: fc.constantFrom(digest, "SHA-256=AAAA", "SHA-512=x", "", null),
    })
    .map((g) => {
      const headers: Record<string, string> = {
        Signature: `keyId="${g.keyId.replace(/"/g, "")}",algorithm="${g.algorithm}",headers="${g.headers}",signature="${g.signature}"`,
      };
      if (g.date !== null) headers.Date = httpDate(g.date);
      if (g.digest !== null) headers.Digest = g.digest;
      return headers;
    });
  const rfc9421 = fc.record({ keyId, signature: signatureValue, covers: fc.constantFrom('"@method" "@target-uri" "content-digest"', '"@method"', "", '"content-digest"') }).map((g) => ({
    "Signature-Input": `sig1=(${g.covers});keyid="${g.keyId.replace(/"/g, "")}";alg="rsa-v1_5-sha256";created=${Math.floor(Date.now() / 1000)}`,
    Signature: `sig1=:${g.signature}:`,
    "Content-Digest": `sha-256=:${createHash("sha256").update(body).digest("base64")}:`,
    Date: httpDate(0),
  }));
  const junk = headerText.map((h) => ({ Signature: h, Date: httpDate(0), Digest: digest }));
  return fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 4, arbitrary: cavage }, { weight: 2, arbitrary: rfc9421 }, { weight: 1, arbitrary: junk });
}

export function inboxRequests(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  const inboxPath = fc.oneof(
    { weight: 4, arbitrary: fc.constant("/inbox") },
    { weight: 3, arbitrary: fc.constantFrom(`/users/${target.username}/inbox`, "/users/friend/inbox", "/users/nobody/inbox", "/users/instance.actor/inbox") },
    { weight: 1, arbitrary: pathSegment(target, "username").map((name) => `/users/${name}/inbox`) },
  );
  const body = fc.oneof(
    { weight: 8, arbitrary: activity(target).map(jsonBody) },
    { weight: 1, arbitrary: fc.oneof(deepNode(activity(target)), manyNode(fc.constant(obj([["type", str("Create")]]))), fc.constantFrom('"x"', "1", "null", "[]", "true", "{}").map(raw)).map(jsonBody) },
    { weight: 1, arbitrary: invalidJsonBodies.map((b) => ({ body: b, note: undefined as string | undefined })) },
  );
  const contentType = fc.constantFrom(
    "application/activity+json", "application/activity+json", "application/activity+json",
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"', "application/json", "text/plain", "application/activity+json; charset=latin1", "",
  );
  return fc
    .tuple(inboxPath, body, contentType)
    .chain(([path, { body: text, note }, type]) =>
      signatureHeaders(target, text).map((signature) => {
        const headers: Record<string, string> = { ...signature };
        if (type) headers["Content-Type"] = type;
        return fuzzRequest({ method: "POST", path, headers, body: text, bodyNote: note && `${type || "(no content type)"} ${note}` });
      }),
    );
}

/** GETs of what other servers read: actors, collections, posts, WebFinger, NodeInfo. */
export function federationReads(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  const name = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(target.username, "friend", "instance.actor") }, { weight: 1, arbitrary: pathSegment(target, "username") });
  const pair = (key: string, value: fc.Arbitrary<string>) => value.map((v): Pair => ({ key, value: v }));
  const cursor = fc.array(fc.oneof(pair("cursor", hostileString(target)), pair("page", fc.constantFrom("true", "1", "-1", "1.5"))), { maxLength: 2 });
  const path = fc.oneof(
    name.map((n) => ({ path: `/users/${n}`, query: [] as Pair[] })),
    fc.tuple(name, fc.constantFrom("followers", "following", "outbox", "collections/featured", "inbox"), cursor).map(([n, c, q]) => ({ path: `/users/${n}/${c}`, query: q })),
    fc.tuple(name, pathSegment(target, "status")).map(([n, id]) => ({ path: `/users/${n}/statuses/${id}`, query: [] as Pair[] })),
    fc.array(fc.oneof(pair("resource", acctText(target)), pair("resource", urlText(target)), pair("rel", hostileString(target))), { maxLength: 3 }).map((q) => ({ path: "/.well-known/webfinger", query: q })),
    fc.constantFrom("/.well-known/nodeinfo", "/nodeinfo/2.0", "/nodeinfo/2.1", "/.well-known/host-meta").map((p) => ({ path: p, query: [] as Pair[] })),
  );
  const accept = fc.constantFrom("application/activity+json", 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"', "application/json", "text/html", "*/*", "application/jrd+json", "");
  return fc.tuple(path, accept, fc.constantFrom("GET", "GET", "GET", "HEAD")).map(([p, a, method]) => fuzzRequest({ method, path: withQuery(p.path, p.query), headers: a ? { Accept: a } : {} }));
}
