// Link preview settings (domain/cards; read by config.ts, which alone reads the environment):
//   PREVIEW_CARDS                    false: no page is fetched for previews (default true)
//   PREVIEW_CARD_REMOTE_DELAY        test-only: the most seconds a remote post's link waits
//                                    before its page is fetched (default 60, as Mastodon; a
//                                    random delay up to it spreads the fetches of one link
//                                    that many servers deliver at once). 0 in tests.

export interface CardsConfig {
  enabled: boolean;
  /** The random delay before a remote post's link is fetched is at most this. */
  remoteDelayMaxMs: number;
}

export function loadCardsConfig(env: Record<string, string | undefined>, problems: string[]): CardsConfig {
  const enabledText = env.PREVIEW_CARDS?.trim().toLowerCase();
  let enabled = true;
  if (enabledText === "false" || enabledText === "0") enabled = false;
  else if (enabledText && enabledText !== "true" && enabledText !== "1") problems.push(`PREVIEW_CARDS must be true or false (got "${enabledText.slice(0, 40)}")`);
  let remoteDelayMaxMs = 60_000;
  const text = env.PREVIEW_CARD_REMOTE_DELAY?.trim();
  if (text) {
    const value = Number(text);
    if ((env.SKEIN_ENV?.trim() || "production") !== "test") problems.push("PREVIEW_CARD_REMOTE_DELAY is a test-only setting; it needs SKEIN_ENV=test");
    else if (!Number.isFinite(value) || value < 0 || value > 600) problems.push(`PREVIEW_CARD_REMOTE_DELAY must be a number of seconds from 0 to 600 (got "${text.slice(0, 40)}")`);
    else remoteDelayMaxMs = value * 1000;
  }
  return { enabled, remoteDelayMaxMs };
}
