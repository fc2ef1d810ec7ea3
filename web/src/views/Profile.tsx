// An account: its header, bio (server-sanitized HTML), counts, Follow / Unfollow, and its posts.
import { useEffect, useState } from "preact/hooks";
import { loadProfile, profiles, setFollowing } from "../state/accounts.ts";
import { session } from "../state/session.ts";
import { useStore } from "./use-store.ts";
import { displayName } from "./format.ts";
import { Timeline } from "./Timeline.tsx";

export function Profile({ id }: { id: string }) {
  const all = useStore(profiles);
  const me = useStore(session);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void loadProfile(id), [id]);
  const profile = all[id];
  const account = profile?.account;
  if (profile?.error) return <p class="error" role="alert">{profile.error}</p>;
  if (!account) return <p class="loading">Loading…</p>;
  const relationship = profile.relationship;
  const self = me.state === "signed-in" && me.me.id === account.id;
  const following = relationship?.following || relationship?.requested;
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      await setFollowing(account.id, !following);
    } catch (e) {
      setError((e as Error).message);
    }
    setBusy(false);
  };
  return (
    <div class="profile">
      <section class="profile-head" aria-labelledby="profile-heading">
        {account.header && <img class="banner" src={account.header} alt="" />}
        <div class="profile-id">
          <img class="avatar large" src={account.avatar} alt="" width={80} height={80} />
          <div>
            <h1 id="profile-heading">{displayName(account)}</h1>
            <p class="acct">@{account.acct}{account.locked ? " · approves followers" : ""}{account.bot ? " · automated" : ""}</p>
          </div>
          {!self && relationship && (
            <button type="button" class={following ? "secondary" : ""} disabled={busy} onClick={toggle}>
              {relationship.requested ? "Cancel follow request" : following ? "Unfollow" : "Follow"}
            </button>
          )}
        </div>
        {relationship?.followed_by && <p class="badge">Follows you</p>}
        <div class="note" dangerouslySetInnerHTML={{ __html: account.note }} />
        <p class="counts">
          <span>{account.statuses_count} posts</span> · <span>{account.following_count} following</span> · <span class="followers">{account.followers_count} followers</span>
          {" · "}<a href={account.url}>Public page</a>
        </p>
        {error && <p class="error" role="alert">{error}</p>}
      </section>
      <Timeline feed={`account:${account.id}`} title="Posts" />
    </div>
  );
}
