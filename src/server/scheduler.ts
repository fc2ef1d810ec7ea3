// Periodic background work inside a server process. Each task is a sweep over the database
// (what is due is found there, not remembered in memory), so a restart or a crash loses
// nothing, and several processes may sweep at once: the tasks claim their rows themselves. A task
// may also be nudged by work this process just committed, to run soon rather than at its interval.
import { getLogger } from "@logtape/logtape";
import type { Services } from "../domain/services.ts";
import { UNATTACHED_AGE_MS } from "../domain/media/housekeeping.ts";
import type { WakeSignal } from "../queue/wake-signal.ts";

const logger = getLogger(["skein", "scheduler"]);

export interface PeriodicTask {
  name: string;
  intervalMs: number;
  /** Does one sweep; returns how many things it handled (for the log). */
  run(): Promise<number>;
  /**
   * Work queued in this process: `listen` registers the wake-up (returning how to stop) and the
   * task then runs `delayMs` later (gathering what else comes meanwhile), or right after the sweep
   * in progress. The interval remains the backstop for work queued by other processes.
   */
  nudge?: { listen(wake: () => void): () => void; delayMs: number };
}

export const SEARCH_INDEX_SWEEP = "search-index";
export const ANNOUNCEMENTS_SWEEP = "announcements";

/** How long a nudged search-index sweep gathers posts: findable about this soon, in batches under load. */
const SEARCH_INDEX_NUDGE_MS = 200;

export interface Scheduler {
  /** Stops the timers and waits for sweeps in progress. */
  stop(): Promise<void>;
}

/**
 * The sweeps a full server runs. `sweeps` carries the nudges of every process (server/context.ts):
 * where it reaches them all, the sweeps it nudges need no quick interval of their own.
 */
export function backgroundTasks(services: Services, sweeps: WakeSignal): PeriodicTask[] {
  const nudgedBy = (name: string, delayMs: number) => ({ listen: (wake: () => void) => sweeps.listen(name, wake), delayMs });
  return [
    {
      name: "poll-endings",
      intervalMs: services.config.polls.sweepIntervalSeconds * 1000,
      run: () => services.polls.announceEnded(),
    },
    {
      // Local polls' new counts, once their POLL_UPDATE_DELAY has passed (Update(Question)).
      name: "poll-updates",
      intervalMs: Math.min(services.config.polls.sweepIntervalSeconds, services.config.polls.updateDelaySeconds) * 1000,
      run: () => services.polls.distributeDueUpdates(),
    },
    {
      // Lists are due after BLOCKLIST_REFRESH_INTERVAL (daily); looking for due ones is one query.
      name: "blocklist-subscriptions",
      intervalMs: Math.min(300_000, services.config.blocklists.refreshIntervalSeconds * 1000),
      run: () => services.moderation.blocklists.refreshDue(),
    },
    {
      // The figures the admin console charts (queue depth, deliveries, storage), one row a
      // minute, a week kept: the same sweep deletes older rows (domain/instance/server-history.ts).
      name: "server-samples",
      intervalMs: 60_000,
      run: async () => ((await services.serverHistory.sample()) ? 1 : 0),
    },
    {
      // Relay subscriptions made or ended (also by `./skein relays` in another process): their Follow or Undo goes out.
      name: "relays",
      intervalMs: 10_000,
      run: () => services.relays.sendDue(),
    },
    {
      // Posts written or edited (also by other processes, or before a crash) are indexed for
      // full-text search in batches; a post nudges it (domain/search/indexer.ts).
      name: SEARCH_INDEX_SWEEP,
      // Nudged from every process where they can signal; the interval finds what a process that
      // died between its commit and its nudge left waiting (one cheap query of an empty table).
      intervalMs: sweeps.crossProcess ? 5_000 : 1000,
      run: () => services.search.indexer.indexPending(),
      nudge: nudgedBy(SEARCH_INDEX_SWEEP, SEARCH_INDEX_NUDGE_MS),
    },
    {
      // Preview cards no status shows any more (domain/cards).
      name: "preview-cards",
      intervalMs: 3600_000,
      run: () => services.cards.sweep(),
    },
    {
      // A suspension whose purge was never queued (a crash in between) or died is caught up here.
      name: "moderation-purges",
      intervalMs: 15 * 60_000,
      run: () => services.moderation.enforcement.reconcile(),
    },
    {
      // Accounts left unpaid for UNPAID_ACCOUNT_DAYS (registration fee, account mode) are removed.
      name: "unpaid-accounts",
      intervalMs: 3600_000,
      run: () => services.payments.sweepUnpaid(),
    },
    {
      // Scheduled statuses whose time has come are published (each claimed by one process).
      name: "scheduled-statuses",
      intervalMs: services.config.posting.scheduledSweepIntervalMs,
      run: () => services.scheduledStatuses.publishDue(),
    },
    {
      // Announcements published, starting or removed (also by `./skein announcements` in another
      // process) are told to streaming clients: one query of a small table. A change nudges it;
      // the interval is for announcements whose start time comes.
      name: ANNOUNCEMENTS_SWEEP,
      intervalMs: sweeps.crossProcess ? 10_000 : 2_000,
      run: () => services.announcements.announcePending(),
      nudge: nudgedBy(ANNOUNCEMENTS_SWEEP, 0),
    },
    {
      // Uploads never attached to a post go after a day, with their files (the same prune as `./skein media prune`).
      name: "unattached-media",
      intervalMs: services.config.media.pruneIntervalMs,
      run: async () => (await services.media.pruneUnattached(new Date(Date.now() - UNATTACHED_AGE_MS).toISOString())).length,
    },
    ...(services.config.pruning.remotePostRetentionDays === null
      ? []
      : [
          {
            // REMOTE_POST_RETENTION: old remote posts and profiles nobody here has a part in, expired
            // tombstones (domain/pruning/prune.ts; one prune at a time across processes, by a lease).
            name: "prune-remote-data",
            intervalMs: services.config.pruning.intervalMs,
            run: async () => {
              const days = services.config.pruning.remotePostRetentionDays!;
              const report = await services.pruning.prune({ olderThanDays: days, dryRun: false });
              return report.removed.statuses + report.removed.boosts + report.removed.accountsStubbed + report.removed.tombstonesExpired;
            },
          },
        ]),
  ];
}

/**
 * Runs every task now (catching up on what came due while stopped), then at its interval, or
 * sooner when nudged; never two sweeps of one task at once.
 */
export function startScheduler(tasks: readonly PeriodicTask[]): Scheduler {
  let stopped = false;
  const running = new Set<Promise<void>>();
  const stops: (() => void)[] = [];
  const states = tasks.map((task) => ({ task, timer: null as NodeJS.Timeout | null, dueAt: 0, sweeping: false, nudged: false }));
  type State = (typeof states)[number];

  const schedule = (state: State, delay: number) => {
    if (stopped) return;
    if (state.timer) clearTimeout(state.timer);
    state.dueAt = Date.now() + delay;
    state.timer = setTimeout(() => {
      state.timer = null;
      state.sweeping = true;
      state.nudged = false;
      const { task } = state;
      const sweep = (async () => {
        try {
          const handled = await task.run();
          if (handled > 0) logger.debug("{task} handled {count}", { task: task.name, count: handled });
        } catch (error) {
          logger.error("{task} failed: {error}", { task: task.name, error });
        }
      })();
      running.add(sweep);
      sweep.finally(() => {
        running.delete(sweep);
        state.sweeping = false;
        // Nudged while sweeping: what was queued meanwhile may have missed this sweep.
        schedule(state, state.nudged ? (state.task.nudge?.delayMs ?? 0) : task.intervalMs);
      });
    }, delay);
  };
  const nudge = (state: State) => {
    if (stopped) return;
    if (state.sweeping) state.nudged = true;
    else if (state.dueAt > Date.now() + state.task.nudge!.delayMs) schedule(state, state.task.nudge!.delayMs);
  };
  for (const state of states) {
    if (state.task.nudge) stops.push(state.task.nudge.listen(() => nudge(state)));
    schedule(state, 0);
  }

  return {
    async stop() {
      stopped = true;
      for (const stop of stops) stop();
      for (const state of states) if (state.timer) clearTimeout(state.timer);
      await Promise.allSettled([...running]);
    },
  };
}
