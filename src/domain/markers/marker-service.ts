// Timeline markers: the last status read in home and the last notification read, synced between
// a user's clients. Each save adds one to the marker's version.
import type { Stores } from "../../store/stores.ts";
import type { MarkerRow, MarkerTimeline } from "../../store/markers.ts";
import { nowIso } from "../../util/time.ts";

export const MARKER_TIMELINES: readonly MarkerTimeline[] = ["home", "notifications"];

export class MarkerService {
  private readonly stores: Stores;
  constructor(stores: Stores) {
    this.stores = stores;
  }

  of(accountId: string, timelines: readonly MarkerTimeline[]): Promise<MarkerRow[]> {
    return this.stores.markers.of(accountId, timelines);
  }

  /** Saves the given positions (timeline → last read id); returns the saved markers. */
  async save(accountId: string, positions: Partial<Record<MarkerTimeline, string>>): Promise<MarkerRow[]> {
    const now = nowIso();
    const saved: MarkerRow[] = [];
    for (const timeline of MARKER_TIMELINES) {
      const lastReadId = positions[timeline];
      if (lastReadId !== undefined) saved.push(await this.stores.markers.save(accountId, timeline, lastReadId, now));
    }
    return saved;
  }

  /** Where the account stopped reading notifications, if it said. */
  async lastReadNotification(accountId: string): Promise<string | null> {
    return (await this.stores.markers.get(accountId, "notifications"))?.last_read_id ?? null;
  }
}
