// Data access for severed relationships (Mastodon 4.3): the record of follows a moderation event
// cut — one event per suspension, one row per local account and remote account and direction —
// kept so each local user can see and export what they lost. Also the queries that find what a
// suspended server still has here (its accounts, the follows between it and local accounts).
import { sql, type Kysely, type Selectable } from "kysely";
import type { DB, RelationshipSeveranceEventsTable, SeveredRelationshipsTable } from "../../db/schema.ts";

export type SeveranceEventRow = Selectable<RelationshipSeveranceEventsTable>;
export type SeveredRelationshipRow = Selectable<SeveredRelationshipsTable>;

/** A follow between a local account and one on the severed server, as it will be recorded. */
export interface CrossFollow {
  local_account_id: string;
  remote_username: string;
  remote_domain: string;
  direction: "active" | "passive";
  show_reblogs: 0 | 1;
  notify: 0 | 1;
}

const CHUNK = 500;

/** `domain` and its subdomains, as a condition on an accounts.domain column (normalized names hold no LIKE wildcards). */
function onDomain(column: "accounts.domain" | "remote.domain", domain: string) {
  return sql<boolean>`(${sql.ref(column)} = ${domain} or ${sql.ref(column)} like ${`%.${domain}`})`;
}

export class SeveredRelationshipStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  eventById(id: string): Promise<SeveranceEventRow | undefined> {
    return this.db.selectFrom("relationship_severance_events").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async insertEvent(row: SeveranceEventRow): Promise<void> {
    await this.db.insertInto("relationship_severance_events").values(row).execute();
  }

  async insertRelationships(rows: readonly SeveredRelationshipRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) await this.db.insertInto("severed_relationships").values(rows.slice(i, i + CHUNK)).execute();
  }

  /** Follows both ways between local accounts and accounts of `domain` (and its subdomains). */
  async crossFollows(domain: string): Promise<CrossFollow[]> {
    const active = await this.db
      .selectFrom("follows")
      .innerJoin("accounts as local", "local.id", "follows.account_id")
      .innerJoin("accounts as remote", "remote.id", "follows.target_account_id")
      .select(["local.id as local_account_id", "remote.username as remote_username", "remote.domain as remote_domain", "follows.show_reblogs", "follows.notify"])
      .where("local.domain", "is", null)
      .where(onDomain("remote.domain", domain))
      .execute();
    const passive = await this.db
      .selectFrom("follows")
      .innerJoin("accounts as local", "local.id", "follows.target_account_id")
      .innerJoin("accounts as remote", "remote.id", "follows.account_id")
      .select(["local.id as local_account_id", "remote.username as remote_username", "remote.domain as remote_domain", "follows.show_reblogs", "follows.notify"])
      .where("local.domain", "is", null)
      .where(onDomain("remote.domain", domain))
      .execute();
    const shape = (direction: "active" | "passive") => (r: (typeof active)[number]): CrossFollow => ({
      local_account_id: r.local_account_id,
      remote_username: r.remote_username,
      remote_domain: r.remote_domain ?? domain,
      direction,
      show_reblogs: r.show_reblogs,
      notify: r.notify,
    });
    return [...active.map(shape("active")), ...passive.map(shape("passive"))];
  }

  /** Up to `limit` accounts on `domain` (and its subdomains) after id `after`, in id order: what a purge has left to do. */
  accountsOn(domain: string, limit: number, after: string | null): Promise<{ id: string; domain: string | null }[]> {
    let query = this.db.selectFrom("accounts").select(["id", "domain"]).where(onDomain("accounts.domain", domain));
    if (after !== null) query = query.where("id", ">", after);
    return query.orderBy("id").limit(limit).execute();
  }

  /** One local account's severed relationships of one event and direction, in the order they were recorded. */
  async relationshipsOf(eventId: string, localAccountId: string, direction: "active" | "passive"): Promise<SeveredRelationshipRow[]> {
    return this.db
      .selectFrom("severed_relationships")
      .selectAll()
      .where("local_account_id", "=", localAccountId)
      .where("relationship_severance_event_id", "=", eventId)
      .where("direction", "=", direction)
      .orderBy("id")
      .execute();
  }

  /** For each event, how many followers and followed accounts one local account lost in it. */
  async countsFor(localAccountId: string, eventIds: readonly string[]): Promise<Map<string, { followers: number; following: number }>> {
    const out = new Map<string, { followers: number; following: number }>();
    if (eventIds.length === 0) return out;
    const rows = await this.db
      .selectFrom("severed_relationships")
      .select(["relationship_severance_event_id as event_id", "direction", (eb) => eb.fn.countAll<string | number>().as("n")])
      .where("local_account_id", "=", localAccountId)
      .where("relationship_severance_event_id", "in", eventIds)
      .groupBy(["relationship_severance_event_id", "direction"])
      .execute();
    for (const row of rows) {
      const counts = out.get(row.event_id) ?? { followers: 0, following: 0 };
      if (row.direction === "active") counts.following = Number(row.n);
      else counts.followers = Number(row.n);
      out.set(row.event_id, counts);
    }
    return out;
  }

  eventsByIds(ids: readonly string[]): Promise<SeveranceEventRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom("relationship_severance_events").selectAll().where("id", "in", ids).execute();
  }
}
