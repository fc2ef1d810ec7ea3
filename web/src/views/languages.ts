// The languages offered for a post (ISO 639-1), named in the reader's own language by the browser.
export const LANGUAGES = ["ar", "ca", "cs", "da", "de", "el", "en", "eo", "es", "eu", "fa", "fi", "fr", "ga", "gl", "he", "hi", "hu", "id", "it", "ja", "ko", "nl", "no", "pl", "pt", "ro", "ru", "sv", "th", "tr", "uk", "vi", "zh"];

let names: Intl.DisplayNames | null = null;
export function languageName(code: string): string {
  try {
    names ??= new Intl.DisplayNames(undefined, { type: "language" });
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}
