// Web Push settings (domain/push). PUSH_TOKEN_KEY: a secret of at least 32 characters from which
// the key sealing the access tokens kept for push payloads is derived; set it (and keep it out of
// the database's backups) so that a copy of the database alone does not hold usable tokens. Unset,
// the key is made once in the settings table. Changing it makes existing subscriptions unusable:
// their clients subscribe again.
export interface PushConfig {
  tokenKey: string | null;
}

export function loadPushConfig(env: Record<string, string | undefined>, problems: string[]): PushConfig {
  const key = env.PUSH_TOKEN_KEY?.trim() || null;
  if (key !== null && key.length < 32) problems.push("PUSH_TOKEN_KEY must be at least 32 characters (a random secret, e.g. from `openssl rand -base64 32`)");
  return { tokenKey: key };
}
