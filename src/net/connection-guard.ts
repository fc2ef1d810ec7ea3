// Every outgoing connection Skein opens for another server's sake goes through here: federation
// fetches (Fedify's fetch on the global dispatcher), deliveries, and later media and link
// previews. The rule is checked on the address actually connected to, for every connection —
// redirects open new connections and so pass here again:
//
//   1. a host that is an IP literal (any spelling) is judged before any connection is opened;
//   2. a name is resolved by `guardedLookup`, which drops refused addresses (DNS may answer
//      differently next time, so this is only the first line);
//   3. once TCP is connected, the socket's remote address is judged again, and a refused socket
//      is destroyed before any byte — TLS ClientHello or HTTP request — is written on it.
//
// The policy (address-policy.ts) refuses everything but public unicast. The test environment
// allows private addresses, because test servers federate on loopback, and test-only host names
// (SKEIN_TEST_HOSTS) are allowed at their pinned loopback address.
import net from "node:net";
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from "node:dns";
import type { buildConnector } from "undici";
import type { TLSSocket } from "node:tls";
import type { Undici } from "./undici-on-demand.ts";
import { ipLiteralOf, refusalOf } from "./address-policy.ts";
import type { TlsSessionCache } from "./tls-sessions.ts";

export interface OutboundPolicy {
  /** Private, loopback and other non-public addresses allowed too (SKEIN_ENV=test only). */
  allowPrivate: boolean;
  /** Test-only names resolved to a fixed loopback address, and allowed at that address. */
  pinned?: (hostname: string) => string | undefined;
}

/** The error of a refused connection (the code deliveries and tests recognise). */
export class AddressRefusedError extends Error {
  readonly code = "ERR_PRIVATE_ADDRESS";
  constructor(hostname: string, address: string, reason: string) {
    super(`connection to ${hostname === address ? address : `${hostname} (${address})`} refused: ${reason} address`);
    this.name = "AddressRefusedError";
  }
}

/** Why connecting to `address` for `hostname` is refused under `policy`, or null. */
export function refusalUnder(policy: OutboundPolicy, hostname: string, address: string): string | null {
  if (policy.allowPrivate) return null;
  if (policy.pinned && policy.pinned(hostname) === address.replace(/^::ffff:/i, "")) return null;
  return refusalOf(address);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type GuardedLookup = (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback) => void;

/** A `lookup` for sockets: pinned test names to their address, others through DNS, refused addresses dropped. */
export function guardedLookup(policy: OutboundPolicy): GuardedLookup {
  return (hostname, options, callback) => {
    const answer = (addresses: LookupAddress[]) => {
      if (options?.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    };
    const pinned = policy.pinned?.(hostname);
    if (pinned) return answer([{ address: pinned, family: net.isIP(pinned) }]);
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "");
      const usable = addresses.filter((a) => refusalUnder(policy, hostname, a.address) === null);
      if (usable.length === 0) {
        // Every address refused: name the first one's range.
        const first = addresses[0]?.address ?? "";
        return callback(new AddressRefusedError(hostname, first, refusalOf(first) ?? "refused"), "");
      }
      answer(usable);
    });
  };
}

/**
 * An undici connector (the `connect` option of an Agent, Pool or Client) that applies `policy`
 * to every connection, as described above. `options` are those of undici's own connector
 * (timeout, TLS context …), which still does the TLS handshake, on the checked TCP socket.
 * `undici` is the loaded module (undici-on-demand.ts): agents are made when first used.
 * With `sessions`, TLS sessions the servers issue are kept there and offered when connecting to
 * the same host and port again (tls-sessions.ts says why undici's own cache is not enough).
 */
export function guardedConnector(
  undici: Pick<Undici, "buildConnector" | "errors">,
  policy: OutboundPolicy,
  options: buildConnector.BuildOptions = {},
  sessions?: TlsSessionCache,
): buildConnector.connector {
  const { errors } = undici;
  // With a cache of our own, undici's (weak) one is left off.
  const tls = undici.buildConnector(sessions ? { ...options, maxCachedSessions: 0 } : options);
  // undici's connector takes a session to offer only when it is built; building one is cheap (a
  // closure and an empty cache), so a connection with a kept session gets its own.
  const resuming = (session: Buffer) => undici.buildConnector({ ...options, session, maxCachedSessions: 0 });
  const timeoutMs = options.timeout ?? 10_000;
  const lookup = guardedLookup(policy);
  return (opts, callback) => {
    const { hostname, protocol } = opts;
    const literal = ipLiteralOf(hostname);
    if (literal !== null) {
      const reason = refusalUnder(policy, hostname, literal);
      if (reason) return callback(new AddressRefusedError(hostname, literal, reason), null);
    }
    const socket = net.connect({
      host: literal ?? hostname,
      port: Number(opts.port) || (protocol === "https:" ? 443 : 80),
      lookup,
      localAddress: opts.localAddress ?? undefined,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: 60_000,
    });
    let settled = false;
    const settle: buildConnector.Callback = (...args) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      callback(...args);
    };
    const timer = setTimeout(() => {
      socket.destroy();
      settle(new errors.ConnectTimeoutError(`Connect Timeout Error (${hostname}:${opts.port}, timeout: ${timeoutMs}ms)`), null);
    }, timeoutMs);
    // Stays attached after the handover: a late error of the raw socket must not go unheard.
    socket.on("error", (error) => settle(error, null));
    socket.once("connect", () => {
      const address = socket.remoteAddress ?? "";
      const reason = refusalUnder(policy, hostname, address);
      if (reason) {
        socket.destroy();
        return settle(new AddressRefusedError(hostname, address, reason), null);
      }
      if (protocol !== "https:") return settle(null, socket);
      // From here undici's connector owns the connection (and its TLS timeout).
      clearTimeout(timer);
      settled = true;
      if (!sessions) return tls({ ...opts, httpSocket: socket }, callback);
      const key = `${hostname}:${opts.port || 443}`;
      const session = sessions.get(key);
      // undici's connector returns the TLS socket it made (its typings say void).
      const secure = (session ? resuming(session) : tls)({ ...opts, httpSocket: socket }, callback) as unknown as TLSSocket | undefined;
      secure?.on("session", (issued: Buffer) => sessions.set(key, issued));
      // A handshake that failed after offering a session: the next try starts afresh. (undici
      // ends connections with an error too, closing them after use: those keep their session.)
      if (session && secure) {
        let secured = false;
        secure.once("secureConnect", () => (secured = true));
        secure.once("error", () => secured || sessions.delete(key));
      }
    });
  };
}

/**
 * Why a URL would be refused as a destination, or null: its host is an IP literal judged at
 * once, or a name whose every address must be allowed (a name with any refused address is
 * refused — it is meant for values stored now and used later, when DNS may pick another).
 */
export async function destinationRefusal(url: URL, policy: OutboundPolicy): Promise<string | null> {
  const literal = ipLiteralOf(url.hostname);
  if (literal !== null) return refusalUnder(policy, url.hostname, literal);
  if (policy.pinned?.(url.hostname)) return null;
  const addresses = await new Promise<LookupAddress[] | null>((resolve) =>
    dnsLookup(url.hostname, { all: true }, (error, found) => resolve(error ? null : found)),
  );
  if (!addresses || addresses.length === 0) return "does not resolve";
  for (const { address } of addresses) {
    const reason = refusalUnder(policy, url.hostname, address);
    if (reason) return `resolves to a ${reason} address (${address})`;
  }
  return null;
}
