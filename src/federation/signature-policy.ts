// What an HTTP signature must cover before Fedify 2.3.6 is asked whether it verifies: rules
// Fedify does not enforce by itself, each of which Mastodon does (app/lib/signed_request.rb and
// the controllers' signature verification). A signature that covers too little proves less than
// it seems to: whoever holds the signed request could resend it elsewhere or with another body
// within the time window.
//
//   draft-cavage: `(request-target)` and `host` — without the host, a request signed for one
//   server's /inbox is as valid at every other server's /inbox. (Fedify itself requires
//   `(request-target)`, `date`, and `digest` when there is a body, and checks the Digest.)
//   RFC 9421: `@method` and `@target-uri`, and `content-digest` when there is a body (POST) —
//   Fedify checks the Content-Digest only when it is covered, and requires no component at all.
//
// Requests it refuses never reach Fedify: inbox POSTs (inbox-gate.ts), and signed GETs when
// authorized fetch is on (index.ts), both with 401.

const DRAFT_REQUIRED = ["(request-target)", "host"];
const RFC9421_REQUIRED = ["@method", "@target-uri"];

/**
 * A 401 for a request whose signature covers too little (or cannot be read); null when it may
 * go on to Fedify's verification, or carries no signature at all (the caller's rule).
 */
export function weakSignatureRefusal(request: Request): Response | null {
  const missing = missingComponents(request);
  if (missing === null) return null;
  return Response.json({ error: `The request signature must cover ${missing.join(", ")}` }, { status: 401 });
}

/** What the request's signature should cover and does not; [] when unreadable; null when it is enough (or there is none). */
export function missingComponents(request: Request): string[] | null {
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  const input = request.headers.get("Signature-Input");
  if (input !== null) {
    const signatures = coveredComponents(input);
    if (signatures === null || signatures.length === 0) return ["readable Signature-Input"];
    const required = hasBody ? [...RFC9421_REQUIRED, "content-digest"] : RFC9421_REQUIRED;
    // Every signature must be strong enough: Fedify accepts the request when any one verifies.
    const missing = new Set(signatures.flatMap((components) => required.filter((name) => !components.includes(name))));
    return missing.size ? [...missing] : null;
  }
  const signature = request.headers.get("Signature");
  if (signature === null) return null;
  const headers = draftCoveredHeaders(signature);
  if (headers === null) return ["a headers list"];
  const required = hasBody ? [...DRAFT_REQUIRED, "digest"] : DRAFT_REQUIRED;
  const missing = required.filter((name) => !headers.includes(name));
  return missing.length ? missing : null;
}

/** The `headers` parameter of a draft-cavage Signature header, lower-cased; null when absent. */
export function draftCoveredHeaders(header: string): string[] | null {
  const match = /(?:^|,)\s*headers\s*=\s*"([^"]{0,2048})"/i.exec(header.slice(0, 8192));
  return match ? match[1].toLowerCase().split(/\s+/).filter(Boolean) : null;
}

/**
 * The component names each signature of a Signature-Input dictionary covers (the strings of each
 * inner list, not its parameters); null when the header is malformed. Only what is needed to
 * decide the rules above: member names and parameters are skipped.
 */
export function coveredComponents(header: string): string[][] | null {
  const lists: string[][] = [];
  let current: string[] | null = null;
  let previous = "";
  for (let i = 0; i < header.length; i++) {
    const ch = header[i];
    if (ch === '"') {
      let value = "";
      for (i++; i < header.length && header[i] !== '"'; i++) {
        if (header[i] === "\\") i++;
        value += header[i] ?? "";
      }
      if (i >= header.length) return null;
      // A string inside a list is a component, unless it is a parameter's value (`;name="…"`).
      if (current && previous !== "=") current.push(value);
      previous = '"';
      continue;
    }
    if (ch === "(") {
      if (current) return null;
      current = [];
    } else if (ch === ")") {
      if (!current) return null;
      lists.push(current);
      current = null;
    }
    if (ch !== " ") previous = ch;
  }
  return current ? null : lists;
}
