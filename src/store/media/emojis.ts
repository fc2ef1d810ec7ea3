// Data access for custom emojis: this server's own (domain "") and those seen on other servers.
import type { Insertable, Kysely, Selectable, Updateable } from "kysely";
import type { CustomEmojisTable, DB } from "../../db/schema.ts";

export type CustomEmojiRow = Selectable<CustomEmojisTable>;

/** Rows a query for many (domain, shortcode) pairs asks for at once, at most. */
const CHUNK = 200;

export class EmojiStore {
  private readonly db: Kysely<DB>;
  constructor(db: Kysely<DB>) {
    this.db = db;
  }

  async insert(row: Insertable<CustomEmojisTable>): Promise<void> {
    await this.db.insertInto("custom_emojis").values(row).execute();
  }

  async update(id: string, changes: Updateable<CustomEmojisTable>): Promise<void> {
    await this.db.updateTable("custom_emojis").set(changes).where("id", "=", id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("custom_emojis").where("id", "=", id).execute();
  }

  byId(id: string): Promise<CustomEmojiRow | undefined> {
    return this.db.selectFrom("custom_emojis").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** `domain` "" for this server's own. */
  byShortcode(shortcode: string, domain: string): Promise<CustomEmojiRow | undefined> {
    return this.db.selectFrom("custom_emojis").selectAll().where("shortcode", "=", shortcode).where("domain", "=", domain).executeTakeFirst();
  }

  /** This server's emojis, by shortcode (enabled ones only unless asked), at most `limit`. */
  local(options: { includeDisabled?: boolean; limit: number }): Promise<CustomEmojiRow[]> {
    let query = this.db.selectFrom("custom_emojis").selectAll().where("domain", "=", "");
    if (!options.includeDisabled) query = query.where("disabled", "=", 0);
    return query.orderBy("shortcode").limit(options.limit).execute();
  }

  /** Emojis of one other server among these shortcodes. */
  async ofDomain(domain: string, shortcodes: readonly string[]): Promise<CustomEmojiRow[]> {
    const out: CustomEmojiRow[] = [];
    for (let i = 0; i < shortcodes.length; i += CHUNK) {
      const chunk = shortcodes.slice(i, i + CHUNK);
      out.push(...(await this.db.selectFrom("custom_emojis").selectAll().where("domain", "=", domain).where("shortcode", "in", chunk).execute()));
    }
    return out;
  }

  /**
   * A remote emoji as its server describes it now: inserted, or its image and URI refreshed.
   * Returns true when something changed.
   */
  async upsertRemote(row: Insertable<CustomEmojisTable> & { domain: string; shortcode: string }): Promise<boolean> {
    const existing = await this.byShortcode(row.shortcode, row.domain);
    if (!existing) {
      await this.db.insertInto("custom_emojis").values(row).onConflict((oc) => oc.columns(["shortcode", "domain"]).doNothing()).execute();
      return true;
    }
    if (existing.image_remote_url === row.image_remote_url && existing.uri === row.uri) return false;
    await this.db
      .updateTable("custom_emojis")
      .set({ image_remote_url: row.image_remote_url, uri: row.uri, content_type: row.content_type, updated_at: row.updated_at })
      .where("id", "=", existing.id)
      .execute();
    return true;
  }

  /** Distinct categories of this server's enabled emojis. */
  async categories(): Promise<string[]> {
    const rows = await this.db.selectFrom("custom_emojis").select("category").distinct().where("domain", "=", "").where("disabled", "=", 0).where("category", "is not", null).orderBy("category").execute();
    return rows.map((r) => r.category!).filter(Boolean);
  }
}
