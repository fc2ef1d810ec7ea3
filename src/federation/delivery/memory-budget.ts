// What the delivery engine may hold at once, derived in one place from MEMORY_TARGET (the memory
// the whole process should stay under). Under fan-out the memory went to, in order: TLS
// connections (one per remote host in flight, then idle in keep-alive: a few hundred KB each with
// their buffers, thousands at once when a post reaches thousands of servers), the sender threads
// (each a V8 isolate with its own heap, young generation and connection pools), and what a claimed
// batch holds. So a smaller target means fewer deliveries in flight, fewer and smaller sender
// threads, and idle connections closed sooner: deliveries go slower, the process does not grow.
//
// The figures below are per-item costs measured with `./skein bench fanout` (docs/PERFORMANCE.md,
// "Fan-out under a memory target"); they are deliberately rounded up.

const MB = 1024 * 1024;

/** The process before it delivers anything: federation (Fedify) loaded, the API, the database driver, with room for API requests. */
export const BASE_BYTES = 200 * MB;
/** A sender thread with nothing in flight: its isolate, its code, its own undici. */
export const THREAD_BYTES = 20 * MB;
/**
 * One delivery in flight, or its connection idling in keep-alive afterwards: the TLS socket and its
 * buffers, the request, the signature, the JavaScript objects (in a sender thread's heap). 384 KB
 * held *sustained* under 512 MB while the engine waited for database connections; with connections
 * of its own it kept its 336 deliveries in flight and peaked at 518 MB: 512 KB (252 held at 512 MB).
 */
export const CONNECTION_BYTES = 512 * 1024;
/**
 * Of what is left after the base process, the share TLS sessions kept for resumption may take
 * (net/tls-sessions.ts). A session is ~1 KB with an ECDSA certificate (0.9 KB measured against the
 * bench's fleet) and 2–3 KB with an RSA one; at 512 MB this keeps 19 MB, 7,000–17,000 hosts' worth,
 * and a post to hosts already seen then costs resumed handshakes, not full ones. At most 32 MB
 * (10,000–30,000 hosts) under larger targets.
 */
const TLS_SESSION_SHARE = 1 / 16;
const TLS_SESSION_MAX_BYTES = 32 * MB;
/** Below this the engine still works, one thread and a few dozen deliveries at a time. */
const MIN_SPARE_BYTES = 48 * MB;

export interface DeliveryLimits {
  /** The target these limits were derived from (bytes). */
  targetBytes: number;
  /** Sender threads (0: sign and send on the main thread). */
  threads: number;
  /** V8 old-generation cap of each sender thread (resourceLimits.maxOldGenerationSizeMb). */
  threadHeapMb: number;
  /** V8 young-generation cap of each sender thread (resourceLimits.maxYoungGenerationSizeMb). */
  threadYoungMb: number;
  /** Deliveries held at once (waiting for their host or in flight). */
  concurrency: number;
  /** Deliveries claimed from the database in one query. */
  claimBatch: number;
  /** How long a connection with nothing to send stays open: idle connections ≈ deliveries/s × this. */
  keepAliveMs: number;
  /** Bytes of TLS sessions kept for resumption, all sending threads together (each keeps its share). */
  tlsSessionBytes: number;
  /** V8's --heap-growing-percent for the whole process (heapGrowingPercent; 0: V8's own). */
  heapGrowingPercent: number;
}

export interface RequestedLimits {
  /** DELIVERY_THREADS (or its default). */
  threads: number;
  /** DELIVERY_CONCURRENCY, or `./skein worker --concurrency`. */
  concurrency: number;
}

/**
 * The limits for a target: the settings asked for (DELIVERY_THREADS, DELIVERY_CONCURRENCY) are
 * ceilings, lowered when the target cannot hold them. What is left after the base process pays
 * for the sender threads (at most a fifth of it) and the TLS sessions kept (a sixteenth), then
 * for connections: as many idling in keep-alive as in flight, so deliveries in flight are half of
 * what the rest can hold.
 */
export function deliveryLimits(targetBytes: number, requested: RequestedLimits): DeliveryLimits {
  const spare = Math.max(MIN_SPARE_BYTES, targetBytes - BASE_BYTES);
  const threads = requested.threads === 0 ? 0 : Math.max(1, Math.min(requested.threads, Math.floor((spare * 0.2) / THREAD_BYTES)));
  const tlsSessionBytes = Math.min(TLS_SESSION_MAX_BYTES, Math.floor(spare * TLS_SESSION_SHARE));
  const connections = Math.floor((spare - threads * THREAD_BYTES - tlsSessionBytes) / CONNECTION_BYTES);
  const concurrency = Math.max(16, Math.min(requested.concurrency, Math.floor(connections / 2)));
  // A thread's heap holds its share of the connections' objects (busy and idle) and its own
  // isolate's: a guard against a runaway, not a reservation: V8 grows a heap only as it fills). A thread that reaches
  // it ends and its deliveries are retried, so too small a cap costs duplicates and time: 34 MB
  // did, at 5,000 hosts (docs/PERFORMANCE.md).
  const perThread = threads === 0 ? 0 : Math.ceil(concurrency / threads);
  const threadHeapMb = threads === 0 ? 0 : clamp(Math.ceil((perThread * 2 * CONNECTION_BYTES) / MB) + 32, 96, 256);
  const threadYoungMb = 8;
  const claimBatch = clamp(Math.floor(concurrency / 2), 8, 500);
  // Idle connections cost as much as busy ones; under a small target they close sooner.
  const keepAliveMs = targetBytes < 768 * MB ? 1_000 : targetBytes < 1536 * MB ? 2_000 : 4_000;
  return { targetBytes, threads, threadHeapMb, threadYoungMb, concurrency, claimBatch, keepAliveMs, tlsSessionBytes, heapGrowingPercent: heapGrowingPercent(targetBytes) };
}

/**
 * What one request being handled may hold in the main thread's heap, counted generously: its
 * parsed body, its transaction's rows, its rendered answer, and the garbage of making them, which
 * survives young-generation collections while the request waits on the database and is promoted.
 * `./skein bench fanout --workload sustained` on PostgreSQL held ~500 posting requests at once and
 * the main heap reached 300 MB reserved (85 MB live after a full collection): ~0.5 MB each.
 */
export const REQUEST_BYTES = 1 * MB;
/** Of the target, the share the client API's requests being handled may take; ActivityPub's two lanes get half as much each. */
const REQUEST_SHARE = 1 / 8;

export interface RequestLimits {
  /** Client API and web requests handled at once; the others wait, in order, unread (http/request-gate.ts). */
  api: number;
  /** Other servers' deliveries to our inboxes handled at once, a lane of their own. */
  inbox: number;
  /** Other servers' reads (actors and keys, objects, WebFinger) handled at once, a lane of their own. */
  federation: number;
}

/**
 * Requests handled at once: an eighth of the target at REQUEST_BYTES each for the API — 64 at
 * 512 MB, 128 at 1 GB, at most 256 — and half that for each of ActivityPub's lanes. Still more
 * than a database pool's connections (10): past them a request only waits, holding memory, for a
 * connection.
 */
export function requestLimits(targetBytes: number): RequestLimits {
  const api = clamp(Math.floor((targetBytes * REQUEST_SHARE) / REQUEST_BYTES), 16, 256);
  const federation = Math.max(16, Math.floor(api / 2));
  return { api, inbox: federation, federation };
}

/**
 * How far V8 lets a heap grow past what survived its last full collection before it collects
 * again (--heap-growing-percent: the limit becomes (1 + p/100) × that), for every isolate of the
 * process. V8's own factor goes up to 4× while a heap grows fast: under *sustained* fan-out the
 * main thread kept 70–90 MB live and V8 reserved 270–300 MB for it (the requests' and fan-out's
 * garbage is promoted while they wait on the database). Under a small target the heap grows by
 * half at most and is collected more often — more CPU in the collector, a bounded heap; larger
 * targets leave it to V8 (0).
 */
export function heapGrowingPercent(targetBytes: number): number {
  return targetBytes < 768 * MB ? 50 : targetBytes < 1536 * MB ? 100 : 0;
}

function clamp(n: number, low: number, high: number): number {
  return Math.max(low, Math.min(high, n));
}
