// Schema migrations, applied at start and by `./skein migrate`. Each migration is a module in
// migrations/ and is listed here in order; Kysely records what ran in its own tables.
import { Migrator, type Migration, type MigrationResultSet } from "kysely/migration";
import type { Database } from "./database.ts";
import * as m0001 from "./migrations/0001_accounts_and_oauth.ts";
import * as m0002 from "./migrations/0002_social_core.ts";
import * as m0003 from "./migrations/0003_lists_and_more.ts";
import * as m0004 from "./migrations/0004_filters_polls.ts";
import * as m0005 from "./migrations/0005_queue_and_kv.ts";
import * as m0006 from "./migrations/0006_federation.ts";
import * as m0007 from "./migrations/0007_media_attachments.ts";
import * as m0008 from "./migrations/0008_delivery.ts";
import * as m0009 from "./migrations/0009_delivery_claim_indexes.ts";
import * as m0010 from "./migrations/0010_moderation.ts";
import * as m0011 from "./migrations/0011_blocklist_subscriptions.ts";
import * as m0012 from "./migrations/0012_notification_requests.ts";
import * as m0013 from "./migrations/0013_admin_account_indexes.ts";
import * as m0014 from "./migrations/0014_purge_indexes.ts";
import * as m0019 from "./migrations/0019_account_data.ts";
import * as m0020 from "./migrations/0020_media.ts";
import * as m0021 from "./migrations/0021_status_edit_media.ts";
import * as m0023 from "./migrations/0023_remote_media_budget.ts";
import * as m0026 from "./migrations/0026_account_features.ts"; // notes, endorsements, featured tags, collections
import * as m0027 from "./migrations/0027_instance_pages.ts";
import * as m0025 from "./migrations/0025_scheduled_statuses.ts";
import * as m0028 from "./migrations/0028_quotes.ts";
import * as m0029 from "./migrations/0029_full_text_search.ts";
import * as m0024 from "./migrations/0024_push_subscriptions.ts";
import * as m0031 from "./migrations/0031_pruning.ts"; // tombstones (remote data with limits)
import * as m0030 from "./migrations/0030_preview_cards.ts";
import * as m0034 from "./migrations/0034_poll_updates.ts"; // local polls' counts federated (Update(Question))
import * as m0035 from "./migrations/0035_relays.ts"; // relay subscriptions
import * as m0036 from "./migrations/0036_search_pending.ts"; // full-text indexing after the commit, in batches
import * as m0037 from "./migrations/0037_search_days.ts"; // PostgreSQL full-text documents carry their day
import * as m0038 from "./migrations/0038_server_samples.ts"; // the admin console's charts: figures sampled every minute
import * as m0039 from "./migrations/0039_roles.ts"; // custom roles (Mastodon's role editor)
import * as m0017 from "./migrations/0017_email_tokens.ts";
import * as m0018 from "./migrations/0018_two_factor.ts";
import * as m0015 from "./migrations/0015_registration.ts";
import * as m0016 from "./migrations/0016_payments.ts";

const migrations: Record<string, Migration> = {
  "0001_accounts_and_oauth": m0001,
  "0002_social_core": m0002,
  "0003_lists_and_more": m0003,
  "0004_filters_polls": m0004,
  "0005_queue_and_kv": m0005,
  "0006_federation": m0006,
  "0007_media_attachments": m0007,
  "0008_delivery": m0008,
  "0009_delivery_claim_indexes": m0009,
  "0010_moderation": m0010,
  "0011_blocklist_subscriptions": m0011,
  "0012_notification_requests": m0012,
  "0013_admin_account_indexes": m0013,
  "0014_purge_indexes": m0014,
  "0019_account_data": m0019,
  "0017_email_tokens": m0017,
  "0018_two_factor": m0018,
  "0015_registration": m0015,
  "0016_payments": m0016,
  "0020_media": m0020,
  "0021_status_edit_media": m0021,
  "0023_remote_media_budget": m0023,
  "0026_account_features": m0026,
  "0027_instance_pages": m0027,
  "0025_scheduled_statuses": m0025,
  "0028_quotes": m0028,
  "0029_full_text_search": m0029,
  "0024_push_subscriptions": m0024,
  "0031_pruning": m0031,
  "0030_preview_cards": m0030,
  "0034_poll_updates": m0034,
  "0035_relays": m0035,
  "0036_search_pending": m0036,
  "0037_search_days": m0037,
  "0038_server_samples": m0038,
  "0039_roles": m0039,
};

export async function migrateToLatest(database: Database): Promise<string[]> {
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations },
    // Capabilities built side by side take numbers ahead of time, so a database may have run a
    // later migration before an earlier number lands; each migration touches its own tables.
    allowUnorderedMigrations: true,
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`Migration ${failed} failed: ${(result.error as Error).message ?? result.error}`);
  }
  return (result.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
