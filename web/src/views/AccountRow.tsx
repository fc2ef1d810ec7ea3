// An account in a list (search results, list members, follow requests): avatar, name and
// address linking to the profile, and whatever buttons the screen puts beside it.
import type { ComponentChildren } from "preact";
import type { Account } from "../api/types.ts";
import { paths } from "../state/router.ts";
import { displayName } from "./format.ts";

export function AccountRow({ account, children }: { account: Account; children?: ComponentChildren }) {
  return (
    <li class="account-row" data-account-id={account.id}>
      <a class="author" href={paths.profile(account.id)}>
        <img class="avatar" src={account.avatar} alt="" width={44} height={44} loading="lazy" />
        <span>
          <span class="name">{displayName(account)}</span> <span class="acct">@{account.acct}</span>
        </span>
      </a>
      {children && <span class="row-actions">{children}</span>}
    </li>
  );
}
