// interactionPolicy (GoToSocial's vocabulary, FEP-044f's canQuote) ↔ domain/quotes/policy.ts rules.
import { InteractionPolicy, InteractionRule } from "@fedify/vocab";
import type { InteractionKind, InteractionRule as Rule, RemotePolicy } from "../../domain/quotes/policy.ts";

const PROPERTY: Record<InteractionKind, "canQuote" | "canReply" | "canLike" | "canAnnounce"> = { quote: "canQuote", reply: "canReply", like: "canLike", announce: "canAnnounce" };
/** At most this many URIs per list are kept from another server's policy. */
const MAX_URIS = 50;

/** A local status's rules, as announced on its Note. */
export function toInteractionPolicy(rules: Record<InteractionKind, Rule>): InteractionPolicy {
  const rule = (r: Rule) => new InteractionRule({ automaticApprovals: r.automatic.map((u) => new URL(u)), manualApprovals: r.manual.map((u) => new URL(u)) });
  return new InteractionPolicy({ canQuote: rule(rules.quote), canReply: rule(rules.reply), canLike: rule(rules.like), canAnnounce: rule(rules.announce) });
}

/** The rules another server announced (null when it announced none). */
export function fromInteractionPolicy(policy: InteractionPolicy | null): RemotePolicy | null {
  if (!policy) return null;
  const result: RemotePolicy = {};
  for (const [kind, property] of Object.entries(PROPERTY) as [InteractionKind, (typeof PROPERTY)[InteractionKind]][]) {
    const rule = policy[property];
    if (!rule) continue;
    result[kind] = { automatic: rule.automaticApprovals.slice(0, MAX_URIS).map((u) => u.href), manual: rule.manualApprovals.slice(0, MAX_URIS).map((u) => u.href) };
  }
  return Object.keys(result).length ? result : null;
}
