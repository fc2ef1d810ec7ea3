// reject_media: the media of a domain blocked with `reject_media` (or suspended, or not allowed
// in allowlist mode) are neither fetched, cached nor proxied, and are not shown from their origin
// either. Every path that would fetch or show another server's media asks here first: the media
// fetcher and proxy (mediaMayBeFetched), and the entities (convert/mastodon), which show such
// attachments as type "unknown" without a URL and such avatars as the placeholder image.
import type { DomainPolicy } from "./domain-policy.ts";

/** Whether media of `host` (an account's domain or a media URL's host) may be fetched or proxied. */
export async function mediaMayBeFetched(policy: DomainPolicy, host: string): Promise<boolean> {
  return !(await policy.fresh()).decide(host).rejectMedia;
}

/** Same, for a media URL: its host decides. Not an http(s) URL: refused. */
export async function mediaUrlMayBeFetched(policy: DomainPolicy, url: string): Promise<boolean> {
  let host: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return false;
    host = parsed.hostname;
  } catch {
    return false;
  }
  return mediaMayBeFetched(policy, host);
}

/**
 * A synchronous question for converters, answered from the policy as loaded (the caller made it
 * fresh for the request): do the media of accounts of this domain stay hidden? Local accounts
 * (null) never.
 */
export function mediaRejectedFor(policy: DomainPolicy): (domain: string | null) => boolean {
  const cache = new Map<string, boolean>();
  return (domain) => {
    if (domain === null) return false;
    let rejected = cache.get(domain);
    if (rejected === undefined) {
      rejected = policy.decide(domain).rejectMedia;
      cache.set(domain, rejected);
    }
    return rejected;
  };
}
