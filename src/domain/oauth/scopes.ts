// OAuth scopes as Mastodon defines them. A token's scopes are a set of strings; an endpoint asks
// for one granular scope (e.g. `read:accounts`) and the token passes if it holds that scope or a
// broader one that includes it (`read`, or the legacy `follow`).

const READ = ["accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists", "mutes", "notifications", "search", "statuses"];
const WRITE = ["accounts", "blocks", "bookmarks", "conversations", "favourites", "filters", "follows", "lists", "media", "mutes", "notifications", "reports", "statuses"];
const ADMIN = ["accounts", "reports", "domain_allows", "domain_blocks", "ip_blocks", "email_domain_blocks", "canonical_email_blocks"];

export const ALL_SCOPES: readonly string[] = [
  "read", "write", "follow", "push", "profile",
  ...READ.map((s) => `read:${s}`),
  ...WRITE.map((s) => `write:${s}`),
  "admin:read", "admin:write",
  ...ADMIN.map((s) => `admin:read:${s}`),
  ...ADMIN.map((s) => `admin:write:${s}`),
];

const KNOWN = new Set(ALL_SCOPES);

/** What the legacy `follow` scope has always meant. */
const FOLLOW_IMPLIES = new Set(["read:follows", "read:blocks", "read:mutes", "write:follows", "write:blocks", "write:mutes"]);

export const DEFAULT_SCOPES = ["read"];

/** Splits a space-separated scope string; returns the unknown ones separately. */
export function parseScopes(text: string | undefined | null): { scopes: string[]; unknown: string[] } {
  const words = (text ?? "").split(/[\s+]+/).filter(Boolean);
  const scopes = [...new Set(words)];
  return { scopes: scopes.filter((s) => KNOWN.has(s)), unknown: scopes.filter((s) => !KNOWN.has(s)) };
}

/** Whether a set of granted scopes allows an action that needs `required`. */
export function scopeAllows(granted: readonly string[], required: string): boolean {
  for (const scope of granted) {
    if (scope === required) return true;
    // `read` covers `read:accounts`; `admin:read` covers `admin:read:accounts`.
    if (required.startsWith(`${scope}:`)) return true;
    if (scope === "follow" && FOLLOW_IMPLIES.has(required)) return true;
  }
  return false;
}

/** Whether every scope in `requested` is within `allowed` (an app cannot ask beyond its registration). */
export function scopesWithin(requested: readonly string[], allowed: readonly string[]): boolean {
  return requested.every((r) => allowed.includes(r) || scopeAllows(allowed, r));
}
