// The HTTP clients federation uses. Fedify fetches (actors, objects, keys, collections,
// WebFinger, JSON-LD contexts) through Node's fetch on one undici agent whose limits bound what
// another server can cost us — connect and response timeouts, and a cap on response bodies
// (actors, posts and collections are small; a server that sends megabytes is either broken or
// hostile). Deliveries have their own agent (delivery/http-sender.ts) under the same policy.
//
// Every connection either makes goes through src/net/connection-guard.ts: in production only
// public addresses, judged on the socket actually connected (redirects included), so a remote
// actor cannot point us at the machine's own network. Fedify's own URL check stays in front of
// it, but it looks at URLs, not at the connections made for them. The agent (and undici) is made
// on the first fetch (net/undici-on-demand.ts): an idle server has fetched nothing.
//
// Test-only seam (SKEIN_ENV=test with SKEIN_TEST_HOSTS="a.test=127.0.0.2,b.test=127.0.0.3,*.fleet.test=127.0.0.1"):
// the named test hosts resolve to loopback addresses, so several Skein instances can federate
// over real HTTPS on one machine. config.ts refuses the variable outside the test environment;
// other names resolve through DNS as usual. The test environment also allows private addresses.
import { testHostAddress, type Config } from "../config/config.ts";
import { guardedConnector, type OutboundPolicy } from "../net/connection-guard.ts";
import { installGlobalDispatcherOnDemand } from "../net/undici-on-demand.ts";

export const FETCH_LIMITS = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 15_000,
  /** Between two chunks of a body; the whole document has `totalTimeoutMs` (document-loaders.ts). */
  bodyTimeoutMs: 15_000,
  /** A document from start to end, however it trickles in. */
  totalTimeoutMs: 30_000,
  /** As for inbox bodies (remote-json.ts) and Mastodon's own fetches: 1 MiB. */
  maxResponseBytes: 1024 * 1024,
};

/** Federation's outbound policy: test host names pinned to loopback; private addresses only when allowed (tests). */
export function federationPolicy(testHosts: Record<string, string>, allowPrivate: boolean): OutboundPolicy {
  return { allowPrivate, pinned: Object.keys(testHosts).length ? (hostname) => testHostAddress(testHosts, hostname) : undefined };
}

/** Makes every fetch of this process (Fedify's included) go through the guarded, bounded agent. */
export function installFederationHttpClient(config: Pick<Config, "testHosts" | "environment">): void {
  const policy = federationPolicy(config.testHosts, config.environment === "test");
  installGlobalDispatcherOnDemand(
    (undici) =>
      new undici.Agent({
        connect: guardedConnector(undici, policy, { timeout: FETCH_LIMITS.connectTimeoutMs }),
        headersTimeout: FETCH_LIMITS.headersTimeoutMs,
        bodyTimeout: FETCH_LIMITS.bodyTimeoutMs,
        maxResponseSize: FETCH_LIMITS.maxResponseBytes,
      }),
  );
}
