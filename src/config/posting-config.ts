// Posting settings (read by config.ts, which alone reads the environment):
//   SCHEDULED_STATUSES_INTERVAL  test-only: seconds between sweeps publishing due scheduled
//                                statuses (fractions allowed; default 10)
//   and the instance's contact address: CONTACT_EMAIL, or one made from LOCAL_DOMAIN.

export interface PostingConfig {
  /** How often the scheduler looks for scheduled statuses that are due. */
  scheduledSweepIntervalMs: number;
}

export function loadPostingConfig(env: Record<string, string | undefined>, problems: string[]): PostingConfig {
  let scheduledSweepIntervalMs = 10_000;
  const text = env.SCHEDULED_STATUSES_INTERVAL?.trim();
  if (text) {
    const value = Number(text);
    if ((env.SKEIN_ENV?.trim() || "production") !== "test") problems.push("SCHEDULED_STATUSES_INTERVAL is a test-only setting; it needs SKEIN_ENV=test");
    else if (!Number.isFinite(value) || value <= 0) problems.push(`SCHEDULED_STATUSES_INTERVAL must be a positive number of seconds (got "${text.slice(0, 40)}")`);
    else scheduledSweepIntervalMs = value * 1000;
  }
  return { scheduledSweepIntervalMs };
}

/**
 * An address clients accept: the instance API's `contact.email` / `email` are `format: email`
 * in Mastodon's API description, which (as JSON Schema validators read it) needs a domain of at
 * least two labels. This is that rule: dot-atoms before the @, DNS labels after.
 */
const PUBLISHABLE_EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

export function isPublishableEmail(address: string): boolean {
  return address.length <= 254 && PUBLISHABLE_EMAIL.test(address);
}

/**
 * The default contact address for a host name (LOCAL_DOMAIN without its port): admin@host when
 * that is an address clients accept, else admin@<host>.localdomain for a one-label name such as
 * "localhost" (the conventional name of the local machine), else admin@localhost.localdomain.
 */
export function defaultContactEmail(hostname: string): string {
  const direct = `admin@${hostname}`;
  if (isPublishableEmail(direct)) return direct;
  const local = `admin@${hostname}.localdomain`;
  return isPublishableEmail(local) ? local : "admin@localhost.localdomain";
}
