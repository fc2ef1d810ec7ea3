// The report form, opened in place from a post's "More" (with that post) or a profile: why, which
// of the server's rules (for a rule broken), a comment, and — for someone on another server —
// whether their server's moderators get a copy too.
import { useState } from "preact/hooks";
import type { Account } from "../api/types.ts";
import { submitReport, type ReportCategory } from "../state/reports.ts";
import { instance } from "../state/session.ts";
import { useStore } from "./use-store.ts";
import { displayName } from "./format.ts";

const CATEGORIES: [ReportCategory, string][] = [
  ["spam", "Spam: unwanted links, fake engagement or repeated replies"],
  ["violation", "It breaks this server's rules"],
  ["legal", "It is illegal where I am or where the server is"],
  ["other", "Something else"],
];

export function ReportForm({ account, statusIds, onDone }: { account: Account; statusIds: string[]; onDone: () => void }) {
  const { rules } = useStore(instance);
  const [category, setCategory] = useState<ReportCategory>("spam");
  const [ruleIds, setRuleIds] = useState<string[]>([]);
  const [comment, setComment] = useState("");
  const [forward, setForward] = useState(true);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remote = account.acct.includes("@");
  const name = `report-${account.id}-${statusIds.join("-")}`;
  if (sent) {
    return (
      <p class="notice" role="status">
        Thank you: the moderators will look at it. <button type="button" class="link" onClick={onDone}>Close</button>
      </p>
    );
  }
  const submit = (e: Event) => {
    e.preventDefault();
    setError(null);
    submitReport({ accountId: account.id, statusIds, category, ruleIds, comment, forward: remote && forward }).then(() => setSent(true), (failure: Error) => setError(failure.message));
  };
  return (
    <form class="report-form panel" onSubmit={submit} aria-label={`Report ${displayName(account)}`}>
      <fieldset>
        <legend>Why report {statusIds.length ? "this post" : `@${account.acct}`}?</legend>
        {CATEGORIES.map(([value, label]) => (
          <label key={value} class="inline report-choice">
            <input type="radio" name={name} value={value} checked={category === value} onChange={() => setCategory(value)} /> {label}
          </label>
        ))}
      </fieldset>
      {category === "violation" && rules.length > 0 && (
        <fieldset>
          <legend>Which rules?</legend>
          {rules.map((r) => (
            <label key={r.id} class="inline report-choice">
              <input type="checkbox" checked={ruleIds.includes(r.id)} onChange={(e) => setRuleIds(e.currentTarget.checked ? [...ruleIds, r.id] : ruleIds.filter((id) => id !== r.id))} /> {r.text}
            </label>
          ))}
        </fieldset>
      )}
      <label for={`${name}-comment`}>Anything the moderators should know</label>
      <textarea id={`${name}-comment`} rows={2} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
      {remote && (
        <label class="inline checkbox-line">
          <input type="checkbox" checked={forward} onChange={(e) => setForward(e.currentTarget.checked)} /> Send a copy to the moderators of {account.acct.split("@")[1]}
        </label>
      )}
      <p>
        <button type="submit" data-action="send-report">Send report</button> <button type="button" class="secondary" onClick={onDone}>Cancel</button>
      </p>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}
