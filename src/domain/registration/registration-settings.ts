// How sign-up works right now: REGISTRATIONS from the configuration, overridden at runtime by an
// admin (`./skein registrations …`), stored as one JSON document in the settings table so every
// process agrees. Read through a short cache: sign-ups and /api/v2/instance ask on every request.
import type { Config, RegistrationMode } from "../../config/config.ts";
import type { Stores } from "../../store/stores.ts";
import { validationFailed } from "../errors.ts";

export const REGISTRATION_MODES: readonly RegistrationMode[] = ["open", "approval", "invite", "closed"];
const SETTINGS_KEY = "registrations";
const CACHE_MS = 2000;

export interface RegistrationSettings {
  mode: RegistrationMode;
  /** Approval mode: a reason must be given. */
  reasonRequired: boolean;
  /** Minimum age in years; null: no date of birth asked. */
  minAge: number | null;
  /** Shown on the sign-up page and in the instance's `registrations.message` (plain text). */
  message: string | null;
  /** Only staff (moderators and up) may create invites. */
  staffOnlyInvites: boolean;
}

export class RegistrationSettingsService {
  private readonly stores: Stores;
  private readonly config: Config;
  private cached: { at: number; value: RegistrationSettings } | null = null;

  constructor(stores: Stores, config: Config) {
    this.stores = stores;
    this.config = config;
  }

  async current(): Promise<RegistrationSettings> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.value;
    const defaults: RegistrationSettings = { mode: this.config.instance.registrations, reasonRequired: false, minAge: null, message: null, staffOnlyInvites: false };
    const raw = await this.stores.settings.get(SETTINGS_KEY);
    let value = defaults;
    if (raw) {
      try {
        const stored = JSON.parse(raw) as Partial<RegistrationSettings>;
        value = { ...defaults, ...stored, mode: REGISTRATION_MODES.includes(stored.mode as RegistrationMode) ? (stored.mode as RegistrationMode) : defaults.mode };
      } catch {
        value = defaults;
      }
    }
    this.cached = { at: Date.now(), value };
    return value;
  }

  /** Replaces what is given; the rest stays. */
  async update(change: Partial<RegistrationSettings>): Promise<RegistrationSettings> {
    if (change.mode !== undefined && !REGISTRATION_MODES.includes(change.mode)) throw validationFailed(`The mode must be one of ${REGISTRATION_MODES.join(", ")}`);
    if (change.minAge !== undefined && change.minAge !== null && (!Number.isInteger(change.minAge) || change.minAge < 1 || change.minAge > 120)) {
      throw validationFailed("The minimum age is a whole number of years from 1 to 120");
    }
    if (change.message && change.message.length > 2000) throw validationFailed("The message is at most 2,000 characters");
    this.cached = null;
    const next = { ...(await this.current()), ...change };
    await this.stores.settings.put(SETTINGS_KEY, JSON.stringify(next));
    this.cached = { at: Date.now(), value: next };
    return next;
  }
}
