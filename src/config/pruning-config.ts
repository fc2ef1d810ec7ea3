// Remote data with limits (read by config.ts, which alone reads the environment):
//   REMOTE_POST_RETENTION  days after which remote posts no local account has a part in are
//                          removed and untied remote profiles stubbed, by a sweep in `start` and
//                          `worker` (hourly) — off when unset; `./skein prune` runs it on demand
// Tombstones of deleted remote posts live 30 days, or the retention if longer.

export interface PruningConfig {
  /** Days; null: no scheduled prune. */
  remotePostRetentionDays: number | null;
  /** How long a deleted remote post's tombstone is kept. */
  tombstoneDays: number;
  /** How often the scheduled prune runs. */
  intervalMs: number;
}

export function loadPruningConfig(env: Record<string, string | undefined>, problems: string[]): PruningConfig {
  const text = env.REMOTE_POST_RETENTION?.trim();
  let days: number | null = null;
  if (text) {
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < 1 || value > 36500) problems.push(`REMOTE_POST_RETENTION must be a whole number of days from 1 to 36500 (got "${text.slice(0, 40)}")`);
    else days = value;
  }
  return { remotePostRetentionDays: days, tombstoneDays: Math.max(30, days ?? 0), intervalMs: 3600_000 };
}
