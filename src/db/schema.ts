// The stored model, as Kysely sees it. Conventions that hold on both databases:
// - ids are 64-bit integers in the database and decimal strings in TypeScript
//   (columns named `id` or `*_id`; see plugins.ts);
// - flags are integers 0/1 (SQLite has no boolean type; one representation keeps queries alike);
// - times are ISO-8601 UTC strings from Date#toISOString, which sort as text.
export type Flag = 0 | 1;

export interface AccountsTable {
  id: string;
  username: string;
  /** null for local accounts. */
  domain: string | null;
  display_name: string;
  /** Profile text as HTML (rendered for local accounts, sanitized for remote ones). */
  note: string;
  /** Profile fields as JSON: [{name, value, verified_at}]. */
  fields: string;
  locked: Flag;
  bot: Flag;
  discoverable: Flag;
  indexable: Flag;
  uri: string;
  url: string | null;
  avatar_url: string | null;
  header_url: string | null;
  followers_count: number;
  following_count: number;
  statuses_count: number;
  last_status_at: string | null;
  suspended_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  id: string;
  account_id: string;
  email: string;
  password_hash: string;
  role: "user" | "moderator" | "admin";
  /** Profile text as the user typed it (the note is rendered from it). */
  note_source: string;
  /** Posting defaults as JSON: {privacy, sensitive, language}. */
  settings: string;
  approved: Flag;
  disabled: Flag;
  last_sign_in_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface OAuthApplicationsTable {
  id: string;
  name: string;
  website: string | null;
  /** Newline-separated, as registered. */
  redirect_uris: string;
  /** Space-separated. */
  scopes: string;
  client_id: string;
  client_secret_hash: string;
  created_at: string;
}

export interface OAuthAuthorizationCodesTable {
  id: string;
  code_hash: string;
  application_id: string;
  user_id: string;
  redirect_uri: string;
  scopes: string;
  code_challenge: string | null;
  code_challenge_method: string | null;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface OAuthAccessTokensTable {
  id: string;
  token_hash: string;
  application_id: string;
  /** null for client_credentials tokens, which act for the app and not for a user. */
  user_id: string | null;
  scopes: string;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
}

export interface WebSessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  user_agent: string | null;
  expires_at: string;
  created_at: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface DB {
  accounts: AccountsTable;
  users: UsersTable;
  oauth_applications: OAuthApplicationsTable;
  oauth_authorization_codes: OAuthAuthorizationCodesTable;
  oauth_access_tokens: OAuthAccessTokensTable;
  web_sessions: WebSessionsTable;
  settings: SettingsTable;
}
