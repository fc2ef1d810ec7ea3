// Private notes on accounts (Mastodon's "personal note"): written by one account about another,
// shown only to their writer, in the Relationship entity's `note`.
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { notFound, validationFailed } from "../errors.ts";

/** Mastodon's AccountNote limit. */
export const NOTE_MAX_LENGTH = 2000;

export class AccountNoteService {
  private readonly stores: Stores;
  constructor(stores: Stores) {
    this.stores = stores;
  }

  /** Sets the writer's note on `targetId`; an empty comment removes it. */
  async set(writer: AccountRow, targetId: string, comment: string): Promise<void> {
    const target = await this.stores.accounts.byId(targetId);
    if (!target || target.suspended_at) throw notFound();
    if ([...comment].length > NOTE_MAX_LENGTH) throw validationFailed(`Validation failed: Comment is too long (maximum is ${NOTE_MAX_LENGTH} characters)`);
    if (comment.trim() === "") return this.stores.accountNotes.clear(writer.id, target.id);
    await this.stores.accountNotes.set({ id: newId(), account_id: writer.id, target_account_id: target.id, comment, now: nowIso() });
  }
}
