// Which IP addresses Skein may open outgoing connections to: public unicast only. Everything a
// remote server can name — an inbox, an actor, a key, a context, later a media or link-preview
// URL — ends up as an address here before a connection is opened, so this table is the one
// answer to "can a stranger make Skein reach the machine's own network?".
//
// IPv6 addresses that carry an IPv4 address (IPv4-mapped, NAT64, 6to4) are judged by the IPv4
// address they reach; IPv6 outside global unicast (2000::/3) is refused whatever it is.
// Ranges come from IANA's IPv4 and IPv6 special-purpose address registries (RFC 6890 and later).
import { isIP } from "node:net";

interface Range4 {
  base: number;
  mask: number;
  name: string;
}

interface Range6 {
  base: bigint;
  mask: bigint;
  name: string;
}

/** Refused IPv4 ranges; the first match names the reason. */
const REFUSED_V4: Range4[] = [
  ["0.0.0.0/8", "\"this network\""],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "shared (carrier-grade NAT)"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local"],
  ["172.16.0.0/12", "private"],
  ["192.0.0.0/24", "IETF protocol assignments"],
  ["192.0.2.0/24", "documentation"],
  ["192.88.99.0/24", "6to4 relay anycast"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "benchmarking"],
  ["198.51.100.0/24", "documentation"],
  ["203.0.113.0/24", "documentation"],
  ["224.0.0.0/4", "multicast"],
  ["255.255.255.255/32", "broadcast"],
  ["240.0.0.0/4", "reserved"],
].map(([cidr, name]) => range4(cidr, name));

/** IPv6 ranges that embed an IPv4 address, and where it sits (bits from the right). */
const EMBEDDING_V6: (Range6 & { shift: bigint })[] = [
  { ...range6("::ffff:0:0/96", "IPv4-mapped"), shift: 0n },
  { ...range6("64:ff9b::/96", "NAT64"), shift: 0n },
  { ...range6("2002::/16", "6to4"), shift: 80n },
];

/** Refused IPv6 ranges, checked after the embedding ones. */
const REFUSED_V6: Range6[] = [
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  // Deprecated since 2006 and never routed; ::1 and :: are inside it, named above.
  ["::/96", "IPv4-compatible"],
  ["64:ff9b:1::/48", "local-use NAT64"],
  ["100::/64", "discard-only"],
  ["2001::/23", "IETF protocol assignments (Teredo, benchmarking, ORCHID)"],
  ["2001:db8::/32", "documentation"],
  ["3fff::/20", "documentation"],
  ["fc00::/7", "unique-local"],
  ["fe80::/10", "link-local"],
  ["fec0::/10", "site-local"],
  ["ff00::/8", "multicast"],
].map(([cidr, name]) => range6(cidr, name));

const GLOBAL_UNICAST_V6 = range6("2000::/3", "global unicast");

/**
 * Why a connection to `address` is refused — the name of its range — or null when it is a public
 * address. Takes an address as a socket reports it (`127.0.0.1`, `::ffff:127.0.0.1`, `fe80::1%eth0`);
 * anything that is not an IP address is refused.
 */
export function refusalOf(address: string): string | null {
  const bare = address.replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 4) return refusalOfV4(ipv4Value(bare));
  if (family === 6) return refusalOfV6(ipv6Value(bare));
  return "not an IP address";
}

export function isPublicAddress(address: string): boolean {
  return refusalOf(address) === null;
}

/**
 * The address a URL's host names when it is an IP literal, in any spelling a URL parser accepts
 * (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`, `[::ffff:7f00:1]` …), written the canonical way
 * (no brackets); null when the host is a name.
 */
export function ipLiteralOf(host: string): string | null {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  // The URL parser writes every spelling the one canonical way (IPv6 needs its brackets).
  const text = isIP(bare) === 6 ? `[${bare}]` : host;
  if (!URL.canParse(`http://${text}/`)) return null;
  const url = new URL(`http://${text}/`);
  // Only a bare host: "a/b" or "a@b" would parse as something else than the host asked about.
  if (url.pathname !== "/" || url.username) return null;
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(hostname) ? hostname : null;
}

function refusalOfV4(value: number): string | null {
  for (const range of REFUSED_V4) if (((value & range.mask) >>> 0) === range.base) return range.name;
  return null;
}

function refusalOfV6(value: bigint): string | null {
  for (const range of EMBEDDING_V6) {
    if ((value & range.mask) !== range.base) continue;
    const embedded = refusalOfV4(Number((value >> range.shift) & 0xffffffffn));
    return embedded === null ? null : `${range.name} ${embedded}`;
  }
  for (const range of REFUSED_V6) if ((value & range.mask) === range.base) return range.name;
  if ((value & GLOBAL_UNICAST_V6.mask) !== GLOBAL_UNICAST_V6.base) return "reserved (not global unicast)";
  return null;
}

function ipv4Value(address: string): number {
  return address.split(".").reduce((value, part) => ((value << 8) | Number(part)) >>> 0, 0);
}

/** A valid IPv6 address (isIP said so) as a 128-bit number; a trailing dotted quad is two words. */
export function ipv6Value(address: string): bigint {
  const words = (part: string): number[] =>
    part === ""
      ? []
      : part.split(":").flatMap((word) => {
          if (!word.includes(".")) return [parseInt(word, 16)];
          const v4 = ipv4Value(word);
          return [v4 >>> 16, v4 & 0xffff];
        });
  const gap = address.indexOf("::");
  const all =
    gap === -1
      ? words(address)
      : (() => {
          const head = words(address.slice(0, gap));
          const tail = words(address.slice(gap + 2));
          return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
        })();
  return all.reduce((value, word) => (value << 16n) | BigInt(word), 0n);
}

function range4(cidr: string, name: string): Range4 {
  const [network, bits] = cidr.split("/");
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return { base: (ipv4Value(network) & mask) >>> 0, mask, name };
}

function range6(cidr: string, name: string): Range6 {
  const [network, bits] = cidr.split("/");
  const all = (1n << 128n) - 1n;
  const mask = (all << (128n - BigInt(bits))) & all;
  return { base: ipv6Value(network) & mask, mask, name };
}
