// Editing one's own profile (PATCH /api/v1/accounts/update_credentials, multipart): display
// name, bio, up to four fields, avatar and header pictures, and the account's switches (approve
// followers, automated, suggested to others, posts searchable). The form starts from
// verify_credentials' `source` (the bio as written, not as rendered).
import { api } from "../api/client.ts";
import type { Account, CredentialAccount } from "../api/types.ts";
import { profiles } from "./accounts.ts";
import { session } from "./session.ts";

export interface ProfileDraft {
  displayName: string;
  note: string;
  fields: { name: string; value: string }[];
  locked: boolean;
  bot: boolean;
  discoverable: boolean;
  indexable: boolean;
  avatar: File | null;
  header: File | null;
}

export const MAX_FIELDS = 4;

export async function loadCredentials(): Promise<ProfileDraft> {
  const me = await api.request<CredentialAccount>("GET", "/api/v1/accounts/verify_credentials");
  const fields = [...me.source.fields];
  while (fields.length < MAX_FIELDS) fields.push({ name: "", value: "" });
  return {
    displayName: me.display_name,
    note: me.source.note,
    fields,
    locked: me.locked,
    bot: me.bot,
    discoverable: me.source.discoverable,
    indexable: me.source.indexable,
    avatar: null,
    header: null,
  };
}

export async function saveProfile(draft: ProfileDraft): Promise<Account> {
  const form = new FormData();
  form.append("display_name", draft.displayName);
  form.append("note", draft.note);
  // Every row is sent, the empty ones too: an emptied field is removed.
  draft.fields.forEach((f, i) => {
    form.append(`fields_attributes[${i}][name]`, f.name);
    form.append(`fields_attributes[${i}][value]`, f.value);
  });
  for (const key of ["locked", "bot", "discoverable", "indexable"] as const) form.append(key, String(draft[key]));
  if (draft.avatar) form.append("avatar", draft.avatar);
  if (draft.header) form.append("header", draft.header);
  const account = await api.request<Account>("PATCH", "/api/v1/accounts/update_credentials", { multipart: form });
  const current = session.get();
  if (current.state === "signed-in") session.set({ ...current, me: account });
  profiles.update((all) => (all[account.id] ? { ...all, [account.id]: { ...all[account.id], account } } : all));
  return account;
}
