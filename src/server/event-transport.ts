// The cross-process event transport: every process (server, worker, admin command) forwards its
// domain events, as small id-only signals (domain/streaming/signals.ts), to one notification
// channel (db/notify.ts: in-process on SQLite, LISTEN/NOTIFY on PostgreSQL). Processes that hold
// streaming connections listen on it (server/streaming.ts).
import { getLogger } from "@logtape/logtape";
import type { EventBus } from "../domain/events.ts";
import type { Notifier } from "../db/notify.ts";
import { encodeSignal, signalsOf } from "../domain/streaming/signals.ts";

const logger = getLogger(["skein", "streaming"]);

export const STREAM_CHANNEL = "skein_stream";
/** Signals waiting to be sent while the database is slow; beyond this they are dropped. */
const MAX_PENDING_SENDS = 10_000;

/**
 * Sends every domain event of this process to the channel, in order. Returns a function that
 * stops forwarding and waits (briefly) for what is still being sent.
 */
export function forwardEvents(events: EventBus, notifier: Notifier): () => Promise<void> {
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  let dropped = 0;
  const unsubscribe = events.subscribe((event) => {
    for (const signal of signalsOf(event)) {
      if (pending >= MAX_PENDING_SENDS) {
        if (dropped++ % 1000 === 0) logger.warning("Streaming signals are not being sent fast enough; dropped {n} so far", { n: dropped });
        continue;
      }
      pending++;
      chain = chain
        .then(() => notifier.notify(STREAM_CHANNEL, encodeSignal(signal)))
        .catch((error) => logger.warning("Could not send a streaming signal: {error}", { error }))
        .finally(() => pending--);
    }
  });
  return async () => {
    unsubscribe();
    await Promise.race([chain, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  };
}
