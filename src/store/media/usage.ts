// Data access for what media cost: the daily counters of bytes and requests served, and the
// questions the usage report and the prune ask of the tables that name stored files.
import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

export interface UsageDay {
  day: string;
  kind: string;
  bytes: number;
  requests: number;
}

export class MediaUsageStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  /** Adds to each (day, kind)'s counters: one upsert per row, in one transaction. */
  async add(rows: readonly UsageDay[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const r of rows) {
        await trx
          .insertInto("media_usage_daily")
          .values({ day: r.day, kind: r.kind, bytes: r.bytes, requests: r.requests })
          .onConflict((oc) =>
            oc.columns(["day", "kind"]).doUpdateSet({
              bytes: sql<number>`media_usage_daily.bytes + ${r.bytes}`,
              requests: sql<number>`media_usage_daily.requests + ${r.requests}`,
            }),
          )
          .execute();
      }
    });
  }

  /** The counters of days from `fromDay` (YYYY-MM-DD) on. */
  async since(fromDay: string): Promise<UsageDay[]> {
    const rows = await this.db.selectFrom("media_usage_daily").selectAll().where("day", ">=", fromDay).orderBy("day").orderBy("kind").execute();
    return rows.map((r) => ({ day: r.day, kind: r.kind, bytes: Number(r.bytes), requests: Number(r.requests) }));
  }

  /** Which of these storage keys a row names (attachments, avatars and headers, emojis). */
  async referencedKeys(keys: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    if (keys.length === 0) return found;
    const add = (rows: Record<string, string | null>[]) => {
      for (const row of rows) for (const value of Object.values(row)) if (value !== null && keys.includes(value)) found.add(value);
    };
    add(
      await this.db
        .selectFrom("media_attachments")
        .select(["upload_key", "file_key", "preview_key"])
        .where((eb) => eb.or([eb("upload_key", "in", keys), eb("file_key", "in", keys), eb("preview_key", "in", keys)]))
        .execute(),
    );
    add(
      await this.db
        .selectFrom("accounts")
        .select(["avatar_key", "avatar_static_key", "header_key", "header_static_key"])
        .where((eb) => eb.or([eb("avatar_key", "in", keys), eb("avatar_static_key", "in", keys), eb("header_key", "in", keys), eb("header_static_key", "in", keys)]))
        .execute(),
    );
    add(
      await this.db
        .selectFrom("custom_emojis")
        .select(["image_key", "static_key"])
        .where((eb) => eb.or([eb("image_key", "in", keys), eb("static_key", "in", keys)]))
        .execute(),
    );
    return found;
  }

  /** Rows of each kind, for the usage report (files a row names but the storage may not hold). */
  async rowCounts(): Promise<{ attachmentsLocal: number; attachmentsRemote: number; emojisLocal: number; emojisRemote: number; remoteAvatars: number; remoteHeaders: number }> {
    const count = sql<number>`count(*)`.as("n");
    const [local, remote, emojiLocal, emojiRemote, avatars, headers] = await Promise.all([
      this.db.selectFrom("media_attachments").select(count).where("remote_url", "is", null).executeTakeFirst(),
      this.db.selectFrom("media_attachments").select(count).where("remote_url", "is not", null).executeTakeFirst(),
      this.db.selectFrom("custom_emojis").select(count).where("domain", "=", "").executeTakeFirst(),
      this.db.selectFrom("custom_emojis").select(count).where("domain", "!=", "").executeTakeFirst(),
      this.db.selectFrom("accounts").select(count).where("domain", "is not", null).where("avatar_url", "is not", null).executeTakeFirst(),
      this.db.selectFrom("accounts").select(count).where("domain", "is not", null).where("header_url", "is not", null).executeTakeFirst(),
    ]);
    return {
      attachmentsLocal: Number(local?.n ?? 0),
      attachmentsRemote: Number(remote?.n ?? 0),
      emojisLocal: Number(emojiLocal?.n ?? 0),
      emojisRemote: Number(emojiRemote?.n ?? 0),
      remoteAvatars: Number(avatars?.n ?? 0),
      remoteHeaders: Number(headers?.n ?? 0),
    };
  }
}
