// The formats blocklists are shared in, read and written without touching the database:
//
//   csv         Mastodon's export: `#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate`
//               (also the header without "#", in any column order, as IFTAS, Oliphant and The Bad
//               Space publish it; a file without a header is read as one domain per row)
//   json        Mastodon's public `/api/v1/instance/domain_blocks`: [{domain, digest, severity, comment}];
//               an obfuscated entry ("ba**.example") names no domain and is skipped and counted
//   rapidblock  RapidBlock's blocklist.json: {"@spec", "publishedAt", "blocks": {domain: {isBlocked, reason, tags}}}
//   text        one domain per line, "#" starts a comment; every entry is a suspension
//
// A list is input from outside (a file, a URL anyone may publish), so reading it is bounded —
// size, entries, line length — and a bad line is reported and skipped, never fatal: one typo
// in a list of 10,000 must not stop the other 9,999. Only a list that is not a list at all (too
// big, not JSON where JSON is expected) is refused whole.
import { createHash } from "node:crypto";
import type { BlocklistFormat, DomainBlockSeverity } from "../../../db/schema.ts";
import { DomainError, validationFailed } from "../../errors.ts";
import { normalizeDomain } from "../domain-names.ts";

export const BLOCKLIST_FORMATS: readonly BlocklistFormat[] = ["csv", "json", "rapidblock", "text"];

export const BLOCKLIST_LIMITS = {
  /** The largest list read (bytes of UTF-8); the biggest public lists are a few hundred KiB. */
  maxBytes: 5 * 1024 * 1024,
  maxEntries: 100_000,
  /** A longer line in a CSV or text list is reported as invalid (comments are short). */
  maxLineBytes: 4 * 1024,
  /** Invalid lines described one by one; beyond this they are only counted. */
  maxReported: 100,
  /** Comments are cut to what a domain block holds. */
  maxComment: 1000,
};

/** One entry of a list, normalised. */
export interface BlocklistEntry {
  domain: string;
  severity: DomainBlockSeverity;
  reject_media: boolean;
  reject_reports: boolean;
  public_comment: string;
  obfuscate: boolean;
}

export interface InvalidLine {
  /** 1-based line of the file (CSV, text) or index in the list (JSON, RapidBlock, 1-based). */
  line: number;
  text: string;
  reason: string;
}

export interface ParsedBlocklist {
  format: BlocklistFormat;
  entries: BlocklistEntry[];
  /** The first BLOCKLIST_LIMITS.maxReported invalid lines. */
  invalid: InvalidLine[];
  invalidCount: number;
  /** Entries whose domain is hidden ("*" inside it): nothing to block. */
  obfuscated: number;
  /** Entries for a domain already listed (the first one counts). */
  duplicates: number;
  /** RapidBlock entries with isBlocked false. */
  notBlocked: number;
}

/** A list refused whole (too large, not the format it claims). */
export class BlocklistRefusedError extends DomainError {
  constructor(message: string) {
    super("validation", message);
  }
}

export function parseFormat(value: string | undefined): BlocklistFormat {
  const format = (value ?? "").trim().toLowerCase();
  if (!BLOCKLIST_FORMATS.includes(format as BlocklistFormat)) throw validationFailed(`Format must be one of ${BLOCKLIST_FORMATS.join(", ")} (got "${value ?? ""}")`);
  return format as BlocklistFormat;
}

/** The format a file's name and first bytes suggest, for imports without --format. */
export function guessFormat(text: string, fileName = ""): BlocklistFormat {
  const name = fileName.toLowerCase();
  const start = text.slice(0, 4096).trimStart();
  if (start.startsWith("{")) return "rapidblock";
  if (start.startsWith("[")) return "json";
  if (name.endsWith(".csv") || /^#?domain\s*,/i.test(start)) return "csv";
  return "text";
}

export function parseBlocklist(text: string, format: BlocklistFormat): ParsedBlocklist {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > BLOCKLIST_LIMITS.maxBytes) {
    throw new BlocklistRefusedError(`The list is ${formatBytes(bytes)}; lists larger than ${formatBytes(BLOCKLIST_LIMITS.maxBytes)} are refused`);
  }
  const out = new Collector(format);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (format === "csv") parseCsv(text, out);
  else if (format === "text") parseText(text, out);
  else if (format === "json") parseMastodonJson(text, out);
  else parseRapidBlock(text, out);
  return out.result();
}

class Collector {
  private readonly parsed: ParsedBlocklist;
  private readonly seen = new Set<string>();

  constructor(format: BlocklistFormat) {
    this.parsed = { format, entries: [], invalid: [], invalidCount: 0, obfuscated: 0, duplicates: 0, notBlocked: 0 };
  }

  invalid(line: number, text: string, reason: string): void {
    this.parsed.invalidCount++;
    if (this.parsed.invalid.length < BLOCKLIST_LIMITS.maxReported) this.parsed.invalid.push({ line, text: text.length > 120 ? `${text.slice(0, 117)}...` : text, reason });
  }

  obfuscated(): void {
    this.parsed.obfuscated++;
  }

  notBlocked(): void {
    this.parsed.notBlocked++;
  }

  /** Adds an entry from its raw fields, or reports the line. */
  add(line: number, source: string, raw: { domain: unknown; severity?: unknown; reject_media?: unknown; reject_reports?: unknown; public_comment?: unknown; obfuscate?: unknown }): void {
    if (typeof raw.domain !== "string" || raw.domain.trim() === "") return this.invalid(line, source, "no domain");
    const name = raw.domain.trim();
    // Mastodon hides an obfuscated domain behind stars ("ba**.example"); a leading "*." is a wildcard.
    if ((name.startsWith("*.") ? name.slice(2) : name).includes("*")) return this.obfuscated();
    let domain: string;
    try {
      domain = normalizeDomain(name);
    } catch (error) {
      return this.invalid(line, source, (error as Error).message);
    }
    const severity = raw.severity === undefined || raw.severity === null || raw.severity === "" ? "suspend" : String(raw.severity).trim().toLowerCase();
    if (severity !== "suspend" && severity !== "silence" && severity !== "noop") return this.invalid(line, source, `unknown severity "${String(raw.severity)}"`);
    const flags: boolean[] = [];
    for (const [field, value] of [["reject_media", raw.reject_media], ["reject_reports", raw.reject_reports], ["obfuscate", raw.obfuscate]] as const) {
      const flag = booleanOf(value);
      if (flag === null) return this.invalid(line, source, `${field} must be true or false (got "${String(value)}")`);
      flags.push(flag);
    }
    if (this.seen.has(domain)) {
      this.parsed.duplicates++;
      return;
    }
    if (this.parsed.entries.length >= BLOCKLIST_LIMITS.maxEntries) {
      throw new BlocklistRefusedError(`The list has more than ${BLOCKLIST_LIMITS.maxEntries.toLocaleString("en")} entries; it is refused`);
    }
    this.seen.add(domain);
    const comment = typeof raw.public_comment === "string" ? raw.public_comment.trim().slice(0, BLOCKLIST_LIMITS.maxComment) : "";
    this.parsed.entries.push({ domain, severity, reject_media: flags[0], reject_reports: flags[1], public_comment: comment, obfuscate: flags[2] });
  }

  result(): ParsedBlocklist {
    return this.parsed;
  }
}

function booleanOf(value: unknown): boolean | null {
  if (value === undefined || value === null || value === "") return false;
  if (typeof value === "boolean") return value;
  const text = String(value).trim().toLowerCase();
  if (["true", "t", "1", "yes", "y"].includes(text)) return true;
  if (["false", "f", "0", "no", "n", ""].includes(text)) return false;
  return null;
}

// ---- plain text -------------------------------------------------------------------------

function parseText(text: string, out: Collector): void {
  let number = 0;
  for (const rawLine of lines(text)) {
    number++;
    if (Buffer.byteLength(rawLine, "utf8") > BLOCKLIST_LIMITS.maxLineBytes) {
      out.invalid(number, rawLine, `line longer than ${BLOCKLIST_LIMITS.maxLineBytes} bytes`);
      continue;
    }
    const hash = rawLine.indexOf("#");
    const line = (hash >= 0 ? rawLine.slice(0, hash) : rawLine).trim();
    if (line === "") continue;
    out.add(number, rawLine, { domain: line });
  }
}

function* lines(text: string): Generator<string> {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    yield line.endsWith("\r") ? line.slice(0, -1) : line;
    start = end + 1;
  }
}

// ---- CSV (RFC 4180: quoted fields, "" inside quotes, CRLF or LF) ------------------------

const CSV_COLUMNS = ["domain", "severity", "reject_media", "reject_reports", "public_comment", "obfuscate"] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

function parseCsv(text: string, out: Collector): void {
  let columns: Map<CsvColumn, number> | null = null;
  let first = true;
  for (const record of csvRecords(text, out)) {
    const fields = record.fields;
    if (fields.length === 1 && fields[0].trim() === "") continue;
    if (first) {
      first = false;
      const names = fields.map((f) => f.trim().replace(/^#/, "").toLowerCase());
      if (names.includes("domain")) {
        columns = new Map();
        names.forEach((name, i) => {
          if ((CSV_COLUMNS as readonly string[]).includes(name) && !columns!.has(name as CsvColumn)) columns!.set(name as CsvColumn, i);
        });
        continue;
      }
    }
    // A "#" line after the header is a comment (no domain starts with "#").
    if (fields[0].trimStart().startsWith("#")) continue;
    const at = (column: CsvColumn): string | undefined => {
      const index = columns ? columns.get(column) : CSV_COLUMNS.indexOf(column) === 0 ? 0 : undefined;
      return index === undefined ? undefined : fields[index];
    };
    // Without a header: the domain, and a severity if a second column looks like one.
    const severity = columns ? at("severity") : /^(suspend|silence|noop)$/i.test(fields[1]?.trim() ?? "") ? fields[1] : undefined;
    out.add(record.line, record.source, {
      domain: at("domain"),
      severity,
      reject_media: at("reject_media"),
      reject_reports: at("reject_reports"),
      public_comment: at("public_comment"),
      obfuscate: at("obfuscate"),
    });
  }
}

interface CsvRecord {
  line: number;
  source: string;
  fields: string[];
}

function* csvRecords(text: string, out: Collector): Generator<CsvRecord> {
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const startLine = line;
    const start = i;
    const fields: string[] = [];
    let field = "";
    let quoted = false;
    let lineStart = i;
    let tooLong = false;
    for (;;) {
      if (i >= text.length) {
        fields.push(field);
        break;
      }
      const ch = text[i];
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            quoted = false;
            i++;
          }
        } else {
          if (ch === "\n") {
            line++;
            lineStart = i + 1;
          }
          field += ch;
          i++;
        }
      } else if (ch === '"' && field.trim() === "") {
        quoted = true;
        field = "";
        i++;
      } else if (ch === ",") {
        fields.push(field);
        field = "";
        i++;
      } else if (ch === "\n" || ch === "\r") {
        fields.push(field);
        i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
        line++;
        break;
      } else {
        field += ch;
        i++;
      }
      if (i - lineStart > BLOCKLIST_LIMITS.maxLineBytes) {
        tooLong = true;
        // Skip to the end of this physical line; an unclosed quote ends there too.
        const end = text.indexOf("\n", i);
        i = end < 0 ? text.length : end + 1;
        line++;
        break;
      }
    }
    const source = text.slice(start, Math.min(i, start + 200)).replace(/\r?\n$/, "");
    if (tooLong) out.invalid(startLine, source, `line longer than ${BLOCKLIST_LIMITS.maxLineBytes} bytes`);
    else yield { line: startLine, source, fields };
  }
}

// ---- JSON -------------------------------------------------------------------------------

function parseJsonDocument(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BlocklistRefusedError(`The list is not ${what}: ${(error as Error).message}`);
  }
}

function parseMastodonJson(text: string, out: Collector): void {
  const document = parseJsonDocument(text, "Mastodon JSON");
  if (!Array.isArray(document)) throw new BlocklistRefusedError("The list is not Mastodon JSON: expected an array of {domain, severity, comment}");
  document.forEach((item, index) => {
    const source = JSON.stringify(item)?.slice(0, 200) ?? "";
    if (!item || typeof item !== "object" || Array.isArray(item)) return out.invalid(index + 1, source, "not an object");
    const entry = item as Record<string, unknown>;
    // The public entity says `comment`; an admin export says `public_comment`.
    out.add(index + 1, source, {
      domain: entry.domain,
      severity: entry.severity,
      reject_media: entry.reject_media,
      reject_reports: entry.reject_reports,
      public_comment: typeof entry.comment === "string" ? entry.comment : entry.public_comment,
      obfuscate: entry.obfuscate,
    });
  });
}

function parseRapidBlock(text: string, out: Collector): void {
  const document = parseJsonDocument(text, "RapidBlock JSON");
  const blocks = document && typeof document === "object" ? (document as Record<string, unknown>).blocks : undefined;
  if (!blocks || typeof blocks !== "object" || Array.isArray(blocks)) throw new BlocklistRefusedError('The list is not RapidBlock JSON: expected {"blocks": {domain: {isBlocked, reason}}}');
  let index = 0;
  for (const [domain, value] of Object.entries(blocks as Record<string, unknown>)) {
    index++;
    const source = `${domain}: ${JSON.stringify(value)?.slice(0, 160) ?? ""}`;
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      out.invalid(index, source, "not an object");
      continue;
    }
    const entry = value as Record<string, unknown>;
    if (typeof entry.isBlocked !== "boolean") {
      out.invalid(index, source, "isBlocked must be true or false");
      continue;
    }
    if (!entry.isBlocked) {
      out.notBlocked();
      continue;
    }
    out.add(index, source, { domain, severity: "suspend", public_comment: entry.reason });
  }
}

// ---- writing ----------------------------------------------------------------------------

/** What an export writes from: a domain block's fields (flags as 0/1, as stored). */
export interface ExportableBlock {
  domain: string;
  severity: DomainBlockSeverity;
  reject_media: 0 | 1;
  reject_reports: 0 | 1;
  public_comment: string;
  obfuscate: 0 | 1;
  created_at?: string;
}

export interface SerializedBlocklist {
  text: string;
  contentType: string;
  written: number;
  /** Blocks the format cannot carry (RapidBlock and text: only suspensions, no hidden names). */
  omitted: number;
}

/**
 * Writes blocks in `format`. CSV is the complete admin export (real names, every option);
 * JSON is the public shape, so an obfuscated block appears as Mastodon shows it (stars and a
 * SHA-256 digest); RapidBlock and text can only say "blocked", so they carry suspensions
 * that are not obfuscated, and the rest is counted as omitted.
 */
export function serializeBlocklist(blocks: readonly ExportableBlock[], format: BlocklistFormat): SerializedBlocklist {
  const sorted = [...blocks].sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
  if (format === "csv") {
    const rows = sorted.map((b) =>
      [b.domain, b.severity, b.reject_media ? "true" : "false", b.reject_reports ? "true" : "false", csvField(b.public_comment), b.obfuscate ? "true" : "false"].join(","),
    );
    return { text: ["#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate", ...rows].join("\n") + "\n", contentType: "text/csv; charset=utf-8", written: rows.length, omitted: 0 };
  }
  if (format === "json") {
    const items = sorted.map((b) => ({
      domain: b.obfuscate ? obfuscateDomain(b.domain) : b.domain,
      digest: domainDigest(b.domain),
      severity: b.severity,
      comment: b.public_comment,
    }));
    return { text: JSON.stringify(items, null, 2) + "\n", contentType: "application/json; charset=utf-8", written: items.length, omitted: 0 };
  }
  const shareable = sorted.filter((b) => b.severity === "suspend" && !b.obfuscate);
  const omitted = sorted.length - shareable.length;
  if (format === "text") {
    return { text: shareable.map((b) => b.domain).join("\n") + (shareable.length ? "\n" : ""), contentType: "text/plain; charset=utf-8", written: shareable.length, omitted };
  }
  const now = new Date().toISOString();
  const document = {
    "@spec": "https://rapidblock.org/spec/v1/",
    publishedAt: now,
    blocks: Object.fromEntries(
      shareable.map((b) => [b.domain, { isBlocked: true, reason: b.public_comment, tags: [], dateRequested: b.created_at ?? now, dateDecided: b.created_at ?? now }]),
    ),
  };
  return { text: JSON.stringify(document, null, 2) + "\n", contentType: "application/json; charset=utf-8", written: shareable.length, omitted };
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The SHA-256 (hex) of a domain, as Mastodon publishes next to each block. */
export function domainDigest(domain: string): string {
  return createHash("sha256").update(domain).digest("hex");
}

/** Mastodon's way of hiding a blocked domain in public: the middle characters (not dots) as stars. */
export function obfuscateDomain(domain: string): string {
  const visible = Math.floor(domain.length / 4);
  const chars = [...domain].map((ch, i) => (i > visible && i < domain.length - visible - 1 && ch !== "." ? "*" : ch));
  // A very short name still gets one star, so that it never reads as a real domain.
  if (!chars.includes("*")) {
    const at = chars.findIndex((ch, i) => i > 0 && ch !== ".");
    chars[at > 0 ? at : 0] = "*";
  }
  return chars.join("");
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
