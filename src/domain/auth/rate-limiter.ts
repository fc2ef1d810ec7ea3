// A fixed-window counter per key (an IP address, a login). It is per process: good enough to
// slow password guessing, which is what it is for; it is not a quota system.

export class RateLimiter {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly hits = new Map<string, { count: number; resetAt: number }>();
  private readonly maxKeys: number;

  constructor(options: { limit: number; windowMs: number; maxKeys?: number }) {
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Counts one attempt; returns how long to wait (ms) when over the limit, else 0. */
  hit(key: string, now = Date.now()): { retryAfterMs: number; remaining: number; resetAt: number } {
    let entry = this.hits.get(key);
    if (!entry || entry.resetAt <= now) {
      if (this.hits.size >= this.maxKeys) this.sweep(now);
      entry = { count: 0, resetAt: now + this.windowMs };
      this.hits.set(key, entry);
    }
    entry.count++;
    const over = entry.count > this.limit;
    return { retryAfterMs: over ? entry.resetAt - now : 0, remaining: Math.max(0, this.limit - entry.count), resetAt: entry.resetAt };
  }

  get max(): number {
    return this.limit;
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.hits) if (entry.resetAt <= now) this.hits.delete(key);
    // Still full of live keys: forget the oldest rather than grow without bound.
    if (this.hits.size >= this.maxKeys) {
      const drop = this.hits.size - this.maxKeys + 1;
      let i = 0;
      for (const key of this.hits.keys()) {
        if (i++ >= drop) break;
        this.hits.delete(key);
      }
    }
  }
}
