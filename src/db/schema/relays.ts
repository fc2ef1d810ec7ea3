// Table of migration 0035: the relays this server subscribes to (issue 16). A relay is an actor
// that re-broadcasts public posts among its subscribers, so a small server's federated timeline
// is not empty.

/** "mastodon": Follow of the Public collection sent to the relay's inbox; "litepub": Follow of the relay's actor. */
export type RelayProtocol = "mastodon" | "litepub";
/** "removing": the admin removed it; the Undo of our Follow is still to be sent. */
export type RelayState = "pending" | "accepted" | "rejected" | "removing";

export interface RelaysTable {
  id: string;
  /** Where the subscription and this server's public posts are sent. */
  inbox_url: string;
  /** The relay's actor: given (LitePub) or learned from its Accept (Mastodon relays). */
  actor_uri: string | null;
  protocol: RelayProtocol;
  /** The id of our Follow, which the relay's Accept or Reject names. */
  follow_uri: string;
  state: RelayState;
  /** When our Follow last went out; null until the sweep sends it (it is sent again hourly while pending). */
  follow_sent_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface RelaysDB {
  relays: RelaysTable;
}
