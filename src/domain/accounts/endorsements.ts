// Endorsements: accounts a user features on their profile (Mastodon 4.4; "pin" before). Only
// accounts one follows may be endorsed; ending the follow ends the endorsement
// (relationship-service.ts removeFollow).
import type { Stores } from "../../store/stores.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { PageRequest } from "../../store/pagination.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { notFound, validationFailed } from "../errors.ts";

export class EndorsementService {
  private readonly stores: Stores;
  constructor(stores: Stores) {
    this.stores = stores;
  }

  async endorse(actor: AccountRow, targetId: string): Promise<void> {
    const target = await this.target(targetId);
    if (!(await this.stores.relationships.find("follows", actor.id, target.id))) {
      throw validationFailed("Validation failed: You must be already following the person you want to endorse");
    }
    await this.stores.endorsements.add({ id: newId(), account_id: actor.id, target_account_id: target.id, created_at: nowIso() });
  }

  async unendorse(actor: AccountRow, targetId: string): Promise<void> {
    const target = await this.target(targetId);
    await this.stores.endorsements.remove(actor.id, target.id);
  }

  /**
   * The accounts `accountId` endorses, without suspended ones; none for a suspended account. As
   * on Mastodon the list is public — the same for every reader, blocked or not (anyone may read it
   * signed out), so a block does not change it.
   */
  async endorsedBy(accountId: string, page: PageRequest) {
    const account = await this.target(accountId);
    return this.stores.endorsements.endorsedBy(account.id, page);
  }

  private async target(id: string): Promise<AccountRow> {
    const account = await this.stores.accounts.byId(id);
    if (!account || account.suspended_at) throw notFound();
    return account;
  }
}
