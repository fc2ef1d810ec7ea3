// What Skein knows about remote hosts that fail. Three layers, from seconds to days:
//   - a circuit breaker per host in each process: after CIRCUIT_THRESHOLD failures in a row the
//     host is paused (its waiting deliveries move to the end of the pause, so they take no slots),
//     then one probe is let through (half-open); every further failure doubles the pause;
//   - Retry-After from 429/503 pauses the host for as long as it asks (within reason);
//   - failures on UNAVAILABLE_AFTER_DAYS separate days with no success in between mark the host
//     unavailable (Mastodon's rule): nothing more is sent to it until it sends us something.
// Pauses and day counts live in `delivery_hosts`, so every worker process sees them.
import type { DeliveryHostRow, DeliveryStore } from "../../store/deliveries.ts";

export const CIRCUIT_THRESHOLD = 5;
export const UNAVAILABLE_AFTER_DAYS = 7;
const FIRST_PAUSE_MS = 15_000;
const LONGEST_PAUSE_MS = 30 * 60_000;
const LONGEST_RETRY_AFTER_MS = 24 * 3600_000;

export const MAX_ATTEMPTS = 12;

/** 15 s, 45 s, 2¼ min … ×3 each time, at most a day, ±20 % jitter: about four days in all before giving up. */
export function retryDelayMs(attempts: number, random = Math.random): number {
  const base = Math.min(24 * 3600_000, 15_000 * 3 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + random() * 0.4));
}

export function pauseMs(consecutiveFailures: number): number {
  return Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** Math.max(0, consecutiveFailures - CIRCUIT_THRESHOLD));
}

interface Breaker {
  failures: number;
  pausedUntil: number;
  /** Half-open: one delivery is out to see whether the host is back. */
  probing: boolean;
}

export type Admission = { kind: "go" } | { kind: "wait" } | { kind: "paused"; until: number };

const day = (at: Date) => at.toISOString().slice(0, 10);

export class HostHealth {
  private readonly breakers = new Map<string, Breaker>();
  /** Hosts with a row in delivery_hosts that this process knows of; a success clears the row. */
  private recorded = new Set<string>();
  private readonly store: DeliveryStore;

  constructor(store: DeliveryStore) {
    this.store = store;
  }

  /** Learns the hosts other processes recorded as failing, and their pauses. */
  async refresh(now = Date.now()): Promise<void> {
    const rows = await this.store.failingHosts(100_000);
    this.recorded = new Set(rows.map((r) => r.host));
    for (const row of rows) {
      const until = row.paused_until ? Date.parse(row.paused_until) : 0;
      if (until > now) this.notePaused(row.host, until);
    }
  }

  /** May a delivery to `host` start now? `inFlight` is how many to it are already out. */
  admit(host: string, inFlight: number, now = Date.now()): Admission {
    const breaker = this.breakers.get(host);
    if (!breaker || breaker.failures < CIRCUIT_THRESHOLD) return { kind: "go" };
    if (breaker.pausedUntil > now) return { kind: "paused", until: breaker.pausedUntil };
    if (breaker.probing || inFlight > 0) return { kind: "wait" };
    breaker.probing = true;
    return { kind: "go" };
  }

  /** When the host's pause ends (0 if it is not paused) as this process knows it. */
  pausedUntil(host: string): number {
    return this.breakers.get(host)?.pausedUntil ?? 0;
  }

  /** Learned from other processes (the pause in the database) when deliveries were claimed. */
  notePaused(host: string, until: number): void {
    const breaker = this.breakerOf(host);
    breaker.failures = Math.max(breaker.failures, CIRCUIT_THRESHOLD);
    breaker.pausedUntil = Math.max(breaker.pausedUntil, until);
  }

  succeeded(host: string): boolean {
    this.breakers.delete(host);
    // True when the database holds failures to forget.
    return this.recorded.delete(host);
  }

  /**
   * A failed attempt (network, timeout, 5xx). Returns the pause to apply to the host's waiting
   * deliveries if the breaker opened now, and whether the host has just become unavailable.
   */
  async failed(host: string, error: string, now = new Date()): Promise<{ pausedUntil: number | null; unavailable: boolean }> {
    const breaker = this.breakerOf(host);
    breaker.failures++;
    breaker.probing = false;
    let pausedUntil: number | null = null;
    if (breaker.failures >= CIRCUIT_THRESHOLD) {
      pausedUntil = now.getTime() + pauseMs(breaker.failures);
      breaker.pausedUntil = pausedUntil;
    }
    let unavailable = false;
    await this.record(host, (r) => {
      r.consecutive_failures++;
      if (r.last_failure_day !== day(now)) r.failure_days++;
      r.last_failure_day = day(now);
      r.last_failure_at = now.toISOString();
      r.last_error = error.slice(0, 500);
      if (pausedUntil !== null) r.paused_until = new Date(pausedUntil).toISOString();
      unavailable = r.failure_days >= UNAVAILABLE_AFTER_DAYS && r.unavailable_since === null;
      if (unavailable) r.unavailable_since = now.toISOString();
    });
    return { pausedUntil, unavailable };
  }

  /** 429 / 503 with Retry-After: the host is alive and asks for a pause (at most a day). */
  async throttled(host: string, retryAfterMs: number | null, now = new Date()): Promise<number> {
    const until = now.getTime() + Math.min(LONGEST_RETRY_AFTER_MS, Math.max(1000, retryAfterMs ?? 60_000));
    const breaker = this.breakerOf(host);
    breaker.failures = Math.max(breaker.failures, CIRCUIT_THRESHOLD);
    breaker.pausedUntil = Math.max(breaker.pausedUntil, until);
    breaker.probing = false;
    await this.record(host, (r) => {
      r.paused_until = new Date(until).toISOString();
      r.last_error = "throttled (Retry-After)";
    });
    return until;
  }

  private breakerOf(host: string): Breaker {
    let breaker = this.breakers.get(host);
    if (!breaker) {
      breaker = { failures: 0, pausedUntil: 0, probing: false };
      this.breakers.set(host, breaker);
    }
    return breaker;
  }

  private async record(host: string, change: (row: DeliveryHostRow) => void): Promise<DeliveryHostRow> {
    const row = (await this.store.host(host)) ?? {
      host,
      consecutive_failures: 0,
      failure_days: 0,
      last_failure_day: null,
      last_failure_at: null,
      last_error: null,
      paused_until: null,
      unavailable_since: null,
    };
    change(row);
    await this.store.saveHost(row);
    this.recorded.add(host);
    return row;
  }
}
