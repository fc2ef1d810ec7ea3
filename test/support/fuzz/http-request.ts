// One generated HTTP request, the encodings a client may use for its parameters (query string,
// form, multipart, JSON — each sometimes malformed on purpose), and a short description of it:
// what a failure prints, so it can be sent again by hand.
import fc from "fast-check";
import { describeJson, jsonText, type JsonNode } from "./json-text.ts";

export interface FuzzRequest {
  method: string;
  /** Path and query, percent-encoded as sent. */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** A short account of the body (a deep or huge document is described, not printed). */
  bodyNote: string;
}

export function fuzzRequest(parts: Omit<FuzzRequest, "bodyNote"> & { bodyNote?: string }): FuzzRequest {
  const request: FuzzRequest = { ...parts, bodyNote: parts.bodyNote ?? excerpt(parts.body) };
  // fast-check prints counterexamples with this: the whole of a 600 KB body would bury the point.
  Object.defineProperty(request, fc.toStringMethod, { value: () => describeRequest(request), enumerable: false });
  return request;
}

export function excerpt(body: string | Buffer | undefined, max = 300): string {
  if (body === undefined) return "(no body)";
  const text = typeof body === "string" ? body : `<${body.length} bytes> ${body.subarray(0, max).toString("latin1")}`;
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text) + (text.length > max ? ` (${text.length} chars)` : "");
}

export function describeRequest(request: FuzzRequest): string {
  const path = request.path.length > 300 ? `${request.path.slice(0, 300)}…(${request.path.length} chars)` : request.path;
  const headers = Object.entries(request.headers)
    .map(([k, v]) => `${k}: ${v.length > 400 ? `${v.slice(0, 400)}…(${v.length})` : v}${basicCredentials(v)}`)
    .join(" | ");
  return `${request.method} ${path}\n    headers: ${headers || "(none)"}\n    body: ${request.bodyNote}`;
}

/** What a Basic authorization header decodes to, to show beside it. */
function basicCredentials(value: string): string {
  const encoded = /^Basic\s+(\S{1,200})$/i.exec(value)?.[1];
  return encoded ? ` (decodes to ${JSON.stringify(Buffer.from(encoded, "base64").toString("utf8"))})` : "";
}

/** A query-string or form pair; `raw` values go out unencoded (invalid escapes such as %zz). */
export interface Pair {
  key: string;
  value: string;
  raw?: boolean;
}

/** encodeURIComponent refuses lone surrogates; a client would send U+FFFD for them. */
export function encode(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, (c, i, s) => (isPaired(s, i) ? c : "\ufffd")));
}

function isPaired(s: string, i: number): boolean {
  const code = s.charCodeAt(i);
  if (code <= 0xdbff) return i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
  return i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff;
}

/** Bodies stop a little over the 1 MiB the server reads, query strings a little over the 16 KiB head Node reads. */
export const MAX_BODY_CHARS = 1_200_000;
export const MAX_QUERY_CHARS = 20_000;

/** Pairs as `a=b&c=d`, the pairs that would go past `maxChars` left off (and a long value cut to fit). */
export function urlEncoded(pairs: Pair[], maxChars = MAX_BODY_CHARS): string {
  const out: string[] = [];
  let length = 0;
  for (const p of pairs) {
    const pair = `${encode(p.key.slice(0, maxChars))}=${p.raw ? p.value : encode(p.value.slice(0, maxChars))}`.slice(0, maxChars - length);
    out.push(pair);
    length += pair.length + 1;
    if (length >= maxChars) break;
  }
  return out.join("&");
}

export function withQuery(path: string, pairs: Pair[]): string {
  return pairs.length ? `${path}?${urlEncoded(pairs, MAX_QUERY_CHARS)}` : path;
}

/** multipart/form-data by hand, so it can also be wrong: another boundary, no end, a file part. */
export function multipart(pairs: Pair[], flaw: "none" | "wrong-boundary" | "unterminated" | "no-boundary" | "file-part"): { contentType: string; body: string } {
  const boundary = "fuzzboundary7MA4YWxkTrZu0gW";
  const parts = limitPairs(pairs).map((p, i) =>
    flaw === "file-part" && i === 0
      ? `--${boundary}\r\nContent-Disposition: form-data; name="${p.key}"; filename="../../${p.value.slice(0, 50)}"\r\nContent-Type: image/png\r\n\r\n\u0089PNG\r\n\u001a\n${p.value}\r\n`
      : `--${boundary}\r\nContent-Disposition: form-data; name="${p.key.replace(/"/g, "%22")}"\r\n\r\n${p.value}\r\n`,
  );
  const body = parts.join("") + (flaw === "unterminated" ? `--${boundary}\r\nContent-Disposition: form-data; name="x"\r\n\r\nunfinished` : `--${boundary}--\r\n`);
  const contentType = flaw === "no-boundary" ? "multipart/form-data" : `multipart/form-data; boundary=${flaw === "wrong-boundary" ? "other" : boundary}`;
  return { contentType, body };
}

/** As many pairs as fit in a body. */
function limitPairs(pairs: Pair[]): Pair[] {
  const kept: Pair[] = [];
  let length = 0;
  for (const p of pairs) {
    length += p.key.length + p.value.length + 80;
    if (length > MAX_BODY_CHARS) break;
    kept.push(p);
  }
  return kept;
}

/** Text that is not JSON, or is JSON of a shape no endpoint takes. */
export const invalidJsonTexts = [
  "{", "}", "[", "{\"a\":", "{\"a\":1,}", "[1,]", "{'a':1}", "{a:1}", "NaN", "Infinity", "undefined", "\ufeff{}", "{}garbage",
  "{\"a\":1}{\"b\":2}", "/* c */ {}", "\"x\"", "1", "null", "true", "[]", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\u0000\"}",
  "{\"a\":\"\\x41\"}", "{\"\\u0000\":1}", "{\"a\":01}", "{\"a\":1e309}", "{\"a\":-}", " ", "\u0000", "{\"a\":\"\u0000\"}",
] as const;

/** Bodies that break a parser by their size or shape (unclosed nesting, invalid UTF-8). */
export const invalidJsonBodies: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constantFrom(...invalidJsonTexts),
  fc.integer({ min: 1000, max: 500_000 }).map((n) => "[".repeat(n)),
  fc.integer({ min: 1000, max: 200_000 }).map((n) => "{\"a\":".repeat(n)),
  fc.constantFrom(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d])),
);

export function jsonBody(node: JsonNode): { body: string; note: string } {
  const body = jsonText(node);
  return { body, note: `${describeJson(node)} (${body.length} chars)` };
}
