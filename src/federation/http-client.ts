// The HTTP clients federation uses. Fedify fetches (actors, objects, keys) through Node's fetch
// on one undici agent whose limits bound what another server can cost us — connect and response
// timeouts, and a cap on response bodies (actors, posts and collections are small; a server that
// sends megabytes is either broken or hostile). Deliveries have their own agent
// (delivery/http-sender.ts) sharing the name resolution below.
//
// Name resolution refuses private, loopback and link-local addresses in production, so a remote
// actor cannot point us at the machine's own network.
//
// Test-only seam (SKEIN_ENV=test with SKEIN_TEST_HOSTS="a.test=127.0.0.2,b.test=127.0.0.3,*.fleet.test=127.0.0.1"):
// the named test hosts resolve to loopback addresses, so several Skein instances can federate
// over real HTTPS on one machine. config.ts refuses the variable outside the test environment;
// other names resolve through DNS as usual.
import { BlockList, isIP } from "node:net";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { Agent, setGlobalDispatcher } from "undici";
import { testHostAddress } from "../config/config.ts";

export const FETCH_LIMITS = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 15_000,
  maxResponseBytes: 4 * 1024 * 1024,
};

const privateRanges = new BlockList();
for (const [network, prefix] of [["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12], ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 3]] as const) {
  privateRanges.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8]] as const) {
  privateRanges.addSubnet(network, prefix, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6 && address.toLowerCase().startsWith("::ffff:") && isIP(address.slice(7)) === 4) return privateRanges.check(address.slice(7), "ipv4");
  return privateRanges.check(address, family === 4 ? "ipv4" : "ipv6");
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for sockets: test hosts from the map, others through DNS, private addresses refused unless allowed. */
export function federationLookup(testHosts: Record<string, string>, allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    const address = testHostAddress(testHosts, hostname);
    if (address) {
      const family = address.includes(":") ? 6 : 4;
      if (options?.all) callback(null, [{ address, family }]);
      else callback(null, address, family);
      return;
    }
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "");
      const usable = allowPrivate ? addresses : addresses.filter((a) => !isPrivateAddress(a.address));
      if (usable.length === 0) {
        const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves only to private addresses; refused`);
        refused.code = "ERR_PRIVATE_ADDRESS";
        return callback(refused, "");
      }
      if (options?.all) callback(null, usable);
      else callback(null, usable[0].address, usable[0].family);
    });
  };
}

export function installFederationHttpClient(testHosts: Record<string, string> = {}): void {
  setGlobalDispatcher(
    new Agent({
      // Fedify checks addresses itself before it fetches; tests need loopback here.
      connect: { timeout: FETCH_LIMITS.connectTimeoutMs, ...(Object.keys(testHosts).length ? { lookup: federationLookup(testHosts, true) as never } : {}) },
      headersTimeout: FETCH_LIMITS.headersTimeoutMs,
      bodyTimeout: FETCH_LIMITS.bodyTimeoutMs,
      maxResponseSize: FETCH_LIMITS.maxResponseBytes,
    }),
  );
}
