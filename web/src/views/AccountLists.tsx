// An account's followers or follows, and the people you muted or blocked (Unmute / Unblock).
import { useEffect } from "preact/hooks";
import { accountLists, listKey, loadAccountList, release, type AccountListKind } from "../state/account-lists.ts";
import { profiles } from "../state/accounts.ts";
import { useStore } from "./use-store.ts";
import { AccountRow } from "./AccountRow.tsx";
import { displayName } from "./format.ts";

const TITLES: Record<AccountListKind, string> = { followers: "Followers", following: "Following", mutes: "Muted people", blocks: "Blocked people" };
const EMPTY: Record<AccountListKind, string> = { followers: "No followers yet.", following: "Follows no one yet.", mutes: "You have muted no one.", blocks: "You have blocked no one." };

export function AccountListScreen({ kind, id }: { kind: AccountListKind; id?: string }) {
  const all = useStore(accountLists);
  const known = useStore(profiles);
  const list = all[listKey(kind, id)];
  useEffect(() => void loadAccountList(kind, id), [kind, id]);
  const owner = id ? known[id]?.account : null;
  return (
    <section aria-labelledby="account-list-heading" class="account-list-screen" data-list={kind}>
      <h1 id="account-list-heading">{TITLES[kind]}{owner ? ` · ${displayName(owner)}` : ""}</h1>
      {list?.error && <p class="error" role="alert">{list.error}</p>}
      {list?.loaded && list.accounts.length === 0 && <p class="empty">{EMPTY[kind]}</p>}
      <ul class="account-list">
        {list?.accounts.map((a) => (
          <AccountRow key={a.id} account={a}>
            {(kind === "mutes" || kind === "blocks") && (
              <button type="button" class="secondary" aria-label={`${kind === "mutes" ? "Unmute" : "Unblock"} ${displayName(a)}`} onClick={() => release(kind, a)}>
                {kind === "mutes" ? "Unmute" : "Unblock"}
              </button>
            )}
          </AccountRow>
        ))}
      </ul>
      {(!list || list.loading) && <p class="loading">Loading…</p>}
      {list?.next && !list.loading && <button type="button" class="more" onClick={() => loadAccountList(kind, id, { more: true })}>Load more</button>}
    </section>
  );
}
