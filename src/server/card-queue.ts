// The `cards` queue's runner, in full servers (`./skein start`) and workers: each job gives one
// status the preview card of its first link (domain/cards/card-service.ts). Pages are fetched
// through their own agent under net/'s guard (public addresses only, outside tests) and the
// bounds of domain/cards/page-fetch.ts, with the domain policy asked for every URL and redirect.
import type { Runtime } from "./context.ts";
import { CARDS_QUEUE } from "../domain/cards/card-service.ts";
import { CardPageFetcher } from "../domain/cards/page-fetch.ts";
import { mediaUrlMayBeFetched } from "../domain/moderation/media-policy.ts";
import { testHostAddress } from "../config/config.ts";
import { SKEIN_VERSION } from "../version.ts";

/** Cards worked on at once per process (each waits mostly on a remote page). */
const CONCURRENCY = 16;

export async function runCardQueue(runtime: Runtime, signal: AbortSignal): Promise<void> {
  const { services, config } = runtime;
  if (!config.cards.enabled) return;
  const jobs = runtime.jobs;
  const hosts = config.testHosts;
  const fetcher = new CardPageFetcher({
    // The test environment fetches the tests' pages on loopback, as federation does.
    policy: { allowPrivate: config.environment === "test", pinned: Object.keys(hosts).length ? (name) => testHostAddress(hosts, name) : undefined },
    // A domain whose media are rejected (or that is suspended) is not fetched for previews either.
    mayFetch: (url) => mediaUrlMayBeFetched(services.moderation.policy, url),
    userAgent: `Skein/${SKEIN_VERSION} (link preview; +${config.origin})`,
  });
  services.cards.fetcher = fetcher;
  try {
    await jobs.listen(CARDS_QUEUE, (payload) => services.cards.handleJob(payload), { signal, concurrency: CONCURRENCY });
  } finally {
    services.cards.fetcher = null;
    await fetcher.close();
  }
}
