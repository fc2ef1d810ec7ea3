// Moving an account to another one (on this server or elsewhere), and naming the aliases a move
// to this account needs. The API follows GoToSocial's (Mastodon does this in its web settings).
import type { UserRow } from "../../store/users.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { Stores } from "../../store/stores.ts";
import type { AccountService } from "./account-service.ts";
import type { RelationshipService } from "../relationships/relationship-service.ts";
import type { RemoteLookup } from "../remote-lookup.ts";
import { validationFailed } from "../errors.ts";
import { isHttpUrl } from "../../util/urls.ts";

export class MoveService {
  private readonly stores: Stores;
  private readonly accounts: AccountService;
  private readonly relationships: RelationshipService;
  private readonly remote: RemoteLookup;

  constructor(stores: Stores, accounts: AccountService, relationships: RelationshipService, remote: RemoteLookup) {
    this.stores = stores;
    this.accounts = accounts;
    this.relationships = relationships;
    this.remote = remote;
  }

  /** The account at an actor URI: ours, or fetched fresh from its server. */
  private async accountAt(uri: string): Promise<AccountRow> {
    if (!isHttpUrl(uri)) throw validationFailed(`Validation failed: ${JSON.stringify(uri)} is not an account URI (an http or https URL)`);
    const known = await this.stores.accounts.byUri(uri);
    const account = known?.domain === null ? known : ((await this.remote.refreshAccount(uri)) ?? known);
    if (!account || account.suspended_at) throw validationFailed(`Validation failed: no account at ${uri}`);
    return account;
  }

  async setAliases(user: UserRow, uris: string[]): Promise<AccountRow> {
    // Each alias must be a real account, so that typos do not silently block a later move.
    for (const uri of uris) await this.accountAt(uri);
    return this.accounts.setAliases(user, uris);
  }

  async move(user: UserRow, password: string, targetUri: string): Promise<AccountRow> {
    // The password first: without it, nothing is looked up, here or on another server.
    await this.accounts.confirmPassword(user, password);
    const target = await this.accountAt(targetUri);
    return this.accounts.moveTo(user, target, async (follower, newAccount) => {
      await this.relationships.follow(follower, newAccount.id);
      await this.relationships.unfollow(follower, user.account_id);
    });
  }
}
