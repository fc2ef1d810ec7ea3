// The emojis converters need, answered without a query: entities are built synchronously, so
// this process keeps (1) every enabled local emoji, reloaded when the `custom_emojis_version`
// setting changes (checked at most every 2 s, like the domain policy: a `./skein emoji` command
// beside a running server is seen within 2 s), and (2) the remote emojis lately asked for, by
// (domain, shortcode), in a bounded LRU that renders warm before they convert (warm()).
import type { Stores } from "../../store/stores.ts";
import type { CustomEmojiRow } from "../../store/media/emojis.ts";
import { shortcodesIn } from "./shortcodes.ts";
import { VersionWatch } from "../settings-version.ts";
import type { StatusView } from "../statuses/status-views.ts";

/** Local emojis kept (a server with more shows the first ones by shortcode). */
export const MAX_LOCAL_EMOJIS = 10_000;
/** Remote (domain, shortcode) answers kept, found or not. */
const MAX_REMOTE_ENTRIES = 20_000;
/** An answer "no such emoji" is asked again after this long (another process may have stored it). */
const MISS_TTL_MS = 30_000;

/** What converters ask: the emojis used in these texts of an account of `domain` (null: local). */
export interface EmojiLookup {
  find(domain: string | null, texts: readonly (string | null | undefined)[]): CustomEmojiRow[];
}

export class EmojiCatalog implements EmojiLookup {
  private readonly stores: Stores;
  private local = new Map<string, CustomEmojiRow>();
  private readonly watch: VersionWatch;
  /** `${domain}\n${shortcode}` → the row, or null with when it was found missing. Insertion order = recency. */
  private readonly remote = new Map<string, { row: CustomEmojiRow | null; at: number }>();

  constructor(stores: Stores) {
    this.stores = stores;
    this.watch = new VersionWatch(stores.settings, "custom_emojis_version", () => this.load());
  }

  /** Brings the local emojis up to date if they may be stale; cheap when they are not. */
  async fresh(): Promise<this> {
    await this.watch.fresh();
    return this;
  }

  /** After a change to local emojis: tells every process (through the version) and reloads this one. */
  async changed(): Promise<void> {
    await this.watch.bump();
  }

  /** Every enabled local emoji, by shortcode. */
  localEmojis(): CustomEmojiRow[] {
    return [...this.local.values()];
  }

  /** The version of the local emojis held now (for caches built from them). */
  get localVersion(): string {
    return this.watch.version ?? "";
  }

  find(domain: string | null, texts: readonly (string | null | undefined)[]): CustomEmojiRow[] {
    const codes = shortcodesIn(texts);
    if (codes.length === 0) return [];
    if (domain === null) return codes.map((c) => this.local.get(c)).filter((r): r is CustomEmojiRow => r !== undefined);
    const out: CustomEmojiRow[] = [];
    const missing: string[] = [];
    for (const code of codes) {
      const entry = this.remote.get(`${domain}\n${code}`);
      if (entry === undefined || (entry.row === null && Date.now() - entry.at > MISS_TTL_MS)) missing.push(code);
      else if (entry.row) out.push(entry.row);
    }
    // Not warmed (an entity converted outside a status page): learnt for the next time.
    if (missing.length) void this.warm([{ domain, texts: missing.map((c) => `:${c}:`) }]).catch(() => {});
    return out;
  }

  /** Local emojis up to date and the remote ones these statuses (and their authors) use loaded. */
  async prepareFor(views: readonly StatusView[]): Promise<void> {
    await this.fresh();
    await this.warm(views.flatMap(emojiTextsOf));
  }

  /** Loads the remote emojis these texts use, so that find() knows them. */
  async warm(items: readonly { domain: string | null; texts: readonly (string | null | undefined)[] }[]): Promise<void> {
    const wanted = new Map<string, Set<string>>();
    for (const { domain, texts } of items) {
      if (domain === null) continue;
      for (const code of shortcodesIn(texts)) {
        const entry = this.remote.get(`${domain}\n${code}`);
        if (entry && (entry.row !== null || Date.now() - entry.at <= MISS_TTL_MS)) continue;
        let set = wanted.get(domain);
        if (!set) wanted.set(domain, (set = new Set()));
        set.add(code);
      }
    }
    for (const [domain, codes] of wanted) {
      const rows = await this.stores.emojis.ofDomain(domain, [...codes]);
      const now = Date.now();
      for (const code of codes) this.put(`${domain}\n${code}`, { row: null, at: now });
      for (const row of rows) this.put(`${domain}\n${row.shortcode}`, { row, at: now });
    }
  }

  /** A remote emoji this process just stored: known at once. */
  remember(row: CustomEmojiRow): void {
    if (row.domain !== "") this.put(`${row.domain}\n${row.shortcode}`, { row, at: Date.now() });
  }

  private put(key: string, entry: { row: CustomEmojiRow | null; at: number }): void {
    this.remote.delete(key);
    this.remote.set(key, entry);
    while (this.remote.size > MAX_REMOTE_ENTRIES) this.remote.delete(this.remote.keys().next().value!);
  }

  private async load(): Promise<void> {
    const rows = await this.stores.emojis.local({ limit: MAX_LOCAL_EMOJIS });
    this.local = new Map(rows.map((r) => [r.shortcode, r]));
  }
}

/** The texts of a status view that may hold `:shortcode:`s, by the domain of their account. */
function emojiTextsOf(view: StatusView): { domain: string | null; texts: string[] }[] {
  const { status, account } = view;
  const out = [
    { domain: account.domain, texts: [status.content, status.spoiler_text, account.display_name, account.note, account.fields, ...(view.poll?.options.map((o) => o.title) ?? [])] },
  ];
  return view.reblog ? [...out, ...emojiTextsOf(view.reblog)] : out;
}
