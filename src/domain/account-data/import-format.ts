// Reading an uploaded CSV into import rows, by Mastodon's rules (its Form::Import): a file whose
// first cell is a known header ("Account address", "#domain", "#uri", "List name") has a header
// line; otherwise the type's default columns are assumed, so the header-less files Mastodon
// writes (blocks, domain blocks, bookmarks, lists) read as they were written. The columns the
// type needs must be there, booleans read as Rails casts them, addresses lose a leading "@".
import type { AccountImportType } from "../../db/schema.ts";
import { validationFailed } from "../errors.ts";
import { parseCsv } from "./csv.ts";

export const IMPORT_TYPES: readonly AccountImportType[] = ["following", "blocks", "mutes", "domain_blocks", "bookmarks", "lists"];

/** The largest file accepted (Mastodon takes 20 MB; Skein's request bodies stop at 1 MiB). */
export const MAX_IMPORT_BYTES = 1_000_000;
/** The most rows one import holds (Mastodon: 20,000). */
export const MAX_IMPORT_ROWS = 10_000;

export interface ImportRow {
  acct?: string;
  show_reblogs?: boolean | null;
  notify?: boolean | null;
  languages?: string[] | null;
  hide_notifications?: boolean | null;
  domain?: string;
  uri?: string;
  list_name?: string;
}

const EXPECTED: Record<AccountImportType, string[]> = {
  following: ["Account address", "Show boosts", "Notify on new posts", "Languages"],
  blocks: ["Account address"],
  mutes: ["Account address", "Hide notifications"],
  domain_blocks: ["#domain"],
  bookmarks: ["#uri"],
  lists: ["List name", "Account address"],
};

const DEFAULT_HEADERS: Record<AccountImportType, string[]> = {
  following: ["Account address"],
  blocks: ["Account address"],
  mutes: ["Account address"],
  domain_blocks: ["#domain"],
  bookmarks: ["#uri"],
  lists: ["List name", "Account address"],
};

const KNOWN_FIRST_HEADERS = new Set(Object.values(EXPECTED).map((h) => h[0]));

export function isImportType(value: unknown): value is AccountImportType {
  return typeof value === "string" && (IMPORT_TYPES as readonly string[]).includes(value);
}

/** Rails' boolean cast: blank is unset; "false", "f", "0", "off" (any case) are false; anything else is true. */
function bool(value: string | undefined): boolean | null {
  if (value === undefined || value.trim() === "") return null;
  return !["false", "f", "0", "off"].includes(value.trim().toLowerCase());
}

export function parseImport(type: AccountImportType, bytes: Uint8Array): ImportRow[] {
  if (bytes.byteLength > MAX_IMPORT_BYTES) throw validationFailed(`The file is too large: at most ${MAX_IMPORT_BYTES} bytes`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw validationFailed("The file is not UTF-8 text");
  }
  if (text.includes("\u0000")) throw validationFailed("The file is not a CSV file");
  const table = parseCsv(text, MAX_IMPORT_ROWS + 1);
  if (table.length === 0) throw validationFailed("The file is empty");
  let headers = DEFAULT_HEADERS[type];
  let body = table;
  if (KNOWN_FIRST_HEADERS.has(table[0][0]?.trim())) {
    headers = table[0].map((h) => h.trim());
    body = table.slice(1);
  }
  if (!DEFAULT_HEADERS[type].every((h) => headers.includes(h))) throw validationFailed("This file does not look like an export of that type");
  if (body.length > MAX_IMPORT_ROWS) throw validationFailed(`The file has more than ${MAX_IMPORT_ROWS} rows`);
  const at = (name: string) => headers.indexOf(name);
  return body.map((cells) => {
    const cell = (name: string) => (at(name) >= 0 ? cells[at(name)] : undefined);
    const acct = (cell("Account address") ?? "").trim().replace(/^@/, "");
    switch (type) {
      case "following": {
        const languages = cell("Languages")?.split(",").map((l) => l.trim()).filter(Boolean) ?? [];
        return { acct, show_reblogs: bool(cell("Show boosts")), notify: bool(cell("Notify on new posts")), languages: languages.length ? languages : null };
      }
      case "blocks":
        return { acct };
      case "mutes":
        return { acct, hide_notifications: bool(cell("Hide notifications")) };
      case "domain_blocks":
        return { domain: (cell("#domain") ?? "").trim().toLowerCase() };
      case "bookmarks":
        return { uri: (cell("#uri") ?? "").trim() };
      case "lists":
        return { list_name: (cell("List name") ?? "").trim(), acct };
    }
  });
}
