// IP ranges as moderators type them ("192.0.2.7", "192.0.2.0/24", "2001:DB8::/32") and as
// sign-up blocks store and compare them: one spelling per range (the network address with its
// host bits cleared, IPv6 written the RFC 5952 way, the prefix always present), and a test of
// whether an address falls inside.
import { isIP } from "node:net";
import { validationFailed } from "../errors.ts";

export interface IpRange {
  family: 4 | 6;
  /** The network address as a number (host bits cleared). */
  base: bigint;
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

/** Parses an address or CIDR range; a validation error says what is wrong with it. */
export function parseIpRange(input: string): IpRange {
  const text = input.trim();
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  const family = isIP(address);
  if (family !== 4 && family !== 6) throw validationFailed(`Ip "${input}" is not an IP address or CIDR range`);
  const bits = BITS[family];
  let prefix: number = bits;
  if (slash >= 0) {
    const digits = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(digits) || Number(digits) > bits) throw validationFailed(`Ip "${input}" has an invalid prefix length (0 to ${bits})`);
    prefix = Number(digits);
  }
  const value = family === 4 ? ipv4Number(address) : ipv6Number(address);
  return { family, base: value & maskOf(bits, prefix), prefix };
}

/** The stored spelling of a range: "192.0.2.0/24", "2001:db8::/32", "198.51.100.7/32". */
export function formatIpRange(range: IpRange): string {
  return `${range.family === 4 ? formatIpv4(range.base) : formatIpv6(range.base)}/${range.prefix}`;
}

/** Whether `address` (a single address, no prefix) lies in `range`; false when it is not an address. */
export function rangeContains(range: IpRange, address: string): boolean {
  const family = isIP(address);
  if (family !== range.family) {
    // An IPv4 client seen through an IPv6 socket ("::ffff:192.0.2.7") is still that IPv4 client.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped && range.family === 4) return rangeContains(range, mapped[1]);
    return false;
  }
  const value = family === 4 ? ipv4Number(address) : ipv6Number(address);
  return (value & maskOf(BITS[range.family], range.prefix)) === range.base;
}

function maskOf(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return prefix === 0 ? 0n : (all >> BigInt(bits - prefix)) << BigInt(bits - prefix);
}

function ipv4Number(address: string): bigint {
  return address.split(".").reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

/** A valid IPv6 address (isIP said so) as a 128-bit number; a trailing dotted quad is two words. */
function ipv6Number(address: string): bigint {
  const bare = address.replace(/%.*$/, "");
  const words = (part: string): bigint[] =>
    part === ""
      ? []
      : part.split(":").flatMap((word) => {
          if (!word.includes(".")) return [BigInt(parseInt(word, 16))];
          const v4 = ipv4Number(word);
          return [v4 >> 16n, v4 & 0xffffn];
        });
  const gap = bare.indexOf("::");
  const all = gap < 0 ? words(bare) : (() => {
    const head = words(bare.slice(0, gap));
    const tail = words(bare.slice(gap + 2));
    return [...head, ...new Array<bigint>(8 - head.length - tail.length).fill(0n), ...tail];
  })();
  return all.reduce((value, word) => (value << 16n) | word, 0n);
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}

/** RFC 5952: lower-case hex, no leading zeros, the longest run (two or more) of zero words as "::". */
function formatIpv6(value: bigint): string {
  const words = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
