// Tables of migration 0026: private notes, endorsements, featured hashtags, collections.
import type { Flag } from "../schema.ts";

export interface AccountNotesTable {
  id: string;
  account_id: string;
  target_account_id: string;
  comment: string;
  created_at: string;
  updated_at: string;
}

export interface AccountEndorsementsTable {
  id: string;
  account_id: string;
  target_account_id: string;
  created_at: string;
}

export interface FeaturedTagsTable {
  id: string;
  account_id: string;
  tag_id: string;
  created_at: string;
}

export interface CollectionsTable {
  id: string;
  account_id: string;
  name: string;
  description: string;
  language: string | null;
  sensitive: Flag;
  discoverable: Flag;
  tag_id: string | null;
  created_at: string;
  updated_at: string;
}

export type CollectionItemState = "pending" | "accepted" | "rejected" | "revoked";

export interface CollectionItemsTable {
  id: string;
  collection_id: string;
  account_id: string;
  state: CollectionItemState;
  created_at: string;
}

/** The profile features' tables (migration 0026), part of the database's DB interface. */
export interface AccountFeaturesDB {
  account_notes: AccountNotesTable;
  account_endorsements: AccountEndorsementsTable;
  featured_tags: FeaturedTagsTable;
  collections: CollectionsTable;
  collection_items: CollectionItemsTable;
}
