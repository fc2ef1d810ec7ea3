// Domain names as moderators type them and as the policy compares them: one spelling per domain
// (lower case, punycode, no trailing dot), and the rule that a block of a domain covers its
// subdomains ("*.example.com" is accepted and means the same as "example.com", as in Mastodon).
import { domainToASCII } from "node:url";
import { validationFailed } from "../errors.ts";

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// Domain blocks may name a top-level label alone ("*.xyz" blocks a whole TLD), so one label is fine.
const MAX_DOMAIN_LENGTH = 253;

/**
 * The canonical form of a domain typed by a person or read from a list, or a validation error
 * saying why it is not a domain (a URL, a path, a port, an address, an empty string…).
 */
export function normalizeDomain(input: string): string {
  let text = input.trim();
  if (text.startsWith("*.")) text = text.slice(2);
  if (text.endsWith(".")) text = text.slice(0, -1);
  if (!text || /[\s/:@?#\\*]/.test(text)) throw validationFailed(`"${input}" is not a domain name (no scheme, port, path or wildcard other than a leading "*.")`);
  const ascii = domainToASCII(text.toLowerCase());
  if (!ascii || ascii.length > MAX_DOMAIN_LENGTH) throw validationFailed(`"${input}" is not a valid domain name`);
  const labels = ascii.split(".");
  if (!labels.every((label) => LABEL.test(label))) throw validationFailed(`"${input}" is not a valid domain name`);
  if (labels.length === 4 && labels.every((label) => /^\d+$/.test(label))) throw validationFailed(`"${input}" is an IP address, not a domain name`);
  return ascii;
}

/** The host itself, then each parent: "a.b.example" → ["a.b.example", "b.example", "example"]. */
export function domainAndParents(host: string): string[] {
  const name = host.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  const out: string[] = [];
  let rest = name;
  for (;;) {
    out.push(rest);
    const dot = rest.indexOf(".");
    if (dot < 0) return out;
    rest = rest.slice(dot + 1);
  }
}
