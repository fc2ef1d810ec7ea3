// Test-only seam (SKEIN_ENV=test with SKEIN_TEST_HOSTS="a.test=127.0.0.2,b.test=127.0.0.3"):
// resolves the named test hosts to loopback addresses, so several Skein instances can federate
// over real HTTPS on one machine. Production never installs it (config.ts refuses the variable
// outside the test environment); other names resolve through DNS as usual.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { Agent, setGlobalDispatcher } from "undici";

export function installTestHosts(hosts: Record<string, string>): void {
  if (Object.keys(hosts).length === 0) return;
  const lookup = (hostname: string, options: { all?: boolean }, callback: (...args: any[]) => void) => {
    const address = hosts[hostname.toLowerCase()];
    if (!address) return dnsLookup(hostname, options as never, callback as never);
    const family = address.includes(":") ? 6 : 4;
    if (options?.all) callback(null, [{ address, family } satisfies LookupAddress]);
    else callback(null, address, family);
  };
  setGlobalDispatcher(new Agent({ connect: { lookup: lookup as never } }));
}
