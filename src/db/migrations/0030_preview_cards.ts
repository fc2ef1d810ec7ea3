import type { Kysely } from "kysely";

// Link previews (domain/cards/). `preview_cards`: one row per normalized URL for the whole
// server — its state (pending, ready, failed), when it is due again, and the fetch lease that
// lets one process fetch it while every other waits (lease_owner, lease_until). `status_cards`:
// the card of a status's first link; the row goes with the status (ON DELETE CASCADE), so
// deletes and pruning need no extra step, and with the card.
export async function up(db: Kysely<any>): Promise<void> {
  const id = "bigint";
  await db.schema
    .createTable("preview_cards")
    .addColumn("id", id, (c) => c.primaryKey())
    .addColumn("url", "text", (c) => c.notNull().unique())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("lease_owner", "text")
    .addColumn("lease_until", "text")
    .addColumn("fetched_at", "text")
    .addColumn("expires_at", "text")
    .addColumn("last_error", "text")
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("author_name", "text", (c) => c.notNull())
    .addColumn("author_url", "text", (c) => c.notNull())
    .addColumn("author_account_id", id)
    .addColumn("provider_name", "text", (c) => c.notNull())
    .addColumn("provider_url", "text", (c) => c.notNull())
    .addColumn("html", "text", (c) => c.notNull())
    .addColumn("width", "integer", (c) => c.notNull())
    .addColumn("height", "integer", (c) => c.notNull())
    .addColumn("image_url", "text")
    .addColumn("image_description", "text", (c) => c.notNull())
    .addColumn("blurhash", "text")
    .addColumn("embed_url", "text", (c) => c.notNull())
    .addColumn("language", "text")
    .addColumn("published_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("status_cards")
    .addColumn("status_id", id, (c) => c.primaryKey().references("statuses.id").onDelete("cascade"))
    .addColumn("card_id", id, (c) => c.notNull().references("preview_cards.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  // The link timeline and link trends read a card's statuses newest first.
  await db.schema.createIndex("status_cards_card_id").on("status_cards").columns(["card_id", "status_id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("status_cards").execute();
  await db.schema.dropTable("preview_cards").execute();
}
