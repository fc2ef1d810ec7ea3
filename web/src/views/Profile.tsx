// An account: its header, bio (server-sanitized HTML), fields, counts, Follow / Unfollow, Mute,
// Block, Report, the lists it is in, a private note (Edit profile on one's own), its pinned posts and its posts.
import { useEffect, useState } from "preact/hooks";
import type { Account } from "../api/types.ts";
import { loadProfile, profiles, saveNote, setBlocked, setFollowing, setMuted } from "../state/accounts.ts";
import { addMember, lists, listsContaining, loadLists, removeMember } from "../state/lists.ts";
import { session } from "../state/session.ts";
import { useStore } from "./use-store.ts";
import { displayName } from "./format.ts";
import { StatusList, Timeline } from "./Timeline.tsx";
import { feeds, loadFeed } from "../state/feeds.ts";
import { statuses } from "../state/statuses.ts";
import { paths } from "../state/router.ts";
import { ReportForm } from "./ReportForm.tsx";

const count = (n: number, one: string) => `${n} ${n === 1 ? one : `${one}s`}`;

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
  const run = (action: () => Promise<void>) => async () => {
    setBusy(true);
    setError(null);
    try {
      await action();
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
          {self && <a class="button secondary edit-profile-link" href={paths.editProfile}>Edit profile</a>}
          {!self && relationship && !relationship.blocking && (
            <button type="button" id="follow-button" class={following ? "secondary" : ""} disabled={busy} onClick={run(() => setFollowing(account.id, !following))}>
              {relationship.requested ? "Cancel follow request" : following ? "Unfollow" : "Follow"}
            </button>
          )}
        </div>
        {relationship?.followed_by && <p class="badge">Follows you</p>}
        <div class="note" dangerouslySetInnerHTML={{ __html: account.note }} />
        {account.fields && account.fields.length > 0 && (
          <dl class="fields">
            {account.fields.map((f, i) => (
              <div key={i} class={f.verified_at ? "verified" : undefined}>
                <dt>{f.name}</dt>
                <dd>
                  <span dangerouslySetInnerHTML={{ __html: f.value }} />
                  {f.verified_at && <span class="meta"> (verified)</span>}
                </dd>
              </div>
            ))}
          </dl>
        )}
        <p class="counts">
          <span>{count(account.statuses_count, "post")}</span> · <a href={paths.following(account.id)}>{account.following_count} following</a> ·{" "}
          <a class="followers" href={paths.followers(account.id)}>{count(account.followers_count, "follower")}</a>
          {" · "}<a href={account.url}>Public page</a>
        </p>
        {!self && relationship && (
          <div class="profile-actions" role="group" aria-label="More for this account">
            <button type="button" class="secondary" data-action="mute" aria-pressed={relationship.muting ? "true" : "false"} disabled={busy} onClick={run(() => setMuted(account.id, !relationship.muting))}>
              {relationship.muting ? "Unmute" : "Mute"}
            </button>
            <button
              type="button"
              class="secondary danger"
              data-action="block"
              aria-pressed={relationship.blocking ? "true" : "false"}
              disabled={busy}
              onClick={run(async () => {
                if (relationship.blocking || confirm(`Block @${account.acct}? You will stop following each other.`)) await setBlocked(account.id, !relationship.blocking);
              })}
            >
              {relationship.blocking ? "Unblock" : "Block"}
            </button>
            {relationship.following && <ListMembership account={account} />}
            <ReportButton account={account} />
          </div>
        )}
        {!self && relationship && <NoteEditor id={account.id} note={relationship.note ?? ""} />}
        {error && <p class="error" role="alert">{error}</p>}
      </section>
      <Pinned id={account.id} />
      <Timeline feed={`account:${account.id}`} title="Posts" />
    </div>
  );
}

/** The posts the account pinned, above its others (as on Mastodon). */
function Pinned({ id }: { id: string }) {
  const all = useStore(feeds);
  const cache = useStore(statuses);
  const feed = all[`pinned:${id}`];
  useEffect(() => {
    if (!feed) void loadFeed(`pinned:${id}`);
  }, [id, feed]);
  if (!feed?.ids.some((s) => cache[s])) return null;
  return (
    <section class="pinned" aria-labelledby="pinned-heading">
      <h2 id="pinned-heading">Pinned</h2>
      <StatusList ids={feed.ids} cache={cache} />
    </section>
  );
}

function ReportButton({ account }: { account: Account }) {
  const [open, setOpen] = useState(false);
  return open ? (
    <ReportForm account={account} statusIds={[]} onDone={() => setOpen(false)} />
  ) : (
    <button type="button" class="secondary danger" data-action="report" onClick={() => setOpen(true)}>Report</button>
  );
}

function NoteEditor({ id, note }: { id: string; note: string }) {
  const [text, setText] = useState(note);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => setText(note), [note]);
  return (
    <form
      class="account-note"
      onSubmit={(e) => {
        e.preventDefault();
        saveNote(id, text).then(() => setSaved("Note saved."), (error: Error) => setSaved(error.message));
      }}
    >
      <label for="account-note">Private note (only you see it)</label>
      <textarea id="account-note" rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <button type="submit" class="secondary">Save note</button> <span role="status">{saved}</span>
    </form>
  );
}

function ListMembership({ account }: { account: Account }) {
  const state = useStore(lists);
  const [member, setMember] = useState<string[] | null>(null);
  useEffect(() => {
    if (!state.loaded) void loadLists();
    listsContaining(account.id).then(setMember, () => setMember([]));
  }, [account.id]);
  if (!member || state.lists.length === 0) return null;
  return (
    <details class="list-membership">
      <summary>Lists</summary>
      {state.lists.map((l) => (
        <label key={l.id} class="inline">
          <input
            type="checkbox"
            checked={member.includes(l.id)}
            onChange={async (e) => {
              const add = e.currentTarget.checked;
              await (add ? addMember(l.id, account) : removeMember(l.id, account.id));
              setMember(add ? [...member, l.id] : member.filter((m) => m !== l.id));
            }}
          />{" "}
          {l.title}
        </label>
      ))}
    </details>
  );
}
