// CSV as Mastodon's exports write it and its imports read it (RFC 4180: fields with a comma, a
// quote or a line break are quoted, quotes doubled; lines end in "\n"). The parser is bounded by
// its caller (file size, row count) and refuses what is not CSV: an unclosed quote, a character
// after a closing quote.
import { validationFailed } from "../errors.ts";

export function csvField(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(fields: readonly (string | number | boolean | null | undefined)[]): string {
  return `${fields.map(csvField).join(",")}\n`;
}

/** The rows of a CSV text; blank lines are skipped (Mastodon's `skip_blanks`). At most `maxRows` + 1 are read. */
export function parseCsv(text: string, maxRows: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let afterQuote = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark is not part of the first header
  const endRow = () => {
    row.push(field);
    if (!(row.length === 1 && row[0] === "")) rows.push(row);
    row = [];
    field = "";
    afterQuote = false;
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else field += ch;
      continue;
    }
    if (ch === ",") {
      row.push(field);
      field = "";
      afterQuote = false;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRow();
      if (rows.length > maxRows) return rows;
    } else if (afterQuote) {
      throw validationFailed(`Invalid CSV: unexpected character after a closing quote on line ${rows.length + 1}`);
    } else if (ch === '"' && field === "") {
      quoted = true;
    } else field += ch;
  }
  if (quoted) throw validationFailed("Invalid CSV: a quoted field is not closed");
  if (field !== "" || row.length > 0) endRow();
  return rows;
}
