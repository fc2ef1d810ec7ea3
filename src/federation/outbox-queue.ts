// Fan-outs to followers leave the request path. Posting, editing, deleting a post, a poll's new
// counts and a profile update go to every server that follows the author: building the activity
// (JSON-LD compaction, an integrity proof, a Linked Data signature for public ones, ~4 ms) and
// queueing one delivery per server (thousands of rows for a popular account) would otherwise run
// inside the API request. Here they become one durable job each on the `outbox` queue, run by
// full servers and workers (federation/index.ts); jobs about one post or one account keep their
// order (the ordering key), so a Delete never overtakes its Create. Activities to one inbox (a
// follow, a like, a block) stay inline: they are small and their order relative to the request
// matters to the other server. A fan-out that fails to queue its deliveries fails its job, which
// the queue runs again (with backoff) — never a post that silently reaches no one.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Activity } from "@fedify/vocab";
import type { JobQueue } from "../queue/job-queue.ts";
import type { AccountRow } from "../store/accounts.ts";
import type { StatusRow } from "../store/statuses.ts";
import type { FederationDeps, SkeinFederation } from "./context.ts";
import type { Fanout } from "./delivery/fanout.ts";
import { FedifyOutbox } from "./outbox.ts";
import { OUTBOX_QUEUE } from "./stack-loader.ts";

type OutboxJob =
  | { kind: "statusCreated" | "statusUpdated"; statusId: string }
  /** The row as it was: the post is gone by the time the job runs. */
  | { kind: "statusDeleted"; status: StatusRow; mentionedIds: string[] }
  | { kind: "pollUpdated"; statusId: string; remoteVoterIds: string[] }
  | { kind: "profileUpdated"; accountId: string };

export class QueuedOutbox extends FedifyOutbox {
  private readonly jobs: JobQueue;
  /** Set while a job of the `outbox` queue runs: what it sends is retried by the queue. */
  private readonly inJob = new AsyncLocalStorage<true>();

  constructor(federation: SkeinFederation, deps: FederationDeps, fanout: Fanout, jobs: JobQueue) {
    super(federation, deps, fanout);
    this.jobs = jobs;
  }

  override async statusCreated(status: StatusRow): Promise<void> {
    if (status.local) await this.queue({ kind: "statusCreated", statusId: status.id }, status.id);
  }

  override async statusUpdated(status: StatusRow): Promise<void> {
    if (status.local) await this.queue({ kind: "statusUpdated", statusId: status.id }, status.id);
  }

  override async statusDeleted(status: StatusRow, mentionedIds: string[]): Promise<void> {
    if (status.local) await this.queue({ kind: "statusDeleted", status, mentionedIds }, status.id);
  }

  override async pollUpdated(status: StatusRow, remoteVoterIds: string[]): Promise<void> {
    if (status.local) await this.queue({ kind: "pollUpdated", statusId: status.id, remoteVoterIds }, status.id);
  }

  override async profileUpdated(account: AccountRow): Promise<void> {
    if (account.domain === null) await this.queue({ kind: "profileUpdated", accountId: account.id }, account.id);
  }

  /** Runs one job of the `outbox` queue: the fan-out, with the post or profile as it is now. */
  handle(payload: unknown): Promise<void> {
    return this.inJob.run(true, () => this.fanOut(payload as OutboxJob));
  }

  protected override queueFailed(activity: Activity, error: unknown): void {
    if (this.inJob.getStore()) throw error;
    super.queueFailed(activity, error);
  }

  private async fanOut(job: OutboxJob): Promise<void> {
    const stores = this.deps.stores;
    switch (job.kind) {
      case "statusCreated":
      case "statusUpdated": {
        // Deleted meanwhile: its Delete job comes next and is all the other servers need.
        const status = await stores.statuses.byId(job.statusId);
        if (status) await (job.kind === "statusCreated" ? super.statusCreated(status) : super.statusUpdated(status));
        return;
      }
      case "statusDeleted":
        return super.statusDeleted(job.status, job.mentionedIds);
      case "pollUpdated": {
        const status = await stores.statuses.byId(job.statusId);
        if (status) await super.pollUpdated(status, job.remoteVoterIds);
        return;
      }
      case "profileUpdated": {
        const account = await stores.accounts.byId(job.accountId);
        if (account) await super.profileUpdated(account);
        return;
      }
    }
  }

  private queue(job: OutboxJob, orderingKey: string): Promise<void> {
    return this.jobs.enqueue(OUTBOX_QUEUE, [job], { orderingKey: `outbox:${orderingKey}` });
  }
}
