// Small checks on URLs that several layers make alike.

/** `text` parses as an absolute http: or https: URL. */
export function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const { protocol } = new URL(text);
  return protocol === "https:" || protocol === "http:";
}
