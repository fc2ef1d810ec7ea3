// People who asked to follow you (a locked account approves each follower): accept or reject.
import { useEffect } from "preact/hooks";
import { answerFollowRequest, followRequests, loadFollowRequests } from "../state/follow-requests.ts";
import { useStore } from "./use-store.ts";
import { AccountRow } from "./AccountRow.tsx";
import { displayName } from "./format.ts";

export function FollowRequests() {
  const state = useStore(followRequests);
  useEffect(() => void loadFollowRequests(), []);
  return (
    <section aria-labelledby="requests-heading" class="follow-requests">
      <h1 id="requests-heading">Follow requests</h1>
      {state.error && <p class="error" role="alert">{state.error}</p>}
      {!state.loaded && !state.error && <p class="loading">Loading…</p>}
      {state.loaded && state.accounts.length === 0 && <p class="empty">No one is waiting.</p>}
      <ul class="account-list">
        {state.accounts.map((a) => (
          <AccountRow key={a.id} account={a}>
            <button type="button" data-action="accept" aria-label={`Accept ${displayName(a)}`} onClick={() => answerFollowRequest(a.id, true)}>Accept</button>
            <button type="button" class="secondary" data-action="reject" aria-label={`Reject ${displayName(a)}`} onClick={() => answerFollowRequest(a.id, false)}>Reject</button>
          </AccountRow>
        ))}
      </ul>
    </section>
  );
}
