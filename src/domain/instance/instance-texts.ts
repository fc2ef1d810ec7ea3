// The texts an admin sets for the server (`./skein instance set …`): the privacy policy, the
// extended description (the about page) and the terms of service, in versions by effective date.
// They live in the settings table, so every process reads the same; a text is HTML as written, or
// plain text made into paragraphs. Until an admin sets them, the privacy policy is Skein's default
// page, the extended description is empty (updated_at null, as Mastodon), and the terms of service
// are the file TERMS_OF_SERVICE_FILE names if there is one (else there are none: 404).
import { readFile, stat } from "node:fs/promises";
import type { Config } from "../../config/config.ts";
import type { SettingsStore } from "../../store/settings.ts";
import { escapeHtml } from "../text/plain-to-html.ts";
import { notFound, validationFailed } from "../errors.ts";
import { nowIso } from "../../util/time.ts";
import { defaultPrivacyPolicy, DEFAULT_PRIVACY_POLICY_DATE } from "./default-privacy-policy.ts";

/** Largest text an admin may set (a file read for it, or a terms-of-service file). */
export const MAX_TEXT_BYTES = 512 * 1024;
/** Versions of the terms of service kept. */
const MAX_TERMS_VERSIONS = 100;

const KEYS = { privacyPolicy: "instance.privacy_policy", extendedDescription: "instance.extended_description", terms: "instance.terms_of_service" } as const;
export type SettableText = "privacy-policy" | "extended-description";

export interface PageText {
  content: string;
  updated_at: string | null;
}

export interface TermsVersion {
  /** YYYY-MM-DD */
  effective_date: string;
  content: string;
}

export interface TermsOfService extends TermsVersion {
  effective: boolean;
  succeeded_by: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** HTML as written; plain text becomes escaped paragraphs (a blank line between them). */
export function textToHtml(text: string): string {
  if (/<[a-z][^>]*>/i.test(text)) return text.trim();
  return text
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`)
    .join("\n");
}

export class InstanceTextService {
  private readonly settings: Pick<SettingsStore, "get" | "put">;
  private readonly config: Config;

  constructor(settings: Pick<SettingsStore, "get" | "put">, config: Config) {
    this.settings = settings;
    this.config = config;
  }

  async privacyPolicy(): Promise<PageText & { updated_at: string }> {
    const stored = await this.stored(KEYS.privacyPolicy);
    if (stored?.content) return { content: stored.content, updated_at: stored.updated_at ?? DEFAULT_PRIVACY_POLICY_DATE };
    return { content: defaultPrivacyPolicy(this.config), updated_at: DEFAULT_PRIVACY_POLICY_DATE };
  }

  async extendedDescription(): Promise<PageText> {
    return (await this.stored(KEYS.extendedDescription)) ?? { content: "", updated_at: null };
  }

  /** Sets (or with an empty text, clears) the privacy policy or the extended description. */
  async set(which: SettableText, text: string): Promise<PageText> {
    checkSize(text);
    const key = which === "privacy-policy" ? KEYS.privacyPolicy : KEYS.extendedDescription;
    const content = textToHtml(text);
    const page = { content, updated_at: content === "" ? null : nowIso() };
    await this.settings.put(key, JSON.stringify(page));
    return page;
  }

  /** Adds a version of the terms of service taking effect on `effectiveDate` (replacing one of that date). */
  async addTerms(text: string, effectiveDate: string = nowIso().slice(0, 10)): Promise<TermsVersion> {
    checkSize(text);
    if (!DATE.test(effectiveDate) || Number.isNaN(Date.parse(effectiveDate))) throw validationFailed("The effective date must be YYYY-MM-DD");
    const content = textToHtml(text);
    if (content === "") throw validationFailed("The terms of service are empty");
    const versions = (await this.storedTerms()).filter((v) => v.effective_date !== effectiveDate);
    versions.push({ effective_date: effectiveDate, content });
    versions.sort((a, b) => (a.effective_date < b.effective_date ? -1 : 1));
    await this.settings.put(KEYS.terms, JSON.stringify(versions.slice(-MAX_TERMS_VERSIONS)));
    return { effective_date: effectiveDate, content };
  }

  /** Removes the version of that date; false if there was none. */
  async removeTerms(effectiveDate: string): Promise<boolean> {
    const versions = await this.storedTerms();
    const kept = versions.filter((v) => v.effective_date !== effectiveDate);
    if (kept.length === versions.length) return false;
    await this.settings.put(KEYS.terms, JSON.stringify(kept));
    return true;
  }

  /** Every version, oldest first: those set with the CLI, else the configured file as one version. */
  async termsVersions(): Promise<TermsVersion[]> {
    const stored = await this.storedTerms();
    if (stored.length) return stored;
    const file = this.config.instance.termsOfServiceFile;
    const info = await stat(file).catch(() => null);
    if (!info || !info.isFile() || info.size > MAX_TEXT_BYTES) return [];
    const content = textToHtml(await readFile(file, "utf8"));
    return content ? [{ effective_date: info.mtime.toISOString().slice(0, 10), content }] : [];
  }

  /**
   * The terms in effect today (the latest that took effect), or of `date` (the version taking
   * effect that day). With only future versions, the first of them (not yet effective), as Mastodon.
   */
  async termsOfService(date?: string): Promise<TermsOfService> {
    const versions = await this.termsVersions();
    const today = nowIso().slice(0, 10);
    let index: number;
    if (date !== undefined) {
      index = DATE.test(date) ? versions.findIndex((v) => v.effective_date === date) : -1;
    } else {
      index = versions.findLastIndex((v) => v.effective_date <= today);
      if (index < 0 && versions.length) index = 0;
    }
    if (index < 0) throw notFound();
    const version = versions[index];
    return { ...version, effective: version.effective_date <= today, succeeded_by: versions[index + 1]?.effective_date ?? null };
  }

  private async stored(key: string): Promise<PageText | null> {
    const raw = await this.settings.get(key);
    if (!raw) return null;
    const page = JSON.parse(raw) as PageText;
    return page.content ? page : null;
  }

  private async storedTerms(): Promise<TermsVersion[]> {
    const raw = await this.settings.get(KEYS.terms);
    return raw ? (JSON.parse(raw) as TermsVersion[]) : [];
  }
}

function checkSize(text: string): void {
  if (Buffer.byteLength(text, "utf8") > MAX_TEXT_BYTES) throw validationFailed(`The text is larger than ${MAX_TEXT_BYTES / 1024} KB`);
}
