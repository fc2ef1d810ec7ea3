// The HTTP client Fedify (and so all of federation) fetches with: Node's fetch through one undici
// agent whose limits bound what another server can cost us — connect and response timeouts,
// and a cap on response bodies (actors, posts and collections are small; a server that sends
// megabytes is either broken or hostile).
//
// Test-only seam (SKEIN_ENV=test with SKEIN_TEST_HOSTS="a.test=127.0.0.2,b.test=127.0.0.3,*.fleet.test=127.0.0.1"):
// the named test hosts resolve to loopback addresses, so several Skein instances can federate
// over real HTTPS on one machine. config.ts refuses the variable outside the test environment;
// other names resolve through DNS as usual.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { Agent, setGlobalDispatcher } from "undici";
import { testHostAddress } from "../config/config.ts";

export const FETCH_LIMITS = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 15_000,
  maxResponseBytes: 4 * 1024 * 1024,
};

export function installFederationHttpClient(testHosts: Record<string, string> = {}): void {
  const lookup = (hostname: string, options: { all?: boolean }, callback: (...args: any[]) => void) => {
    const address = testHostAddress(testHosts, hostname);
    if (!address) return dnsLookup(hostname, options as never, callback as never);
    const family = address.includes(":") ? 6 : 4;
    if (options?.all) callback(null, [{ address, family } satisfies LookupAddress]);
    else callback(null, address, family);
  };
  setGlobalDispatcher(
    new Agent({
      connect: { timeout: FETCH_LIMITS.connectTimeoutMs, ...(Object.keys(testHosts).length ? { lookup: lookup as never } : {}) },
      headersTimeout: FETCH_LIMITS.headersTimeoutMs,
      bodyTimeout: FETCH_LIMITS.bodyTimeoutMs,
      maxResponseSize: FETCH_LIMITS.maxResponseBytes,
    }),
  );
}
