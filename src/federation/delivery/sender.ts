// What the engine hands over to send one delivery, and the sender that signs and posts it on the
// calling thread. The engine does not care where the work happens: `SenderPool` (sender-pool.ts)
// does the same on worker threads, so TLS handshakes and RSA signatures use every core and leave
// the main thread free for the API and the database.
import type { KeyObject } from "node:crypto";
import { getHeapStatistics } from "node:v8";
import { HttpSender, type ConnectionFigures, type Outcome, type SenderOptions } from "./http-sender.ts";
import { signedPostHeaders, type SigningKey } from "./http-signature.ts";

export interface Parcel {
  inbox: string;
  /** The inbox's host (as stored with the delivery): a pool sends each host to one thread. */
  host: string;
  /** The activity: its id (bodies are cached by it), its JSON body and that body's Digest header. */
  activityId: string;
  body: Uint8Array;
  digest: string;
  /** Who signs: the account's id (keys are cached by it) and its key. */
  accountId: string;
  key: SigningKey;
}

/** One thread's memory and connections (GET /metrics): a sender thread's own, or the main thread's when it sends. */
export interface ThreadFigures extends ConnectionFigures {
  thread: string;
  heapUsed: number;
  heapTotal: number;
  heapLimit: number;
}

export interface DeliverySender {
  send(parcel: Parcel): Promise<Outcome>;
  /** Each sending thread's heap and connections (running threads only). */
  figures?(): Promise<ThreadFigures[]>;
  /** Tells each sender thread to give back the pages V8 keeps pooled for its heap (memory-watch.ts, near MEMORY_TARGET). */
  releasePooledPages?(): void;
  close(): Promise<void>;
}

/** This thread's heap and the connections of its sender. */
export function threadFigures(thread: string, http: HttpSender): ThreadFigures {
  const heap = getHeapStatistics();
  return { thread, heapUsed: heap.used_heap_size, heapTotal: heap.total_heap_size, heapLimit: heap.heap_size_limit, ...http.figures() };
}

/** Signs and posts on this thread (DELIVERY_THREADS=0, and the body of every sender thread). */
export class InlineSender implements DeliverySender {
  private readonly http: HttpSender;

  constructor(options: SenderOptions) {
    this.http = new HttpSender(options);
  }

  async send(parcel: Parcel): Promise<Outcome> {
    return signAndPost(this.http, parcel.inbox, parcel.body, parcel.digest, parcel.key);
  }

  async figures(): Promise<ThreadFigures[]> {
    return [threadFigures("main", this.http)];
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

export async function signAndPost(http: HttpSender, inbox: string, body: Uint8Array, digest: string, key: SigningKey): Promise<Outcome> {
  let url: URL;
  try {
    url = new URL(inbox);
  } catch {
    return { kind: "refused", status: 0, error: `not a URL: ${inbox.slice(0, 200)}` };
  }
  const headers = await signedPostHeaders(url, digest, key);
  return http.post(url, headers, body);
}

/**
 * A map that forgets its oldest entries beyond `limit`, in the order they were added (never
 * refreshed on use). The pool and its threads both keep one: because entries leave in the order
 * they came and a thread keeps twice as many as the pool remembers sending, whatever the pool
 * believes a thread holds, it holds.
 */
export class FifoMap<K, V> {
  private readonly entries = new Map<K, V>();
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V): void {
    if (this.entries.has(key)) return;
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
  }
}

/** What the pool sends a thread: a delivery, with the body and key only the first time. */
export interface ThreadRequest {
  seq: number;
  inbox: string;
  activityId: string;
  body?: Uint8Array;
  digest?: string;
  accountId: string;
  key?: { keyId: string; privateKey: KeyObject };
}

/** …or asks for its figures. */
export interface FiguresRequest {
  seq: number;
  figures: true;
}

/** …or tells it to give back the pages V8 keeps pooled for its heap (pooled-pages.ts), if enough are; no answer. */
export interface ReleaseRequest {
  release: true;
}

export type ThreadReply = { seq: number; outcome: Outcome } | { seq: number; figures: ThreadFigures };

/** Bodies and keys a pool remembers having sent to a thread; the thread keeps twice as many. */
export const POOL_REMEMBERS = { bodies: 128, keys: 1024 };
