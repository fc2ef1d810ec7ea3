// Data access for timeline markers: where a user stopped reading home and notifications.
import { sql, type Kysely, type Selectable } from "kysely";
import type { DB, MarkersTable } from "../db/schema.ts";

export type MarkerRow = Selectable<MarkersTable>;
export type MarkerTimeline = MarkersTable["timeline"];

export class MarkerStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async of(accountId: string, timelines: readonly MarkerTimeline[]): Promise<MarkerRow[]> {
    if (timelines.length === 0) return [];
    return this.db.selectFrom("markers").selectAll().where("account_id", "=", accountId).where("timeline", "in", [...timelines]).execute();
  }

  async get(accountId: string, timeline: MarkerTimeline): Promise<MarkerRow | undefined> {
    return this.db.selectFrom("markers").selectAll().where("account_id", "=", accountId).where("timeline", "=", timeline).executeTakeFirst();
  }

  /** Creates the marker (version 0) or moves it, adding one to its version; returns it as stored. */
  async save(accountId: string, timeline: MarkerTimeline, lastReadId: string, now: string): Promise<MarkerRow> {
    await this.db
      .insertInto("markers")
      .values({ account_id: accountId, timeline, last_read_id: lastReadId, version: 0, updated_at: now })
      .onConflict((oc) =>
        oc.columns(["account_id", "timeline"]).doUpdateSet({
          last_read_id: lastReadId,
          version: sql<number>`${sql.ref("markers.version")} + 1`,
          updated_at: now,
        }),
      )
      .execute();
    return (await this.get(accountId, timeline))!;
  }
}
