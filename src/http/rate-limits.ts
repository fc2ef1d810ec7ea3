// Per-client-address limits on the endpoints anyone may call without an account: guessing
// passwords, registering apps, minting app tokens. Each is answered as Mastodon answers a
// throttled request: 429 {"error": "Too many requests"} with Retry-After and X-RateLimit-*.
//
// The counters live in each process (domain/auth/rate-limiter.ts): with several web processes
// a client gets each allowance once per process. They are there to make abuse slow and costly,
// not to meter anyone exactly.
import type { Context } from "hono";
import { isIPv6 } from "node:net";
import type { AppEnv } from "./env.ts";
import { RateLimiter } from "../domain/auth/rate-limiter.ts";
import { ipv6Value } from "../net/address-policy.ts";
import { clientIp } from "./client-ip.ts";

const FIVE_MINUTES = 5 * 60 * 1000;

/** Mastodon allows 25 sign-in attempts per address in 5 minutes: through the sign-in page… */
export const signInAttempts = new RateLimiter({ limit: 25, windowMs: FIVE_MINUTES });

/** …and as password grants of POST /oauth/token, counted apart (the pages answer in HTML). */
export const passwordGrants = new RateLimiter({ limit: 25, windowMs: FIVE_MINUTES });

/**
 * POST /api/v1/apps. Every registration is a stored row (up to ~5 KB within its bounds) that is
 * never deleted, and no account is needed, so an unthrottled client could fill the database
 * (1,000 apps in under 4 s were measured). A person registers an app once per client they
 * install; 30 in five minutes lets a household or an office behind one address try several
 * apps and reinstall a few, and holds one address to ~8,600 rows a day. (Mastodon has throttled
 * this endpoint per address since 2024, its reviewers keeping room for people who try out
 * several apps; our own test suites register a dozen apps from one address.)
 */
export const appRegistrations = new RateLimiter({ limit: 30, windowMs: FIVE_MINUTES });

/**
 * client_credentials grants: each mints a stored token from nothing but an app's id and secret,
 * which anyone gets from POST /api/v1/apps. A client asks for one after registering (some on
 * each start); 30 in five minutes per address is far above that and stops a loop minting rows.
 */
export const clientCredentialGrants = new RateLimiter({ limit: 30, windowMs: FIVE_MINUTES });

/**
 * Requests that send a mail (password reset, resending a confirmation): each costs a message in
 * someone's mailbox. 20 per 30 minutes per address; domain/mail also caps the links sent to any
 * one e-mail address (5 an hour), however many client addresses ask.
 */
export const mailRequests = new RateLimiter({ limit: 20, windowMs: 30 * 60 * 1000 });

/**
 * Counts this request against `limiter` under the client's address and sets Mastodon's
 * X-RateLimit-* headers. Returns the 429 response to send when the client is over the limit,
 * null when it may go on.
 */
export function throttle(c: Context<AppEnv>, limiter: RateLimiter): Response | null {
  const state = limiter.hit(clientKey(c));
  c.header("X-RateLimit-Limit", String(limiter.max));
  c.header("X-RateLimit-Remaining", String(state.remaining));
  c.header("X-RateLimit-Reset", new Date(state.resetAt).toISOString());
  if (state.retryAfterMs <= 0) return null;
  c.header("Retry-After", String(Math.ceil(state.retryAfterMs / 1000)));
  return c.json({ error: "Too many requests" }, 429);
}

/** The key a client is counted under: its address (see client-ip.ts for TRUST_PROXY). */
export function clientKey(c: Context<AppEnv>): string {
  return addressKey(clientIp(c));
}

/**
 * An IPv4 address as it is; an IPv6 address by its /64 network, because one subscriber gets a
 * whole /64 (2^64 addresses) and would otherwise get as many allowances.
 */
export function addressKey(ip: string): string {
  const address = ip.replace(/%.*$/, ""); // a zone id ("fe80::1%eth0") names no other host
  if (!isIPv6(address)) return address;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1];
  // The first four of the address's eight 16-bit words name its network.
  return `${(ipv6Value(address) >> 64n).toString(16)}/64`;
}
