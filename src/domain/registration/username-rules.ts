// What a new username may be: Mastodon's shape (1–30 of a-z, 0-9, _), names the server keeps
// for itself, and the moderators' block list matched after folding look-alikes (Mastodon 4.5:
// "4dm1n" and "аdmin" with a Cyrillic а both count as "admin"). Pure functions: the list of
// blocks is passed in.

export const USERNAME_MAX = 30;

/** Names that would pass for the server, its staff or its paths (the instance actor is "instance.actor"). */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set([
  "admin", "administrator", "root", "support", "help", "postmaster", "hostmaster", "webmaster", "abuse", "security",
  "mod", "moderator", "moderators", "staff", "skein", "about", "api", "auth", "oauth", "settings", "users", "user",
  "well_known", "wellknown", "inbox", "outbox", "instance", "instance_actor", "actor", "system", "noreply", "no_reply",
  "mailer_daemon", "info", "owner", "web", "www", "media", "static", "invite", "invites", "explore", "public", "nodeinfo",
]);

/** Look-alike characters folded to the Latin letter they imitate (Cyrillic, Greek, digits, symbols). */
const LOOK_ALIKES: Record<string, string> = {
  // Cyrillic
  "а": "a", "в": "b", "с": "c", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j", "к": "k", "м": "m", "н": "h",
  "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "т": "t", "у": "y", "х": "x", "ԝ": "w", "ь": "b", "г": "r", "п": "n", "л": "n",
  // Greek
  "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
  "γ": "y", "ω": "w", "μ": "u", "ϲ": "c",
  // Digits and symbols people use for letters
  "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a", "$": "s", "!": "i", "|": "l",
  // Letters that read alike once lower-cased
  "l": "i",
};

/**
 * The form names are compared in: Unicode-decomposed with marks dropped, lower case, look-alikes
 * folded, underscores and separators removed. "Ad_M1n", "аdmin" (Cyrillic а) and "4dm1n" → "admin"
 * ("l" reads as "i", so "admin" itself is "admin" and "paypal" is "paypai").
 */
export function foldUsername(name: string): string {
  let out = "";
  for (const ch of name.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()) {
    const folded = LOOK_ALIKES[ch] ?? ch;
    if (/[a-z]/.test(folded)) out += folded;
  }
  return out;
}

export interface UsernameBlock {
  /** Folded (foldUsername). */
  normalized: string;
  /** Exact: the whole folded name must match; otherwise the block matches anywhere inside it. */
  exact: boolean;
}

export type UsernameProblem = "ERR_BLANK" | "ERR_TOO_LONG" | "ERR_INVALID" | "ERR_RESERVED";

/** Shape and reserved names; null when the name is acceptable so far. */
export function usernameProblem(username: string): { error: UsernameProblem; description: string } | null {
  if (username.length === 0) return { error: "ERR_BLANK", description: "can't be blank" };
  if ([...username].length > USERNAME_MAX) return { error: "ERR_TOO_LONG", description: `is too long (maximum is ${USERNAME_MAX} characters)` };
  if (!/^[a-z0-9_]+$/i.test(username)) return { error: "ERR_INVALID", description: "must contain only letters, numbers and underscores" };
  const lower = username.toLowerCase();
  if (RESERVED_USERNAMES.has(lower) || RESERVED_USERNAMES.has(lower.replace(/_/g, "")) || RESERVED_FOLDED.has(foldUsername(username))) {
    return { error: "ERR_RESERVED", description: "is reserved" };
  }
  return null;
}

const RESERVED_FOLDED: ReadonlySet<string> = new Set(
  ["admin", "administrator", "root", "support", "postmaster", "webmaster", "abuse", "security", "moderator", "staff", "skein", "owner"].map(foldUsername),
);

/** Whether a moderator's block matches this name (after folding both). */
export function blockedBy(username: string, blocks: readonly UsernameBlock[]): UsernameBlock | null {
  const folded = foldUsername(username);
  if (folded === "") return null;
  for (const block of blocks) {
    if (block.normalized === "") continue;
    if (block.exact ? folded === block.normalized : folded.includes(block.normalized)) return block;
  }
  return null;
}
