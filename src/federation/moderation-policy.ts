// The server's domain policy (domain/moderation/domain-policy.ts) as each part of federation
// asks it: the inbox gate (refuse a sender's host, or an account suspended here), the fan-out and
// delivery engine (send nothing to a host), and the document loaders and resolver (fetch nothing
// from it). Every host check is answered from the policy's in-memory maps; `fresh()` costs a
// query at most every two seconds per process.
import type { FederationDeps } from "./context.ts";
import type { DomainPolicy } from "../domain/moderation/domain-policy.ts";
import type { DeliveryPolicy } from "./delivery/fanout.ts";
import type { InboxPolicy } from "./inbox-gate.ts";
import type { FetchPolicy } from "./document-loaders.ts";

/** Why the domain policy refuses a host (null: it federates), from the policy's maps. */
export function refusalOf(policy: DomainPolicy, host: string): string | null {
  const decision = policy.decide(host);
  if (decision.federates) return null;
  const name = host.replace(/:\d+$/, "");
  return decision.refusal === "suspended" ? `${name} is suspended by this server` : `${name} is not among the servers this server federates with`;
}

/** The domain policy as the fan-out and the delivery engine ask it. */
export function deliveryPolicy(deps: FederationDeps): DeliveryPolicy {
  return async () => {
    const policy = await deps.services.moderation.policy.fresh();
    return (host) => refusalOf(policy, host);
  };
}

/** The moderation policy as the inbox gate asks it: hosts from memory, suspended accounts by URI. */
export function moderationInboxPolicy(deps: FederationDeps): InboxPolicy {
  const { policy } = deps.services.moderation;
  return {
    async refuseHost(host) {
      return refusalOf(await policy.fresh(), host);
    },
    async refuseActor(uri) {
      const account = await deps.stores.accounts.byUri(uri);
      // Suspended by a moderator here — or gone (an actor that deleted itself): nothing more from it is stored.
      return account?.domain && account.suspended_at && account.suspension_origin !== "remote" ? "This account is suspended by this server" : null;
    },
  };
}

/** The domain policy as the document loaders and the resolver ask it before fetching. */
export function fetchPolicy(policy: DomainPolicy): FetchPolicy {
  return async (host) => refusalOf(await policy.fresh(), host);
}

/** For JSON-LD contexts: only a suspension refuses their host (allowlist mode does not list vocabulary hosts). */
export function contextFetchPolicy(policy: DomainPolicy): FetchPolicy {
  return async (host) => {
    const current = await policy.fresh();
    return current.decide(host).refusal === "suspended" ? refusalOf(current, host) : null;
  };
}
