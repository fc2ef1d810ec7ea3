// The remote-fleet simulator of `./skein bench fanout`: one process, one HTTPS server on
// 127.0.0.1 with a wildcard certificate for *.fleet.test, answering for any number of remote
// instances (d1.fleet.test, d2.fleet.test …) told apart by the Host header. Each instance has a
// shared inbox (POST /inbox; POST /users/NAME/inbox works too). Every delivery is recorded:
// domain, activity and object ids, when it arrived and was answered, the status given, and
// whether its HTTP signature verified against the sender's published key (verify.ts).
//
// Healthy instances answer 202 after a latency drawn from a log-normal distribution (default p50
// 50 ms, p99 2 s, capped). Poisoned instances (named by the driver) either accept the request and
// never answer ("hang"), answer 500 ("error"), or answer 429 with Retry-After ("throttle").
//
// Control: a plain-HTTP endpoint on another loopback port (POST /reset, GET /stats,
// GET /records?from=N). The first stdout line is {"port":…,"controlPort":…}. The process exits
// when its stdin closes, so it never outlives the benchmark that started it.
//
//   node bench/fleet/server.ts  (env: FLEET_TLS_CERT, FLEET_TLS_KEY, FLEET_PORT=0, FLEET_CONTROL_PORT=0)
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { verifyRequest } from "@fedify/fedify";
import { publishedKeys, verifyDelivery, type VerifyResult } from "./verify.ts";

export type Behaviour = "hang" | "error" | "throttle";

export interface FleetSettings {
  /** Poisoned instances by host name (no port); every other *.fleet.test host is healthy. */
  behaviours: Record<string, Behaviour>;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** No healthy answer takes longer than this. */
  latencyMaxMs: number;
  retryAfterSeconds: number;
  /** A hung request is dropped after this long, if the sender has not given up first. */
  hangMs: number;
  /** Every Nth signed delivery is also checked with Fedify's verifyRequest (0: never). */
  crossCheckEvery: number;
}

/** One request to an inbox. Times are epoch milliseconds. */
export interface DeliveryRecord {
  /** Host name of the instance, e.g. d17.fleet.test */
  domain: string;
  activityId: string | null;
  objectId: string | null;
  activityType: string | null;
  receivedAt: number;
  /** When the answer went out; null when none did (hung, or the sender hung up first). */
  answeredAt: number | null;
  /** HTTP status answered; 0 when none. */
  status: number;
  /** 1 valid, 0 invalid, -1 not checked (poisoned instances do not check). */
  signature: 1 | 0 | -1;
  spec: string | null;
  /** Why the signature was refused. */
  reason?: string;
  /** An earlier delivery of the same activity to the same instance was already accepted. */
  duplicate: boolean;
}

export const DEFAULT_SETTINGS: FleetSettings = {
  behaviours: {},
  latencyP50Ms: 50,
  latencyP99Ms: 2000,
  latencyMaxMs: 8000,
  retryAfterSeconds: 60,
  hangMs: 120_000,
  crossCheckEvery: 50,
};

let settings: FleetSettings = { ...DEFAULT_SETTINGS };
let records: DeliveryRecord[] = [];
let accepted = new Set<string>();
let crossCheck = { checked: 0, pending: 0, disagreements: 0, examples: [] as string[] };
let signedCount = 0;
let otherRequests = 0;
let awaiting = 0;
const hung = new Set<Socket>();

async function fetchDocument(url: string): Promise<unknown> {
  const response = await fetch(url, { headers: { Accept: "application/activity+json" }, signal: AbortSignal.timeout(10_000) });
  return response.ok ? response.json() : null;
}
const keys = publishedKeys(fetchDocument);

// Fedify's check, for the sample: its own key fetches, through a memo so the server is asked once.
const documents = new Map<string, Promise<unknown>>();
const fedifyDocumentLoader = async (url: string) => {
  let pending = documents.get(url);
  if (!pending) {
    pending = fetchDocument(url);
    documents.set(url, pending);
  }
  const document = await pending;
  if (!document) throw new Error(`could not fetch ${url}`);
  return { contextUrl: null, documentUrl: url, document };
};
const fedifyKeys = new Map<string, unknown>();
const fedifyKeyCache = {
  get: async (keyId: URL) => fedifyKeys.get(keyId.href) as never,
  set: async (keyId: URL, key: unknown) => void fedifyKeys.set(keyId.href, key),
};

/** A latency from the log-normal distribution with the configured median and 99th percentile. */
function latency(): number {
  const median = Math.max(0, settings.latencyP50Ms);
  if (median === 0) return 0;
  const sigma = Math.log(Math.max(settings.latencyP99Ms, median) / median) / 2.3263;
  // Box–Muller.
  const z = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
  return Math.min(settings.latencyMaxMs, median * Math.exp(sigma * z));
}

function idOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { id?: unknown }).id === "string") return (value as { id: string }).id;
  return null;
}

async function crossCheckWithFedify(url: URL, req: http.IncomingMessage, body: Buffer, ours: VerifyResult): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  crossCheck.pending++;
  const request = new Request(url.href, { method: req.method, headers, body: new Uint8Array(body) });
  let theirs = false;
  try {
    const key = await verifyRequest(request, {
      documentLoader: fedifyDocumentLoader as never,
      keyCache: fedifyKeyCache as never,
      spec: headers.has("signature-input") ? "rfc9421" : "draft-cavage-http-signatures-12",
    });
    theirs = key !== null;
  } catch {
    theirs = false;
  }
  crossCheck.checked++;
  crossCheck.pending--;
  if (theirs !== ours.ok) {
    crossCheck.disagreements++;
    if (crossCheck.examples.length < 5) crossCheck.examples.push(`${ours.spec}: fleet ${ours.ok ? "valid" : `invalid (${(ours as { reason: string }).reason})`}, Fedify ${theirs ? "valid" : "invalid"}`);
  }
}

async function handleInbox(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: Buffer): Promise<void> {
  const receivedAt = Date.now();
  const domain = url.hostname;
  let activity: Record<string, unknown> = {};
  try {
    activity = JSON.parse(body.toString("utf8"));
  } catch {
    /* recorded with null ids */
  }
  const record: DeliveryRecord = {
    domain,
    activityId: idOf(activity.id),
    objectId: idOf(activity.object),
    activityType: typeof activity.type === "string" ? activity.type : null,
    receivedAt,
    answeredAt: null,
    status: 0,
    signature: -1,
    spec: null,
    duplicate: false,
  };
  // A record is published (to /records) once it is final: answered, given up by the sender, or hung.
  awaiting++;
  const publish = () => {
    awaiting--;
    records.push(record);
  };
  const answer = (status: number, headers: Record<string, string> = {}) => {
    if (req.socket.destroyed || res.writableEnded) return publish();
    record.status = status;
    record.answeredAt = Date.now();
    if (status >= 200 && status < 300) {
      const key = `${domain} ${record.activityId}`;
      record.duplicate = accepted.has(key);
      accepted.add(key);
    }
    res.writeHead(status, { "Content-Type": "text/plain", ...headers });
    res.end();
    publish();
  };

  const behaviour = settings.behaviours[domain];
  if (behaviour === "hang") {
    hung.add(req.socket);
    req.socket.once("close", () => hung.delete(req.socket));
    setTimeout(() => req.socket.destroy(), settings.hangMs).unref();
    return publish();
  }
  if (behaviour === "error") return void setTimeout(() => answer(500), Math.min(latency(), 200));
  if (behaviour === "throttle") return void setTimeout(() => answer(429, { "Retry-After": String(settings.retryAfterSeconds) }), Math.min(latency(), 200));

  const result = await verifyDelivery({ method: req.method ?? "POST", url, headers: req.headers, body }, keys.source, receivedAt);
  let valid = result.ok;
  if (result.ok && result.owner !== null && idOf(activity.actor) !== result.owner) {
    valid = false;
    record.reason = "the key's owner is not the activity's actor";
  } else if (!result.ok) record.reason = result.reason;
  record.signature = valid ? 1 : 0;
  record.spec = result.spec;
  if (result.spec !== null && settings.crossCheckEvery > 0 && signedCount++ % settings.crossCheckEvery === 0) {
    void crossCheckWithFedify(url, req, body, result);
  }
  setTimeout(() => answer(valid ? 202 : 401), latency());
}

// Every instance is a TLS connection (a full handshake: ~0.5 ms of this process's CPU, most of
// what a delivery costs the fleet). Like nginx and most TLS stacks, the fleet issues session
// tickets (TLS 1.3, two per connection, valid 5 minutes: Node's defaults), all under one ticket
// key since one server answers for every instance; a sender that kept a host's ticket reconnects
// with a resumed handshake, without the certificate. The fleet counts both kinds.
const tls = { cert: fs.readFileSync(process.env.FLEET_TLS_CERT!), key: fs.readFileSync(process.env.FLEET_TLS_KEY!) };
let handshakes = { full: 0, resumed: 0 };
const inboxes = https.createServer({ ...tls, keepAliveTimeout: 60_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("error", () => {});
  req.on("end", () => {
    const host = (req.headers.host ?? "").toLowerCase();
    const url = new URL(req.url ?? "/", `https://${host || "invalid.fleet.test"}`);
    if (req.method === "POST" && (url.pathname === "/inbox" || /^\/users\/[^/]+\/inbox$/.test(url.pathname)) && url.hostname.endsWith(".fleet.test")) {
      handleInbox(req, res, url, Buffer.concat(chunks)).catch((error) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
      });
    } else {
      otherRequests++;
      res.writeHead(404).end();
    }
  });
});
inboxes.on("clientError", (_error, socket) => socket.destroy());
inboxes.on("secureConnection", (socket: TLSSocket) => void (socket.isSessionReused() ? handshakes.resumed++ : handshakes.full++));

function stats() {
  let answered = 0;
  let acceptedCount = 0;
  let invalid = 0;
  let duplicates = 0;
  for (const r of records) {
    if (r.answeredAt !== null) answered++;
    if (r.status >= 200 && r.status < 300) acceptedCount++;
    if (r.signature === 0) invalid++;
    if (r.duplicate) duplicates++;
  }
  return {
    records: records.length,
    answered,
    accepted: acceptedCount,
    invalid,
    duplicates,
    hung: hung.size,
    awaiting,
    otherRequests,
    keyFetches: keys.fetches(),
    crossCheck,
    tlsHandshakes: handshakes.full + handshakes.resumed,
    tlsResumed: handshakes.resumed,
  };
}

// Idle control connections stay open longer than any pause of the benchmark's (seeding a
// workload takes seconds): Node's 5 s default closed one just as the benchmark reused it.
const control = http.createServer({ keepAliveTimeout: 600_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const json = (value: unknown) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.method === "POST" && url.pathname === "/reset") {
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
      settings = { ...DEFAULT_SETTINGS, ...body };
      records = [];
      accepted = new Set();
      crossCheck = { checked: 0, pending: 0, disagreements: 0, examples: [] };
      signedCount = 0;
      otherRequests = 0;
      handshakes = { full: 0, resumed: 0 };
      keys.clear();
      documents.clear();
      fedifyKeys.clear();
      for (const socket of hung) socket.destroy();
      return json({ ok: true });
    }
    if (url.pathname === "/stats") return json(stats());
    if (url.pathname === "/records") {
      const from = Number(url.searchParams.get("from") ?? 0);
      const limit = Number(url.searchParams.get("limit") ?? 20_000);
      const page = records.slice(from, from + limit);
      return json({ from, records: page, total: records.length });
    }
    if (url.pathname === "/health") return json({ ok: true });
    res.writeHead(404).end();
  });
});

const listen = (server: http.Server | https.Server, port: number) =>
  new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });

const port = await listen(inboxes, Number(process.env.FLEET_PORT ?? 0));
const controlPort = await listen(control, Number(process.env.FLEET_CONTROL_PORT ?? 0));
process.stdout.write(JSON.stringify({ port, controlPort }) + "\n");
process.stdin.on("end", () => process.exit(0)).resume();
process.on("SIGTERM", () => process.exit(0));
