// Interaction policies: who may quote, reply to, like or boost a status, in GoToSocial's
// vocabulary (interactionPolicy { canQuote, canReply, canLike, canAnnounce }, each with
// automaticApproval / manualApproval lists of URIs: the Public collection, the author's followers
// or following collection, or actors), which Mastodon 4.5 adopted for quotes (FEP-044f). Local
// statuses keep a short name per kind (public / followers / following / nobody); remote ones keep
// the lists their server announced. Pure functions: the facts about the actor are gathered by the
// caller (quote-service.ts).
import type { InteractionAudience, Visibility } from "../../db/schema.ts";

export const PUBLIC_URI = "https://www.w3.org/ns/activitystreams#Public";
export const QUOTE_POLICIES = ["public", "followers", "nobody"] as const;
export type QuotePolicy = (typeof QUOTE_POLICIES)[number];
/** Replies also allow "following": accounts the author follows (GoToSocial offers it). */
export const REPLY_POLICIES = ["public", "followers", "following", "nobody"] as const;
export type ReplyPolicy = (typeof REPLY_POLICIES)[number];

export type InteractionKind = "quote" | "reply" | "like" | "announce";

/** One of interactionPolicy's rules: URIs approved at once, URIs the author reviews. */
export interface InteractionRule {
  automatic: string[];
  manual: string[];
}

/** A remote status's interactionPolicy as announced (absent kinds: the server did not say). */
export type RemotePolicy = Partial<Record<InteractionKind, InteractionRule>>;

/** What is known of the actor who wants to interact, towards the status's author. */
export interface ActorFacts {
  actorUri: string;
  isAuthor: boolean;
  /** The actor follows the author. */
  follower: boolean;
  /** The author follows the actor. */
  followed: boolean;
  /** The status mentions the actor (GoToSocial always lets mentioned accounts reply). */
  mentioned: boolean;
}

export interface AuthorCollections {
  authorUri: string;
  followersUri: string | null;
  followingUri: string | null;
}

export type Decision = "automatic" | "manual" | "denied";

/** The policy a local status announces for each kind. Private and direct posts are never quoted or boosted by others. */
export function localRules(policy: { quote: InteractionAudience; reply: InteractionAudience }, visibility: Visibility, author: AuthorCollections): Record<InteractionKind, InteractionRule> {
  const audience = (a: InteractionAudience): string[] => {
    if (a === "public") return [PUBLIC_URI];
    if (a === "followers" && author.followersUri) return [author.followersUri];
    if (a === "following" && author.followingUri) return [author.followingUri];
    return [author.authorUri];
  };
  const open = visibility === "public" || visibility === "unlisted";
  return {
    quote: { automatic: open ? audience(policy.quote) : [author.authorUri], manual: [] },
    reply: { automatic: audience(policy.reply), manual: [] },
    like: { automatic: [PUBLIC_URI], manual: [] },
    announce: { automatic: open ? [PUBLIC_URI] : [author.authorUri], manual: [] },
  };
}

/** How a rule applies to an actor. The author is always allowed; a missing rule allows everyone (as GoToSocial reads it). */
export function decide(rule: InteractionRule | undefined, facts: ActorFacts, author: AuthorCollections, kind: InteractionKind): Decision {
  if (facts.isAuthor) return "automatic";
  if (!rule) return kind === "quote" ? "denied" : "automatic";
  if (kind === "reply" && facts.mentioned) return "automatic";
  const matches = (uris: string[]) =>
    uris.some(
      (uri) =>
        uri === PUBLIC_URI ||
        uri === "as:Public" ||
        uri === "Public" ||
        uri === facts.actorUri ||
        (uri === author.followersUri && facts.follower) ||
        (uri === author.followingUri && facts.followed),
    );
  if (matches(rule.automatic)) return "automatic";
  if (matches(rule.manual)) return "manual";
  return "denied";
}

/** Mastodon's QuoteApproval `automatic`/`manual` lists, from a rule. */
export function approvalNames(uris: string[], author: AuthorCollections): string[] {
  const names = new Set<string>();
  for (const uri of uris) {
    if (uri === PUBLIC_URI || uri === "as:Public" || uri === "Public") names.add("public");
    else if (uri === author.followersUri) names.add("followers");
    else if (uri === author.followingUri) names.add("following");
    else if (uri !== author.authorUri) names.add("unsupported_policy");
  }
  return [...names];
}

export function isQuotePolicy(value: string): value is QuotePolicy {
  return (QUOTE_POLICIES as readonly string[]).includes(value);
}

export function isReplyPolicy(value: string): value is ReplyPolicy {
  return (REPLY_POLICIES as readonly string[]).includes(value);
}
