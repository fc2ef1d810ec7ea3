// A rule Fedify 2.3.6 does not enforce by itself: an RFC 9421 signature on a request with a body
// must cover `content-digest`, or the signature says nothing about the body — anyone holding such
// a request could resend it within the time window with another activity inside. (Fedify already
// requires `digest` for draft-cavage signatures.) Requests it refuses never reach Fedify.

/**
 * A 401 for a POST whose `Signature-Input` has a signature that does not cover `content-digest`
 * (or that cannot be read); null when the request may go on to Fedify's verification.
 */
export function uncoveredBodyRefusal(request: Request): Response | null {
  if (request.method !== "POST") return null;
  const input = request.headers.get("Signature-Input");
  if (input === null) return null;
  const signatures = coveredComponents(input);
  if (signatures !== null && signatures.every((components) => components.includes("content-digest"))) return null;
  return new Response("The request signature must cover content-digest.", { status: 401, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/**
 * The component names each signature of a Signature-Input dictionary covers (the strings of each
 * inner list, not its parameters); null when the header is malformed. Only what is needed to
 * decide the rule above: member names and parameters are skipped.
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
