// The prune's queries over remote accounts: a page of remote profiles not refreshed since the
// cutoff, which of them a local account has a tie to, and reducing the rest to stubs. Queries
// only; the rules are domain/pruning/'s.
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { localAccounts } from "./remote-posts.ts";

export interface StubCandidate {
  id: string;
  avatar_url: string | null;
  header_url: string | null;
}

export class RemoteAccountPruneStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /**
   * Remote accounts after `afterId` (by id) that still hold a profile (text, fields, images) and
   * neither changed nor posted since `cutoff`.
   */
  page(afterId: string, cutoff: string, limit: number): Promise<StubCandidate[]> {
    return this.db
      .selectFrom("accounts")
      .select(["id", "avatar_url", "header_url"])
      .where("domain", "is not", null)
      .where("id", ">", afterId)
      .where("updated_at", "<", cutoff)
      .where((eb) => eb.or([eb("last_status_at", "is", null), eb("last_status_at", "<", cutoff)]))
      .where((eb) => eb.or([eb("note", "!=", ""), eb("fields", "!=", "[]"), eb("avatar_url", "is not", null), eb("header_url", "is not", null)]))
      .orderBy("id")
      .limit(limit)
      .execute();
  }

  /**
   * Which of `ids` a local account is tied to: follows or follow requests either way, blocks or
   * mutes either way, reports, notifications from them, mentions of them in local posts,
   * favourites, bookmarks or boosts of their posts, private notes, endorsements, list members.
   */
  async tiedLocally(ids: readonly string[]): Promise<Set<string>> {
    const kept = new Set<string>();
    if (ids.length === 0) return kept;
    const db = this.db;
    const add = (rows: { id: string }[]) => {
      for (const r of rows) kept.add(String(r.id));
    };
    for (const table of ["follows", "follow_requests", "blocks", "mutes"] as const) {
      add(await db.selectFrom(table).select("account_id as id").where("account_id", "in", ids).where("target_account_id", "in", localAccounts(db)).execute());
      add(await db.selectFrom(table).select("target_account_id as id").where("target_account_id", "in", ids).where("account_id", "in", localAccounts(db)).execute());
    }
    add(await db.selectFrom("reports").select("target_account_id as id").where("target_account_id", "in", ids).execute());
    add(await db.selectFrom("notifications").select("from_account_id as id").where("from_account_id", "in", ids).execute());
    add(
      await db
        .selectFrom("mentions as m")
        .innerJoin("statuses as s", "s.id", "m.status_id")
        .select("m.account_id as id")
        .where("m.account_id", "in", ids)
        .where("s.local", "=", 1)
        .execute(),
    );
    for (const table of ["favourites", "bookmarks"] as const) {
      add(
        await db
          .selectFrom(`${table} as r`)
          .innerJoin("statuses as s", "s.id", "r.status_id")
          .select("s.account_id as id")
          .where("s.account_id", "in", ids)
          .where("r.account_id", "in", localAccounts(db))
          .execute(),
      );
    }
    add(
      await db
        .selectFrom("statuses as b")
        .innerJoin("statuses as s", "s.id", "b.reblog_of_id")
        .select("s.account_id as id")
        .where("s.account_id", "in", ids)
        .where("b.local", "=", 1)
        .execute(),
    );
    for (const table of ["account_notes", "account_endorsements"] as const) {
      add(await db.selectFrom(table).select("target_account_id as id").where("target_account_id", "in", ids).execute());
    }
    add(await db.selectFrom("list_accounts").select("account_id as id").where("account_id", "in", ids).execute());
    return kept;
  }

  /** Drops the profile of `ids`: text, fields, images. Identity, URI, inbox and followers URLs stay. */
  async stub(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.db.updateTable("accounts").set({ note: "", fields: "[]", avatar_url: null, header_url: null }).where("id", "in", ids).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Cache rows (both variants) made from these origin URLs. */
  async cacheRowsFor(urls: readonly string[]): Promise<{ key: string; bytes: number }[]> {
    if (urls.length === 0) return [];
    const rows = await this.db.selectFrom("remote_media_cache").select(["key", "bytes"]).where("source_url", "in", [...new Set(urls)]).where("ready", "=", 1).execute();
    return rows.map((r) => ({ key: r.key, bytes: Number(r.bytes) }));
  }
}
