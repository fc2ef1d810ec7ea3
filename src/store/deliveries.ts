// Data access for outgoing activities, their deliveries (one per remote inbox) and the health of
// remote hosts. The rules — when to retry, when a host counts as down — live in
// federation/delivery; these are only the queries.
import type { Kysely, Selectable } from "kysely";
import type { DB, DeliveriesTable, DeliveryHostsTable } from "../db/schema.ts";
import type { DatabaseKind } from "../db/database.ts";
import { claimDeliveries, type ClaimRequest } from "../db/dialects/delivery-claim.ts";
import { newId } from "../util/ids.ts";

export type DeliveryRow = Selectable<DeliveriesTable>;
export type DeliveryHostRow = Selectable<DeliveryHostsTable>;

export interface Inbox {
  url: string;
  host: string;
}

export interface DeliveryStats {
  ready: number;
  readyRetries: number;
  running: number;
  delayed: number;
  gaveUp: number;
  oldestReadyAgeSeconds: number | null;
  failingHosts: number;
  pausedHosts: number;
  unavailableHosts: number;
}

const BATCH = 500;

function chunks<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class DeliveryStore {
  private readonly db: Kysely<DB>;
  private readonly kind: DatabaseKind;

  constructor(db: Kysely<DB>, kind: DatabaseKind) {
    this.db = db;
    this.kind = kind;
  }

  /** Stores an activity and one delivery per inbox, in one transaction: all of them or none. */
  async enqueue(activity: { accountId: string; uri: string; body: string }, inboxes: readonly Inbox[], runAtOf: (host: string) => string): Promise<string> {
    const id = newId();
    const now = new Date().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto("outbox_activities").values({ id, account_id: activity.accountId, uri: activity.uri, body: activity.body, created_at: now }).execute();
      for (const batch of chunks(inboxes)) {
        await trx
          .insertInto("deliveries")
          .values(
            batch.map((inbox) => ({
              id: newId(),
              activity_id: id,
              inbox_url: inbox.url,
              host: inbox.host,
              lane: 0,
              run_at: runAtOf(inbox.host),
              attempts: 0,
              locked_by: null,
              locked_until: null,
              last_error: null,
              gave_up_at: null,
              created_at: now,
            })),
          )
          .execute();
      }
    });
    return id;
  }

  /** The distinct inboxes (shared where the server has one) of an account's remote followers — strings only, however many followers. */
  async followerInboxes(accountId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("follows")
      .innerJoin("accounts", "accounts.id", "follows.account_id")
      .select((eb) => eb.fn.coalesce("accounts.shared_inbox_url", "accounts.inbox_url").as("inbox"))
      .distinct()
      .where("follows.target_account_id", "=", accountId)
      .where("accounts.domain", "is not", null)
      .where("accounts.suspended_at", "is", null)
      .execute();
    return rows.map((r) => r.inbox).filter((inbox): inbox is string => inbox !== null);
  }

  claim(request: ClaimRequest): Promise<DeliveryRow[]> {
    return claimDeliveries(this.db, this.kind, request);
  }

  /** When the first delivery nobody holds is due (either lane; null: none left to try). */
  async nextDueAt(): Promise<string | null> {
    const now = new Date().toISOString();
    const first = (lane: 0 | 1) =>
      this.db
        .selectFrom("deliveries")
        .select("run_at")
        .where("lane", "=", lane)
        .where("gave_up_at", "is", null)
        .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", now)]))
        .orderBy("run_at")
        .orderBy("id")
        .limit(1);
    const row = await this.db.selectNoFrom((eb) => [first(0).as("first"), first(1).as("retry")]).executeTakeFirstOrThrow();
    const times = [row.first, row.retry].filter((t): t is string => typeof t === "string");
    return times.length === 0 ? null : times.sort()[0];
  }

  async activityBodies(ids: readonly string[]): Promise<{ id: string; account_id: string; body: string }[]> {
    const out = [];
    for (const batch of chunks(ids)) out.push(...(await this.db.selectFrom("outbox_activities").select(["id", "account_id", "body"]).where("id", "in", batch).execute()));
    return out;
  }

  async renew(ids: readonly string[], worker: string, leaseMs: number): Promise<void> {
    const until = new Date(Date.now() + leaseMs).toISOString();
    for (const batch of chunks(ids)) await this.db.updateTable("deliveries").set({ locked_until: until }).where("id", "in", batch).where("locked_by", "=", worker).execute();
  }

  async complete(ids: readonly string[]): Promise<void> {
    for (const batch of chunks(ids)) await this.db.deleteFrom("deliveries").where("id", "in", batch).execute();
  }

  /** Back into the queue at `runAt`, as a retry unless `attempted` is false (postponed without trying). */
  async reschedule(ids: readonly string[], runAt: string, error: string | null, attempted: boolean): Promise<void> {
    for (const batch of chunks(ids)) {
      await this.db
        .updateTable("deliveries")
        .set((eb) => ({
          run_at: runAt,
          locked_by: null,
          locked_until: null,
          ...(attempted ? { lane: 1, attempts: eb("attempts", "+", 1), last_error: error } : {}),
        }))
        .where("id", "in", batch)
        .execute();
    }
  }

  async giveUp(ids: readonly string[], error: string): Promise<void> {
    const now = new Date().toISOString();
    for (const batch of chunks(ids)) {
      await this.db.updateTable("deliveries").set({ gave_up_at: now, locked_by: null, locked_until: null, last_error: error }).where("id", "in", batch).execute();
    }
  }

  /** Lets go of deliveries a stopping worker holds, so others take them at once. */
  async release(ids: readonly string[]): Promise<void> {
    for (const batch of chunks(ids)) await this.db.updateTable("deliveries").set({ locked_by: null, locked_until: null }).where("id", "in", batch).execute();
  }

  /** Moves a host's waiting deliveries (not held by a worker) to `until`. */
  async postponeHost(host: string, until: string): Promise<void> {
    const now = new Date().toISOString();
    await this.db
      .updateTable("deliveries")
      .set({ run_at: until })
      .where("host", "=", host)
      .where("run_at", "<", until)
      .where("gave_up_at", "is", null)
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", now)]))
      .execute();
  }

  async giveUpHost(host: string, error: string): Promise<void> {
    const now = new Date().toISOString();
    await this.db.updateTable("deliveries").set({ gave_up_at: now, last_error: error }).where("host", "=", host).where("gave_up_at", "is", null).execute();
  }

  // ---- Hosts -------------------------------------------------------------------------------

  async host(host: string): Promise<DeliveryHostRow | undefined> {
    return this.db.selectFrom("delivery_hosts").selectAll().where("host", "=", host).executeTakeFirst();
  }

  /** Hosts that must not get deliveries now: paused until a time, or unavailable. */
  async blockedHosts(): Promise<DeliveryHostRow[]> {
    const now = new Date().toISOString();
    return this.db
      .selectFrom("delivery_hosts")
      .selectAll()
      .where((eb) => eb.or([eb("paused_until", ">", now), eb("unavailable_since", "is not", null)]))
      .execute();
  }

  async saveHost(row: DeliveryHostRow): Promise<void> {
    const { host, ...rest } = row;
    await this.db.insertInto("delivery_hosts").values(row).onConflict((oc) => oc.column("host").doUpdateSet(rest)).execute();
  }

  /** Forgets the failures of hosts that answered (or, for revival, sent us something). */
  async clearHosts(hosts: readonly string[]): Promise<void> {
    for (const batch of chunks(hosts)) await this.db.deleteFrom("delivery_hosts").where("host", "in", batch).execute();
  }

  /** Adds this process's outcome counts to the current minute's. */
  async count(outcomes: Record<string, number>, at = new Date()): Promise<void> {
    const minute = at.toISOString().slice(0, 16);
    const rows = Object.entries(outcomes).filter(([, n]) => n > 0).map(([outcome, count]) => ({ minute, outcome, count }));
    if (rows.length === 0) return;
    await this.db
      .insertInto("delivery_counts")
      .values(rows)
      .onConflict((oc) => oc.columns(["minute", "outcome"]).doUpdateSet((eb) => ({ count: eb("delivery_counts.count", "+", eb.ref("excluded.count")) })))
      .execute();
  }

  /** Outcomes over the last `minutes` whole minutes plus the current one, summed. */
  async recentCounts(minutes: number): Promise<Record<string, number>> {
    const since = new Date(Date.now() - minutes * 60_000).toISOString().slice(0, 16);
    const rows = await this.db.selectFrom("delivery_counts").select(["outcome", (eb) => eb.fn.sum<number>("count").as("n")]).where("minute", ">=", since).groupBy("outcome").execute();
    return Object.fromEntries(rows.map((r) => [r.outcome, Number(r.n)]));
  }

  // ---- Upkeep and figures ------------------------------------------------------------------

  /** Deletes activities whose deliveries are all done, and given-up deliveries older than `keepGaveUpMs`. */
  async sweep(keepGaveUpMs: number): Promise<{ activities: number; gaveUp: number }> {
    const gaveUpBefore = new Date(Date.now() - keepGaveUpMs).toISOString();
    const gaveUp = await this.db.deleteFrom("deliveries").where("gave_up_at", "<", gaveUpBefore).executeTakeFirst();
    // Only activities older than a minute: a fresh one may still be receiving its deliveries.
    const settledBefore = new Date(Date.now() - 60_000).toISOString();
    const activities = await this.db
      .deleteFrom("outbox_activities")
      .where("created_at", "<", settledBefore)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom("deliveries").select("deliveries.id").whereRef("deliveries.activity_id", "=", "outbox_activities.id"))))
      .executeTakeFirst();
    await this.db.deleteFrom("delivery_counts").where("minute", "<", new Date(Date.now() - 24 * 3600_000).toISOString().slice(0, 16)).execute();
    return { activities: Number(activities.numDeletedRows), gaveUp: Number(gaveUp.numDeletedRows) };
  }

  async stats(): Promise<DeliveryStats> {
    const now = new Date().toISOString();
    const row = await this.db
      .selectFrom("deliveries")
      .select((eb) => [
        eb.fn.sum<number>(eb.case().when("gave_up_at", "is not", null).then(1).else(0).end()).as("gave_up"),
        eb.fn.sum<number>(eb.case().when(eb.and([eb("gave_up_at", "is", null), eb("locked_until", ">", now)])).then(1).else(0).end()).as("running"),
        eb.fn.sum<number>(eb.case().when(eb.and([eb("gave_up_at", "is", null), eb("run_at", ">", now), eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)])])).then(1).else(0).end()).as("delayed"),
        eb.fn.sum<number>(eb.case().when(eb.and([eb("gave_up_at", "is", null), eb("run_at", "<=", now), eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)])])).then(1).else(0).end()).as("ready"),
        eb.fn.sum<number>(eb.case().when(eb.and([eb("lane", "=", 1), eb("gave_up_at", "is", null), eb("run_at", "<=", now), eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)])])).then(1).else(0).end()).as("ready_retries"),
        // Pending and not yet delivered: held by a worker or ready; the age a user would feel.
        eb.fn.min(eb.case().when(eb.and([eb("gave_up_at", "is", null), eb("run_at", "<=", now)])).then(eb.ref("run_at")).end()).as("oldest"),
      ])
      .executeTakeFirstOrThrow();
    const hosts = await this.db
      .selectFrom("delivery_hosts")
      .select((eb) => [
        eb.fn.countAll().as("failing"),
        eb.fn.sum<number>(eb.case().when("paused_until", ">", now).then(1).else(0).end()).as("paused"),
        eb.fn.sum<number>(eb.case().when("unavailable_since", "is not", null).then(1).else(0).end()).as("unavailable"),
      ])
      .executeTakeFirstOrThrow();
    const oldest = row.oldest as string | null;
    return {
      ready: Number(row.ready ?? 0),
      readyRetries: Number(row.ready_retries ?? 0),
      running: Number(row.running ?? 0),
      delayed: Number(row.delayed ?? 0),
      gaveUp: Number(row.gave_up ?? 0),
      oldestReadyAgeSeconds: oldest ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : null,
      failingHosts: Number(hosts.failing ?? 0),
      pausedHosts: Number(hosts.paused ?? 0),
      unavailableHosts: Number(hosts.unavailable ?? 0),
    };
  }

  /** The hosts failing most, for `./skein queue status`. */
  async failingHosts(limit: number): Promise<DeliveryHostRow[]> {
    return this.db.selectFrom("delivery_hosts").selectAll().orderBy("failure_days", "desc").orderBy("consecutive_failures", "desc").limit(limit).execute();
  }
}

