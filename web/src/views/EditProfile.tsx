// Editing one's profile: display name, bio, up to four fields (label and content), avatar and
// header pictures, and the switches Mastodon has on its profile page — approve followers by hand,
// an automated account, suggested to others (discoverable), public posts searchable (indexable).
import { useEffect, useState } from "preact/hooks";
import { loadCredentials, saveProfile, type ProfileDraft } from "../state/profile-edit.ts";
import { paths } from "../state/router.ts";
import { session } from "../state/session.ts";
import { useStore } from "./use-store.ts";

export function EditProfile() {
  const [draft, setDraft] = useState<ProfileDraft | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    loadCredentials().then(setDraft, (e: Error) => setError(e.message));
  }, []);
  return (
    <section aria-labelledby="edit-profile-heading">
      <h1 id="edit-profile-heading">Edit profile</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {draft ? <ProfileForm initial={draft} /> : !error && <p class="loading">Loading…</p>}
    </section>
  );
}

const SWITCHES: [keyof Pick<ProfileDraft, "locked" | "bot" | "discoverable" | "indexable">, string][] = [
  ["locked", "Approve followers by hand (a locked account)"],
  ["bot", "This is an automated account (a bot)"],
  ["discoverable", "Suggest this account to others and list it in the directory"],
  ["indexable", "Let anyone find my public posts by searching"],
];

function ProfileForm({ initial }: { initial: ProfileDraft }) {
  const me = useStore(session);
  const [draft, setDraft] = useState(initial);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const change = (next: Partial<ProfileDraft>) => setDraft({ ...draft, ...next });
  const submit = async (e: Event) => {
    e.preventDefault();
    setStatus(null);
    setError(null);
    setSaving(true);
    try {
      await saveProfile(draft);
      setStatus("Saved.");
    } catch (failure) {
      setError((failure as Error).message);
    }
    setSaving(false);
  };
  return (
    <form class="edit-profile panel" onSubmit={submit}>
      <label for="profile-display-name">Display name</label>
      <input id="profile-display-name" type="text" maxLength={30} value={draft.displayName} onInput={(e) => change({ displayName: e.currentTarget.value })} />
      <label for="profile-note">Bio</label>
      <textarea id="profile-note" rows={4} maxLength={500} value={draft.note} onInput={(e) => change({ note: e.currentTarget.value })} />
      <fieldset>
        <legend>Fields (shown on your profile; a link to a page that links back with rel="me" is verified)</legend>
        {draft.fields.map((f, i) => (
          <div key={i} class="keyword-row">
            <label class="inline" for={`profile-field-name-${i}`}>Label {i + 1}</label>
            <input id={`profile-field-name-${i}`} type="text" value={f.name} onInput={(e) => change({ fields: draft.fields.map((g, j) => (j === i ? { ...g, name: e.currentTarget.value } : g)) })} />
            <label class="inline" for={`profile-field-value-${i}`}>Content {i + 1}</label>
            <input id={`profile-field-value-${i}`} type="text" value={f.value} onInput={(e) => change({ fields: draft.fields.map((g, j) => (j === i ? { ...g, value: e.currentTarget.value } : g)) })} />
          </div>
        ))}
      </fieldset>
      <label for="profile-avatar">Avatar (PNG, GIF, JPEG or WebP; shown at 400 × 400)</label>
      <input id="profile-avatar" type="file" accept="image/png,image/gif,image/jpeg,image/webp" onChange={(e) => change({ avatar: e.currentTarget.files?.[0] ?? null })} />
      <label for="profile-header">Header picture (shown at 1500 × 500)</label>
      <input id="profile-header" type="file" accept="image/png,image/gif,image/jpeg,image/webp" onChange={(e) => change({ header: e.currentTarget.files?.[0] ?? null })} />
      {SWITCHES.map(([key, label]) => (
        <label key={key} class="inline checkbox-line">
          <input id={`profile-${key}`} type="checkbox" checked={draft[key]} onChange={(e) => change({ [key]: e.currentTarget.checked })} /> {label}
        </label>
      ))}
      <p>
        <button type="submit" id="save-profile" disabled={saving}>{saving ? "Saving…" : "Save profile"}</button> <span role="status">{status}</span>
        {me.state === "signed-in" && <> · <a href={paths.profile(me.me.id)}>See your profile</a></>}
      </p>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}
