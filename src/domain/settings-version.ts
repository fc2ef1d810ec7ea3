// A copy of some table held in each process's memory, kept current across processes through a
// version string in the settings table: whoever changes the table bumps the version (and reloads
// at once), and every process compares the version at most every `recheckMs` and reloads when it
// differs — so a change made by another process or a CLI command is seen within that time, for
// one cheap settings read per interval instead of a query per use.
import type { SettingsStore } from "../store/settings.ts";

export class VersionWatch {
  private readonly settings: Pick<SettingsStore, "get" | "put">;
  private readonly key: string;
  private readonly reload: (version: string) => Promise<void>;
  private readonly recheckMs: number;
  private loaded: string | null = null;
  private checkedAt = 0;
  private checking: Promise<void> | null = null;

  /** `reload(version)` loads the copy; it is never run twice at once by fresh(). */
  constructor(settings: Pick<SettingsStore, "get" | "put">, key: string, reload: (version: string) => Promise<void>, recheckMs = 2_000) {
    this.settings = settings;
    this.key = key;
    this.reload = reload;
    this.recheckMs = recheckMs;
  }

  /** The version of the copy held now; null before the first load. */
  get version(): string | null {
    return this.loaded;
  }

  /** Reloads the copy if the version changed since it was last checked more than recheckMs ago. */
  async fresh(): Promise<void> {
    if (Date.now() - this.checkedAt < this.recheckMs && this.loaded !== null) return;
    this.checking ??= (async () => {
      try {
        const version = (await this.settings.get(this.key)) ?? "0";
        if (version !== this.loaded) await this.load(version);
        this.checkedAt = Date.now();
      } finally {
        this.checking = null;
      }
    })();
    await this.checking;
  }

  /** After a change: tells every process (a new version) and reloads this one now. */
  async bump(): Promise<void> {
    const version = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    await this.settings.put(this.key, version);
    await this.load(version);
    this.checkedAt = Date.now();
  }

  private async load(version: string): Promise<void> {
    await this.reload(version);
    this.loaded = version;
  }
}
