// What a server's suspension does to the data already here, Mastodon's way: when a domain
// becomes suspended (or, in allowlist mode, loses its allow — Mastodon's UnallowDomainService),
// a durable job first records the follows it cuts between local users and that server (severed
// relationships, with a notification to each user who had one), then removes the server's
// accounts and everything of theirs, PURGE_ACCOUNTS_BATCH accounts at a time.
//
// The job lives in the database queue, so a block made by `./skein domains block` beside a
// running server, or a server restarted mid-purge, loses nothing: each batch commits on its own
// and the job, taken again, carries on with the accounts that are left. Refusing the server's
// activities, deliveries and fetches is not done here — the policy in memory does that at once
// (federation/moderation-policy.ts); this removes what arrived before.
import type { Stores } from "../../store/stores.ts";
import { PURGE_ACCOUNTS_BATCH } from "../../store/moderation/account-purge.ts";
import { newId } from "../../util/ids.ts";
import type { DomainPolicy } from "./domain-policy.ts";
import type { DomainBlockService, DomainPolicyChange } from "./domain-block-service.ts";
import { SeveredRelationships } from "./severed-relationships.ts";
import type { EventBus } from "../events.ts";
import { normalizeDomain } from "./domain-names.ts";

/** The queue moderation jobs go to (run by every full server and worker). */
export const MODERATION_QUEUE = "moderation";

/** Where the jobs go: the database job queue (queue/job-queue.ts), plugged in where processes are assembled. */
export interface JobPort {
  enqueue(queue: string, payloads: readonly unknown[], options?: { orderingKey?: string | null | ((payload: unknown) => string | null) }): Promise<void>;
  hasPending(queue: string, orderingKey: string): Promise<boolean>;
}

interface PurgeDomainJob {
  kind: "purge_domain";
  domain: string;
  /** The severance event to record before the purge (its id chosen when the job was queued). */
  eventId: string;
}

export interface PurgeOutcome {
  domain: string;
  /** False when the server federates again by the time the job ran (the block was lifted). */
  purged: boolean;
  notified: number;
  accounts: number;
  statuses: number;
}

export class DomainEnforcement {
  /** Set when the process is assembled (server/context.ts); without it nothing can be queued. */
  jobs: JobPort | null = null;
  private readonly stores: Stores;
  private readonly policy: DomainPolicy;
  private readonly severed: SeveredRelationships;

  constructor(stores: Stores, policy: DomainPolicy, severed: SeveredRelationships) {
    this.stores = stores;
    this.policy = policy;
    this.severed = severed;
  }

  /** DomainBlockService listener: blocks that became suspensions queue their purges, in one insert. */
  async blocksChanged(changes: readonly DomainPolicyChange[]): Promise<void> {
    const suspended = changes.filter((change) => change.after?.severity === "suspend" && change.before?.severity !== "suspend");
    await this.queuePurges(suspended.map((change) => change.domain));
  }

  /** DomainBlockService listener: in allowlist mode, a server no longer allowed is purged too. */
  async allowRemoved(domain: string): Promise<void> {
    if (this.policy.mode !== "allowlist") return;
    await this.queuePurge(domain);
  }

  async queuePurge(domain: string): Promise<void> {
    await this.queuePurges([domain]);
  }

  async queuePurges(domains: readonly string[]): Promise<void> {
    if (domains.length === 0) return;
    if (!this.jobs) throw new Error(`No job queue in this process: the purge of ${domains[0]} was not queued`);
    const jobs: PurgeDomainJob[] = domains.map((domain) => ({ kind: "purge_domain", domain: normalizeDomain(domain), eventId: newId() }));
    // One purge of a domain at a time (a block lifted and made again queues a second one).
    await this.jobs.enqueue(MODERATION_QUEUE, jobs, { orderingKey: (job) => purgeKey((job as PurgeDomainJob).domain) });
  }

  /**
   * The safety net under the listener: a process that stopped between storing a suspension and
   * queuing its purge (or a purge job parked as dead) would leave the server's data behind.
   * This finds known domains the policy refuses that still have accounts here and no purge
   * waiting, and queues one. Run periodically by the scheduler; returns how many it queued.
   */
  async reconcile(): Promise<number> {
    if (!this.jobs) return 0;
    const policy = await this.policy.fresh();
    const refused = (await this.stores.accountLimits.knownDomains()).filter((domain) => !policy.decide(domain).federates);
    const missing: string[] = [];
    for (const domain of refused) if (!(await this.jobs.hasPending(MODERATION_QUEUE, purgeKey(domain)))) missing.push(domain);
    await this.queuePurges(missing);
    return missing.length;
  }

  /** Runs one job of MODERATION_QUEUE (malformed payloads are dropped: they would never succeed). */
  async handle(payload: unknown): Promise<PurgeOutcome | null> {
    const job = payload as Partial<PurgeDomainJob> | null;
    if (!job || job.kind !== "purge_domain" || typeof job.domain !== "string" || typeof job.eventId !== "string") return null;
    return this.purgeDomain(job.domain, job.eventId);
  }

  /**
   * Severs and purges `domain` if the policy still refuses it. Accounts on a subdomain the policy
   * lets federate (an explicit allow, in allowlist mode) are kept. Safe to run again.
   */
  async purgeDomain(domain: string, eventId: string): Promise<PurgeOutcome> {
    const outcome: PurgeOutcome = { domain, purged: false, notified: 0, accounts: 0, statuses: 0 };
    const policy = await this.policy.fresh();
    if (policy.decide(domain).federates) return outcome;
    outcome.notified = await this.severed.severDomain(eventId, "domain_block", domain);
    let after: string | null = null;
    for (;;) {
      const page = await this.stores.severedRelationships.accountsOn(domain, PURGE_ACCOUNTS_BATCH, after);
      if (page.length === 0) break;
      after = page[page.length - 1].id;
      // Checked again each batch: a block lifted mid-purge stops it.
      const current = await this.policy.fresh();
      if (current.decide(domain).federates) return outcome;
      const ids = page.filter((a) => !current.decide(a.domain ?? domain).federates).map((a) => a.id);
      const counts = await this.stores.accountPurge.purgeAccounts(ids, { deleteAccountRows: true });
      outcome.accounts += counts.accounts;
      outcome.statuses += counts.statuses;
    }
    // The event stays `purged: false`: its lists name accounts by address, so they outlive the purge.
    outcome.purged = true;
    return outcome;
  }
}

/** Adds enforcement to the assembled moderation services, subscribed to their policy changes. */
export function withEnforcement<M extends { policy: DomainPolicy; domainBlocks: DomainBlockService }>(
  stores: Stores,
  events: EventBus | null,
  moderation: M,
): M & { enforcement: DomainEnforcement; severedRelationships: SeveredRelationships } {
  const severedRelationships = new SeveredRelationships(stores, events);
  const enforcement = new DomainEnforcement(stores, moderation.policy, severedRelationships);
  moderation.domainBlocks.onChange((changes) => enforcement.blocksChanged(changes));
  moderation.domainBlocks.onAllowRemoved((domain) => enforcement.allowRemoved(domain));
  return { ...moderation, enforcement, severedRelationships };
}

function purgeKey(domain: string): string {
  return `purge:${domain}`;
}
