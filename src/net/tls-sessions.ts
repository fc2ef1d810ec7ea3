// TLS sessions kept for resumption, so that reconnecting to a server that issued a session ticket
// (nginx and most TLS stacks do) costs a short handshake, without the certificate chain to parse
// and verify again. undici's connector has a session cache of its own, but it holds sessions by
// WeakRef: once a connection closes, its session lives only until the next garbage collection,
// and a sender thread posting to thousands of hosts collects garbage many times a second. Sending
// one post to 300 hosts and then another, 62 of the 300 reconnections were full handshakes with
// it; with the strong cache here, none. This one holds them, bounded in bytes (from MEMORY_TARGET:
// federation/delivery/memory-budget.ts), the least recently stored leaving first.

/** What one entry costs beyond its session's bytes: the key, the Buffer object, the map's slot. */
export const SESSION_ENTRY_OVERHEAD_BYTES = 256;

export class TlsSessionCache {
  readonly maxBytes: number;
  private readonly entries = new Map<string, Buffer>();
  private held = 0;

  constructor(maxBytes: number) {
    this.maxBytes = Math.max(0, maxBytes);
  }

  /** The session to offer when connecting to `key` (host and port), if one is kept. */
  get(key: string): Buffer | undefined {
    return this.entries.get(key);
  }

  /** Keeps the newest session a server gave for `key` (TLS 1.3 servers send two or more per connection: the last wins). */
  set(key: string, session: Buffer): void {
    this.delete(key);
    const cost = costOf(key, session);
    if (cost > this.maxBytes) return;
    this.entries.set(key, session);
    this.held += cost;
    for (const [oldest, old] of this.entries) {
      if (this.held <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.held -= costOf(oldest, old);
    }
  }

  delete(key: string): void {
    const old = this.entries.get(key);
    if (old === undefined) return;
    this.entries.delete(key);
    this.held -= costOf(key, old);
  }

  /** Sessions kept. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes they are counted at (sessions, keys and per-entry overhead). */
  get bytes(): number {
    return this.held;
  }
}

function costOf(key: string, session: Buffer): number {
  return session.length + key.length * 2 + SESSION_ENTRY_OVERHEAD_BYTES;
}
