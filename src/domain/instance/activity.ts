// GET /api/v1/instance/activity: the last 12 weeks (this one first), each from Monday 00:00 UTC,
// with local posts, users seen and new users counted in the database — as strings, as Mastodon
// sends them. Counted at most once a minute per process: clients ask on every about page.
import type { Stores } from "../../store/stores.ts";

export const ACTIVITY_WEEKS = 12;
const TTL_MS = 60_000;
const WEEK_MS = 7 * 86_400_000;

export interface WeekActivity {
  week: string;
  statuses: string;
  logins: string;
  registrations: string;
}

/** Monday 00:00 UTC of the week `at` is in. */
export function weekStart(at: Date): Date {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000);
}

export class InstanceActivityService {
  private readonly stores: Stores;
  private cached: { at: number; weeks: WeekActivity[] } | null = null;

  constructor(stores: Stores) {
    this.stores = stores;
  }

  async weeks(now = new Date()): Promise<WeekActivity[]> {
    if (this.cached && Date.now() - this.cached.at < TTL_MS) return this.cached.weeks;
    const first = weekStart(now).getTime();
    const store = this.stores.instanceActivity;
    const weeks = await Promise.all(
      Array.from({ length: ACTIVITY_WEEKS }, async (_, i) => {
        const start = new Date(first - i * WEEK_MS);
        const end = new Date(start.getTime() + WEEK_MS);
        const [a, b] = [start.toISOString(), end.toISOString()];
        const [statuses, logins, registrations] = await Promise.all([store.localPosts(a, b), store.usersSeen(a, b), store.registrations(a, b)]);
        return { week: String(start.getTime() / 1000), statuses: String(statuses), logins: String(logins), registrations: String(registrations) };
      }),
    );
    this.cached = { at: Date.now(), weeks };
    return weeks;
  }
}
