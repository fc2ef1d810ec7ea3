// Pinned posts of remote accounts, as their servers announce them: `Add`/`Remove` activities
// targeting the actor's featured collection, and the collection itself, read when the account is
// first seen or refreshed. Only the author's own public or unlisted posts can be pinned, as on
// Mastodon; a profile shows at most MAX_REMOTE_PINS of them.
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { StatusRow } from "../../store/statuses.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";

/** More than Mastodon's 5 local pins: other servers allow more, and a profile is no place for dozens. */
export const MAX_REMOTE_PINS = 20;

export class RemotePinService {
  private readonly stores: Stores;
  constructor(stores: Stores) {
    this.stores = stores;
  }

  /** Whether `status` may appear among `author`'s pins. */
  pinnable(author: AccountRow, status: StatusRow): boolean {
    return author.domain !== null && status.account_id === author.id && !status.reblog_of_id && (status.visibility === "public" || status.visibility === "unlisted");
  }

  /** An `Add` (on) or `Remove` (off) of one post to the author's featured collection. */
  async setPinned(author: AccountRow, status: StatusRow, on: boolean): Promise<void> {
    if (!on) {
      await this.stores.statusRelations.remove("status_pins", author.id, status.id);
      return;
    }
    if (!this.pinnable(author, status)) return;
    if ((await this.stores.statusRelations.count("status_pins", author.id)) >= MAX_REMOTE_PINS) return;
    await this.stores.statusRelations.add("status_pins", { id: newId(), account_id: author.id, status_id: status.id, created_at: nowIso() });
  }

  /**
   * The featured collection as read from the author's server: its posts become the pins, and
   * earlier pins not in it are removed.
   */
  async replace(author: AccountRow, statuses: StatusRow[]): Promise<void> {
    const wanted = statuses.filter((s) => this.pinnable(author, s)).slice(0, MAX_REMOTE_PINS);
    const keep = new Set(wanted.map((s) => s.id));
    const current = await this.stores.statusRelations.statusIdsOf("status_pins", author.id, 1000);
    for (const id of current) if (!keep.has(id)) await this.stores.statusRelations.remove("status_pins", author.id, id);
    const had = new Set(current);
    for (const status of wanted) {
      if (had.has(status.id)) continue;
      await this.stores.statusRelations.add("status_pins", { id: newId(), account_id: author.id, status_id: status.id, created_at: nowIso() });
    }
  }
}
