// What the simulated fleet saw during a fan-out benchmark: every delivery record, folded into
// first arrivals, duplicates, latencies and what is still missing.
import type { FleetProcess } from "./fleet/client.ts";
import type { DeliveryRecord } from "./fleet/server.ts";

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Deliveries {
  /** First accepted delivery time per `objectId domain`, and how many were accepted. */
  readonly first = new Map<string, number>();
  readonly accepted = new Map<string, number>();
  /** When the fleet first received each `objectId domain`, accepted or not: how fast the server sends. */
  readonly firstReceived = new Map<string, number>();
  private readonly expected = new Map<string, number>();
  private readonly remaining = new Set<string>();
  records = 0;
  invalidSignatures = 0;
  hung = 0;
  byStatus: Record<string, number> = {};
  readonly requestsByDomain = new Map<string, number>();
  lastAcceptedAt = 0;
  private cursor = 0;
  private readonly fleet: FleetProcess;

  /** `from`: the fleet's records before this index are someone else's (an earlier post measured apart). */
  constructor(fleet: FleetProcess, from = 0) {
    this.fleet = fleet;
    this.cursor = from;
  }

  /** Fleet records read so far (where a later measurement starts). */
  get seen(): number {
    return this.cursor;
  }

  /** Expect `objectId` at each of `domains`, posted (API response) at `postedAt`. */
  expect(objectId: string, domains: string[], postedAt: number): void {
    for (const domain of domains) {
      const key = `${objectId} ${domain}`;
      this.expected.set(key, postedAt);
      if (!this.first.has(key)) this.remaining.add(key);
    }
  }

  async poll(): Promise<number> {
    const records: DeliveryRecord[] = await this.fleet.records(this.cursor);
    this.cursor += records.length;
    for (const r of records) {
      this.records++;
      this.byStatus[r.status] = (this.byStatus[r.status] ?? 0) + 1;
      this.requestsByDomain.set(r.domain, (this.requestsByDomain.get(r.domain) ?? 0) + 1);
      if (r.signature === 0) this.invalidSignatures++;
      if (r.status === 0) this.hung++;
      const key = `${r.objectId} ${r.domain}`;
      if (!this.firstReceived.has(key)) this.firstReceived.set(key, r.receivedAt);
      if (r.status < 200 || r.status >= 300 || r.answeredAt === null) continue;
      this.accepted.set(key, (this.accepted.get(key) ?? 0) + 1);
      if (!this.first.has(key)) {
        this.first.set(key, r.answeredAt);
        this.remaining.delete(key);
      }
      this.lastAcceptedAt = Math.max(this.lastAcceptedAt, r.answeredAt);
    }
    return records.length;
  }

  get expectedCount(): number {
    return this.expected.size;
  }

  get undelivered(): number {
    return this.remaining.size;
  }

  /** Over expected deliveries: how many arrived, when the last did, latencies since the post, duplicates. */
  summary() {
    const latencies: number[] = [];
    const sent: number[] = [];
    let last = 0;
    let duplicated = 0;
    for (const [key, postedAt] of this.expected) {
      const at = this.first.get(key);
      if (at === undefined) continue;
      sent.push(this.firstReceived.get(key)! - postedAt);
      latencies.push(at - postedAt);
      last = Math.max(last, at);
      duplicated += (this.accepted.get(key) ?? 1) - 1;
    }
    latencies.sort((a, b) => a - b);
    sent.sort((a, b) => a - b);
    return { delivered: latencies.length, last, latencies, sent, duplicated };
  }

  /** Age (s) of the oldest expected delivery not yet made, at each of `times`. */
  oldestPendingAt(times: number[]): number[] {
    const pairs: [number, number][] = [];
    for (const [key, postedAt] of this.expected) pairs.push([postedAt, this.first.get(key) ?? Infinity]);
    pairs.sort((a, b) => a[0] - b[0]);
    return times.map((t) => {
      for (const [postedAt, at] of pairs) {
        if (postedAt > t) return 0;
        if (at > t) return (t - postedAt) / 1000;
      }
      return 0;
    });
  }
}

/** Polls the fleet until `done`, the deadline, or (with `stallMs`) no accepted delivery for that long. */
export async function waitFor(deliveries: Deliveries, done: () => boolean, options: { timeoutMs: number; stallMs?: number; every?: () => Promise<void> }): Promise<"done" | "timeout" | "stalled"> {
  const deadline = Date.now() + options.timeoutMs;
  let lastProgress = Date.now();
  let lastReport = Date.now();
  for (;;) {
    const before = deliveries.first.size;
    await deliveries.poll();
    if (deliveries.first.size > before) lastProgress = Date.now();
    if (done()) return "done";
    if (Date.now() > deadline) return "timeout";
    if (options.stallMs !== undefined && Date.now() - lastProgress > options.stallMs) return "stalled";
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      log(`  ${deliveries.expectedCount - deliveries.undelivered}/${deliveries.expectedCount} delivered, ${deliveries.records} requests seen`);
    }
    await options.every?.();
    await sleep(250);
  }
}
