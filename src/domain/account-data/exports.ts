// The CSV exports of a user's data, written as Mastodon writes them, so that a file taken from
// Skein imports into Mastodon (and back):
//   following_accounts.csv  Account address,Show boosts,Notify on new posts,Languages
//   muted_accounts.csv      Account address,Hide notifications
//   blocked_accounts.csv    one address a line, no header
//   blocked_domains.csv     one domain a line, no header
//   bookmarks.csv           one status URI a line, no header
//   lists.csv               list title,account address — no header
// and follower_accounts.csv (Account address), which today's Mastodon no longer offers (it had
// one once); it is for reading only, since nobody can import followers.
// Local accounts are written with this server's domain (alice@example.com), as Mastodon does.
import type { Stores } from "../../store/stores.ts";
import type { ExportedAccount } from "../../store/account-data/export-queries.ts";
import { notFound } from "../errors.ts";
import { nowIso } from "../../util/time.ts";
import { csvLine } from "./csv.ts";

export const EXPORT_FILES = ["following_accounts", "follower_accounts", "lists", "blocked_accounts", "muted_accounts", "blocked_domains", "bookmarks"] as const;
export type ExportName = (typeof EXPORT_FILES)[number];

const PAGE = 1000;

export class AccountExports {
  private readonly stores: Stores;
  private readonly localDomain: string;
  constructor(stores: Stores, localDomain: string) {
    this.stores = stores;
    this.localDomain = localDomain;
  }

  isExportName(name: string): name is ExportName {
    return (EXPORT_FILES as readonly string[]).includes(name);
  }

  /** The file's text (UTF-8 CSV); an unknown name is a 404. */
  async csv(accountId: string, name: string): Promise<string> {
    if (!this.isExportName(name)) throw notFound();
    const q = this.stores.accountExports;
    const out: string[] = [];
    const acct = (a: ExportedAccount) => `${a.username}@${a.domain ?? this.localDomain}`;
    switch (name) {
      case "following_accounts":
        out.push(csvLine(["Account address", "Show boosts", "Notify on new posts", "Languages"]));
        await pages((before) => q.following(accountId, before, PAGE), (r) => out.push(csvLine([acct(r), r.show_reblogs === 1, r.notify === 1, ""])));
        break;
      case "follower_accounts":
        out.push(csvLine(["Account address"]));
        await pages((before) => q.followers(accountId, before, PAGE), (r) => out.push(csvLine([acct(r)])));
        break;
      case "muted_accounts": {
        const now = nowIso();
        out.push(csvLine(["Account address", "Hide notifications"]));
        await pages((before) => q.mutes(accountId, before, PAGE, now), (r) => out.push(csvLine([acct(r), r.hide_notifications === 1])));
        break;
      }
      case "blocked_accounts":
        await pages((before) => q.blocks(accountId, before, PAGE), (r) => out.push(csvLine([acct(r)])));
        break;
      case "blocked_domains":
        await pages((before) => q.domainBlocks(accountId, before, PAGE), (r) => out.push(csvLine([r.domain])));
        break;
      case "bookmarks":
        await pages((before) => q.statusUris("bookmarks", accountId, before, PAGE), (r) => out.push(csvLine([r.uri])));
        break;
      case "lists":
        // Oldest membership first: the pager walks forwards here.
        await pages((after) => q.listMembers(accountId, after, PAGE), (r) => out.push(csvLine([r.title, acct(r)])));
        break;
    }
    return out.join("");
  }
}

/** Calls `each` for every row of a keyset-paged query, PAGE rows at a time. */
async function pages<T extends { id: string }>(page: (cursor: string | null) => Promise<T[]>, each: (row: T) => void): Promise<void> {
  let cursor: string | null = null;
  for (;;) {
    const rows = await page(cursor);
    rows.forEach(each);
    if (rows.length < PAGE) return;
    cursor = rows[rows.length - 1].id;
  }
}
