// Filtered notifications: the requests your notification policy held back (one per sender, with
// how many and the newest post), to accept or dismiss; and the policy itself — for each kind of
// sender, whether their notifications arrive, wait here, or are dropped.
import { useEffect, useState } from "preact/hooks";
import type { NotificationPolicy, PolicyValue } from "../api/types.ts";
import { answerRequest, loadRequests, notificationRequests, savePolicy } from "../state/notification-requests.ts";
import { useStore } from "./use-store.ts";
import { AccountRow } from "./AccountRow.tsx";
import { StatusView } from "./StatusView.tsx";
import { displayName } from "./format.ts";

type PolicyKey = Exclude<keyof NotificationPolicy, "summary">;
const POLICY_ROWS: [PolicyKey, string][] = [
  ["for_not_following", "People you don't follow"],
  ["for_not_followers", "People who don't follow you"],
  ["for_new_accounts", "New accounts (under 30 days)"],
  ["for_private_mentions", "Unsolicited private mentions"],
  ["for_limited_accounts", "Accounts limited by moderators"],
];
const VALUES: [PolicyValue, string][] = [
  ["accept", "Show"],
  ["filter", "Filter (ask me)"],
  ["drop", "Ignore"],
];

export function NotificationRequests() {
  const state = useStore(notificationRequests);
  useEffect(() => void loadRequests(), []);
  return (
    <section aria-labelledby="requests-heading" class="notification-requests">
      <h1 id="requests-heading">Filtered notifications</h1>
      {state.error && <p class="error" role="alert">{state.error}</p>}
      {!state.loaded && !state.error && <p class="loading">Loading…</p>}
      {state.loaded && state.requests.length === 0 && <p class="empty">Nothing is waiting.</p>}
      <ul class="account-list">
        {state.requests.map((r) => (
          <li key={r.id} class="request" data-request-id={r.id}>
            <ul class="account-list">
              <AccountRow account={r.account}>
                <span class="meta">{r.notifications_count} notification(s)</span>
                <button type="button" data-action="accept" aria-label={`Accept notifications from ${displayName(r.account)}`} onClick={() => answerRequest(r.id, true)}>Accept</button>
                <button type="button" class="secondary" data-action="dismiss" aria-label={`Dismiss notifications from ${displayName(r.account)}`} onClick={() => answerRequest(r.id, false)}>Dismiss</button>
              </AccountRow>
            </ul>
            {r.last_status && <StatusView status={r.last_status} />}
          </li>
        ))}
      </ul>
      {state.policy && <PolicyForm policy={state.policy} />}
    </section>
  );
}

function PolicyForm({ policy }: { policy: NotificationPolicy }) {
  const [saved, setSaved] = useState<string | null>(null);
  const change = (key: PolicyKey, value: PolicyValue) => {
    setSaved(null);
    savePolicy({ [key]: value }).then(() => setSaved("Saved."), (e: Error) => setSaved(e.message));
  };
  return (
    <form class="panel policy" onSubmit={(e) => e.preventDefault()}>
      <h2>Notifications from…</h2>
      {POLICY_ROWS.map(([key, label]) => (
        <p key={key} class="policy-row">
          <label class="inline" for={`policy-${key}`}>{label}</label>{" "}
          <select id={`policy-${key}`} value={policy[key]} onChange={(e) => change(key, e.currentTarget.value as PolicyValue)}>
            {VALUES.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
          </select>
        </p>
      ))}
      <p role="status">{saved}</p>
    </form>
  );
}
