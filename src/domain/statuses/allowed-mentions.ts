// `allowed_mentions` (Mastodon 4.x): a client lists the accounts the user meant to mention; a
// post whose text would mention anyone else is refused, so nobody is notified (or sent a direct
// message) by surprise. Mentions that do not resolve to an account are not mentions, and never
// count against it.
import type { AccountRow } from "../../store/accounts.ts";
import { DomainError } from "../errors.ts";

/** The refusal, with the accounts the client did not expect (the API shows them as `unexpected_accounts`). */
export class UnexpectedMentionsError extends DomainError {
  readonly accounts: AccountRow[];
  constructor(accounts: AccountRow[]) {
    super("validation", "Post would generate unexpected mentions");
    this.accounts = accounts;
  }
}

/** Throws when `mentioned` (other than the author) holds an account outside `allowed`; `allowed` null or undefined allows all. */
export function checkAllowedMentions(mentioned: readonly AccountRow[], allowed: readonly string[] | null | undefined, authorId: string): void {
  if (!allowed) return;
  const permitted = new Set(allowed);
  const unexpected = mentioned.filter((a, i) => a.id !== authorId && !permitted.has(a.id) && mentioned.findIndex((b) => b.id === a.id) === i);
  if (unexpected.length) throw new UnexpectedMentionsError(unexpected);
}
