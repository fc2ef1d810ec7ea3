// What the server's domain policy says about one host, answered from memory: the blocks and
// allows are loaded once into maps, so an inbox POST from a blocked server costs a few map
// lookups (one per label of its name), not a query — at 10,000 blocks as at 10.
//
// Every process keeps its own copy. A change made here reloads it at once; a change made by
// another process (another web process, a worker, `./skein domains block` beside a running
// server) bumps a version number in the settings table, which each process compares at most
// every 2 s (VersionWatch, domain/settings-version.ts) — so the policy is current everywhere within that time.
import type { Stores } from "../../store/stores.ts";
import type { DomainBlockRow } from "../../store/moderation/domain-blocks.ts";
import type { DomainBlockSeverity } from "../../db/schema.ts";
import { domainAndParents } from "./domain-names.ts";
import { VersionWatch } from "../settings-version.ts";

export type FederationMode = "blocklist" | "allowlist";

export interface DomainDecision {
  /** false: nothing is accepted from, fetched from or delivered to this host. */
  federates: boolean;
  /** Why it does not federate. */
  refusal: "suspended" | "not_allowed" | null;
  /** Its accounts are limited: out of public timelines and filtered notifications for non-followers. */
  silenced: boolean;
  /** Its media are neither fetched nor proxied. */
  rejectMedia: boolean;
  /** Its reports (Flag activities) are dropped. */
  rejectReports: boolean;
  /** The block that decided, if any (the most specific one covering the host). */
  block: DomainBlockRow | null;
}

const OPEN: DomainDecision = { federates: true, refusal: null, silenced: false, rejectMedia: false, rejectReports: false, block: null };

export const SEVERITY_RANK: Record<DomainBlockSeverity, number> = { noop: 0, silence: 1, suspend: 2 };

interface Snapshot {
  blocks: Map<string, DomainBlockRow>;
  allows: Set<string>;
}

export class DomainPolicy {
  private readonly stores: Stores;
  readonly mode: FederationMode;
  private readonly localDomain: string;
  private snapshot: Snapshot = { blocks: new Map(), allows: new Set() };
  private readonly watch: VersionWatch;

  constructor(stores: Stores, mode: FederationMode, localDomain: string) {
    this.stores = stores;
    this.mode = mode;
    this.localDomain = localDomain.toLowerCase().replace(/:\d+$/, "");
    this.watch = new VersionWatch(stores.settings, "domain_policy_version", () => this.load());
  }

  /** Brings this process's copy up to date if it may be stale; cheap when it is not. */
  async fresh(): Promise<this> {
    await this.watch.fresh();
    return this;
  }

  /** After a change: tells every process (through the version) and reloads this one now. */
  async changed(): Promise<void> {
    await this.watch.bump();
  }

  /** What the policy says about `host` (a name, with or without a port), from the loaded copy. */
  decide(host: string): DomainDecision {
    const names = domainAndParents(host);
    if (names[0] === this.localDomain) return OPEN;
    let block: DomainBlockRow | null = null;
    for (const name of names) {
      const found = this.snapshot.blocks.get(name);
      if (found) {
        block = found;
        break;
      }
    }
    const allowed = names.some((name) => this.snapshot.allows.has(name));
    // An explicit allow overrides a block that a subscription made (never one a moderator made).
    if (block && allowed && block.subscription_id !== null && this.mode === "blocklist") block = null;
    if (block?.severity === "suspend") return { ...OPEN, federates: false, refusal: "suspended", rejectMedia: true, rejectReports: true, block };
    if (this.mode === "allowlist" && !allowed) return { ...OPEN, federates: false, refusal: "not_allowed", rejectMedia: true, rejectReports: true, block };
    if (!block) return OPEN;
    return {
      federates: true,
      refusal: null,
      silenced: block.severity === "silence",
      rejectMedia: block.reject_media === 1,
      rejectReports: block.reject_reports === 1,
      block,
    };
  }

  /** Whether `host` federates, after making sure the copy is current. */
  async federates(host: string): Promise<boolean> {
    return (await this.fresh()).decide(host).federates;
  }

  /** How many blocks and allows are loaded (for status output and benchmarks). */
  get size(): { blocks: number; allows: number } {
    return { blocks: this.snapshot.blocks.size, allows: this.snapshot.allows.size };
  }

  private async load(): Promise<void> {
    const [blocks, allows] = await Promise.all([this.stores.domainBlocks.all(), this.stores.domainBlocks.allAllows()]);
    this.snapshot = {
      blocks: new Map(blocks.map((row) => [row.domain, row])),
      allows: new Set(allows.map((row) => row.domain)),
    };
  }
}
