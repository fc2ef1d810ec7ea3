// What users take away and bring along, assembled as services.accountData: CSV exports, CSV
// imports (background jobs), archives (background jobs, a week to download) and the deletion of
// one's own account. One durable queue (ACCOUNT_DATA_QUEUE) carries the import and archive jobs.
import type { Config } from "../../config/config.ts";
import type { Stores } from "../../store/stores.ts";
import type { RemoteLookup } from "../remote-lookup.ts";
import type { AccountModeration } from "../moderation/account-moderation.ts";
import path from "node:path";
import { LocalFileStorage } from "../../store/account-data/file-storage.ts";
import { AccountExports } from "./exports.ts";
import { AccountImports, type ImportActions, type JobSink } from "./imports.ts";
import { AccountArchives } from "./archives.ts";
import { AccountDeletion } from "./deletion.ts";

export { ACCOUNT_DATA_QUEUE } from "./imports.ts";

export class AccountData {
  readonly exports: AccountExports;
  readonly imports: AccountImports;
  readonly archives: AccountArchives;
  readonly deletion: AccountDeletion;

  /**
   * `jobs`: the durable queue, read when a job is queued — the one server/context.ts gives
   * moderation in every process (the CLI's too), so nothing more needs plugging in.
   */
  constructor(stores: Stores, config: Config, ports: { resolver: RemoteLookup; actions: () => ImportActions; moderation: () => AccountModeration; jobs: () => JobSink | null }) {
    this.exports = new AccountExports(stores, config.localDomain);
    this.imports = new AccountImports(stores, config.localDomain, ports.resolver, ports.actions, ports.jobs);
    this.archives = new AccountArchives(stores, new LocalFileStorage(path.join(config.dataDir, "archives")), ports.jobs);
    this.deletion = new AccountDeletion(stores, ports.moderation, this.archives);
  }

  /** Runs one job of ACCOUNT_DATA_QUEUE (an import, an archive, an archive's expiry); unknown payloads are dropped. */
  async handleJob(payload: unknown): Promise<void> {
    if (await this.imports.handleJob(payload)) return;
    await this.archives.handleJob(payload);
  }
}
