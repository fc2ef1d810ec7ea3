// Hostile scalar values: strings with NUL and control characters, prototype keys, numbers that
// overflow or are not integers, IDN and IP-literal URLs, accounts on other servers, path segments.
//
// Every host a generated value can name is on loopback, so the server under test, which fetches
// what it is handed (search with resolve, account lookups, actors and keys named by an activity),
// never connects anywhere else: names under `fuzz.test` (IDN ones included, the label below it)
// map to 127.0.0.9 through SKEIN_TEST_HOSTS, where nothing listens, and IP literals are loopback in
// all their spellings. For that, free text never contains "@", ":" or "/" (so it cannot form a URL
// or an account on a real server); values with them are built here from the safe hosts only.
import fc from "fast-check";

/** Handed to the server as SKEIN_TEST_HOSTS: the fuzzer's names resolve to a loopback address. */
export const FUZZ_TEST_HOSTS = "fuzz.test=127.0.0.9,*.fuzz.test=127.0.0.9";

/** What a fuzz run knows about the server and the user it signed up. */
export interface FuzzTarget {
  /** e.g. http://127.0.0.1:43121 */
  origin: string;
  /** 127.0.0.1:43121 */
  host: string;
  port: number;
  username: string;
  password: string;
  accountId: string;
  token: string;
  /** An app of the user's (for OAuth requests that name a real client). */
  clientId: string;
  clientSecret: string;
  /** A signed-in web session (cookie value), for the consent form. */
  session: string;
  /** Ids of the user's own objects, by kind (status, list, filter, notification…), for path params. */
  ids: Record<string, string[]>;
}

const controlCharacters = ["\u0000", "\u0001", "\u0007", "\b", "\t", "\n", "\u000b", "\f", "\r", "\u001b", "\u007f", "\u0085", "\u00a0", "\u2028", "\u2029", "\u200b", "\u200e", "\u202e", "\ufeff", "\ufffe", "\uffff"];
const awkwardUnicode = ["é", "ß", "İ", "ı", "ﬁ", "Å", "𝔘", "😀", "👩‍👩‍👧", "\u0301", "\ud800", "\udc00", "中文", "עברית", "العربية", "ｆｕｌｌ", "Ⅻ", "①", "ǅ"];
// No "@", ":" or "/": see the header comment.
const plainCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.,;!?#$%&'\"*+=<>()[]{}|\\^`~".split("");

const character = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...plainCharacters) },
  { weight: 2, arbitrary: fc.constantFrom(...controlCharacters) },
  { weight: 2, arbitrary: fc.constantFrom(...awkwardUnicode) },
);

/** Text made of printable, control and awkward Unicode characters (never "@", ":" or "/"). */
export const freeText = fc.array(character, { maxLength: 40 }).map((chars) => chars.join(""));

/** Words that mean something to JavaScript objects, SQL, HTML or a shell. */
export const loadedWords = [
  "__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty", "__defineGetter__", "then",
  "", " ", "null", "undefined", "NaN", "true", "false", "[object Object]",
  "' OR '1'='1", "'; DROP TABLE accounts; --", "%", "_", "\\", "%00", "%zz", "%ff", "%c0%af", "%ed%a0%80",
  "<script>alert(1)</script>", "${7*7}", "{{7*7}}", "$(id)", "..", "...", "~", "*", "?",
] as const;

/** Numbers as text, where an integer (a limit, an offset, an id) is expected. */
export const awkwardNumbers = [
  "1.5", "1e309", "-1e309", "Infinity", "-Infinity", "NaN", "-1", "0", "-0", "1e3", "0x10", "010", "1_000", " 1", "1 ",
  "+1", "9223372036854775807", "9223372036854775808", "18446744073709551616", "-9223372036854775809",
  "9007199254740993", "2147483648", "4294967296", "99999999999999999999999", "1e-7", "0.0000001", "١٢", "１",
] as const;

const longText = fc.oneof(
  fc.integer({ min: 500, max: 5000 }).map((n) => "a".repeat(n)),
  fc.integer({ min: 5000, max: 200_000 }).map((n) => "é".repeat(n)),
  fc.integer({ min: 100, max: 20_000 }).map((n) => "\u0000".repeat(n)),
  fc.tuple(fc.constantFrom(...controlCharacters), fc.integer({ min: 100, max: 50_000 })).map(([c, n]) => `x${c}`.repeat(n)),
);

/** Dates and times a parser may accept, refuse or overflow on. */
const awkwardDates = [
  "2024-13-45T99:99:99Z", "0000-00-00", "+275760-09-13T00:00:00.000Z", "+275760-09-13T00:00:00.001Z", "-271821-04-20T00:00:00.000Z",
  "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2024-02-30", "2024-01-01T00:00:00+25:00", "yesterday", "1e309", "-1",
] as const;

/**
 * Loopback, in every spelling an address parser might miss. No names (even "localhost" may be
 * asked of DNS for its IPv6 address) and not the IPv4-compatible [::127.0.0.1], which is routed off
 * the machine.
 */
export const loopbackHosts = [
  "127.0.0.1", "127.0.0.65", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.0.0.1", "127.000.000.001",
  "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
] as const;

/**
 * Names under fuzz.test, IDN labels and Unicode spellings included, all mapping to 127.0.0.9 (an
 * empty label or a trailing dot would not match the map and would be asked of DNS: not here).
 */
const fuzzNames = [
  "fuzz.test", "a.fuzz.test", "FUZZ.TEST", "bücher.fuzz.test", "xn--bcher-kva.fuzz.test", "пример.fuzz.test", "例え.fuzz.test",
  "ｆｕｚｚ.fuzz.test", "ß.fuzz.test", "a\u00ad.fuzz.test", "a\u200d.fuzz.test", "xn--.fuzz.test", "xn--zz.fuzz.test", "a_b.fuzz.test",
  "bücher。fuzz.test", `${"a".repeat(64)}.fuzz.test`,
] as const;

/** Hosts a generated URL or account may name: loopback, the server itself, or fuzz.test names. */
export function safeHost(target: FuzzTarget): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...fuzzNames) },
    { weight: 3, arbitrary: fc.constantFrom(...loopbackHosts) },
    { weight: 2, arbitrary: fc.constant(target.host) },
  );
}

const ports = ["", ":0", ":1", ":65535", ":65536", ":99999", ":", ":-1", ":0x50"] as const;

/** URLs: mostly http(s) on a safe host, often malformed, never pointing off this machine. */
export function urlText(target: FuzzTarget): fc.Arbitrary<string> {
  const scheme = fc.constantFrom("https", "http", "HTTPS", "hTtP", "ftp", "file", "javascript", "data", "acct", "gopher", "ws");
  const path = fc.oneof(
    fc.constant("/"),
    fc.constant(""),
    fc.constantFrom(`/users/${target.username}`, `/users/${target.username}#main-key`, "/users/nobody", "/inbox", "/.well-known/webfinger?resource=x", "/%2e%2e/%2e%2e/etc/passwd", "/../../etc/passwd", "/a?b=c#d"),
    freeText.map((t) => `/${encodeURIComponent(t.replace(/[\ud800-\udfff]/g, "\ufffd"))}`),
  );
  const userinfo = fc.constantFrom("", "", "", "user@", "user:pass@", `${"a".repeat(300)}@`, "a%40b@", "127.0.0.1@");
  const wellFormed = fc
    .tuple(scheme, userinfo, safeHost(target), fc.constantFrom(...ports), path)
    .map(([s, u, h, p, rest]) => `${s}://${u}${h}${p}${rest}`);
  const ownServer = fc.constantFrom(
    `${target.origin}/users/${target.username}`,
    `${target.origin}/users/${target.username}/statuses/${target.ids.status?.[0] ?? "1"}`,
    `${target.origin}/@${target.username}`,
    `${target.origin}/users/${target.username}#main-key`,
    `${target.origin}/nonexistent`,
  );
  const malformed = fc.constantFrom("https://", "https:///a", "//a.fuzz.test/x", "http:\\\\a.fuzz.test\\x", "https://[::1", "https://a.fuzz.test:99999999999", "https://%00.fuzz.test/", "https://a b.fuzz.test/", "notaurl", "", " ", "https://a.fuzz.test/\u0000", "data:,hello", "javascript:alert(1)", "https://127.0.0.1:1/\ud800");
  return fc.oneof({ weight: 5, arbitrary: wellFormed }, { weight: 2, arbitrary: ownServer }, { weight: 2, arbitrary: malformed });
}

/** user@host forms, local and on safe hosts. */
export function acctText(target: FuzzTarget): fc.Arbitrary<string> {
  const user = fc.oneof(fc.constant(target.username), fc.constantFrom("nobody", "a", "", "__proto__", "ü", "x".repeat(300)), freeText);
  return fc.oneof(
    fc.tuple(user, safeHost(target)).map(([u, h]) => `${u}@${h}`),
    fc.tuple(user, safeHost(target)).map(([u, h]) => `@${u}@${h}`),
    fc.tuple(user, safeHost(target)).map(([u, h]) => `acct:${u}@${h}`),
    user,
    fc.constantFrom("@", "@@", "a@", "@a", "a@b@a.fuzz.test", `${target.username}@${target.host}`, `acct:${target.username}@${target.host}`),
  );
}

/** Any string a parameter may be given. */
export function hostileString(target: FuzzTarget): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: freeText },
    { weight: 3, arbitrary: fc.constantFrom(...loadedWords) },
    { weight: 3, arbitrary: fc.constantFrom(...awkwardNumbers) },
    { weight: 2, arbitrary: fc.constantFrom(...awkwardDates) },
    { weight: 2, arbitrary: longText },
    { weight: 2, arbitrary: urlText(target) },
    { weight: 1, arbitrary: acctText(target) },
    { weight: 2, arbitrary: realId(target) },
    { weight: 1, arbitrary: fc.integer().map(String) },
  );
}

/** An id of one of the user's own objects (or the account's), so deeper code paths are reached. */
export function realId(target: FuzzTarget, kind?: string): fc.Arbitrary<string> {
  const pool = kind && target.ids[kind]?.length ? target.ids[kind] : Object.values(target.ids).flat();
  return fc.constantFrom(...(pool.length ? pool : [target.accountId]));
}

/** One path segment, already percent-encoded (or deliberately not: invalid escapes, traversal). */
export function pathSegment(target: FuzzTarget, kind?: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: realId(target, kind) },
    { weight: 4, arbitrary: hostileString(target).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, "\ufffd")).slice(0, 20_000)) },
    { weight: 2, arbitrary: fc.constantFrom("%00", "%ff", "%zz", "%", "%2e%2e", "..", "%2F", "a%00b", "%c0%ae", "%ed%a0%80", "1.5", "-1", "9223372036854775808", "__proto__", "constructor", "%E2%80%AE", "%0d%0aX-Injected:%201") },
    { weight: 1, arbitrary: realId(target, kind).map((id) => `${id}%00`) },
  );
}

/** Header values a client may send: HTTP allows tab, visible ASCII and Latin-1, no other control characters. */
export const headerText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }).map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, "").trim()),
  fc.constantFrom("", "é", "\u00ff\u00fe", "a".repeat(8000), "Bearer", "Bearer ", "null", "undefined", "__proto__"),
);

/** Text as a header can carry it: what HTTP forbids there (controls, beyond Latin-1) percent-encoded, as a client would. */
export function headerSafe(text: string): string {
  return text.replace(/[^\t\x20-\x7e\x80-\xff]/gu, (c) => (c.length === 1 && c >= "\ud800" && c <= "\udfff" ? "%EF%BF%BD" : encodeURIComponent(c)));
}
