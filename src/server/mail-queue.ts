// The `mail` queue's runner, in full servers (`./skein start`) and workers: each queued mail is
// handed to the configured transport; the job is deleted only once the transport accepted it,
// so a restart loses none, and a refused or unreachable SMTP server is tried again with the
// queue's backoff (1 s, 2 s, 4 s … up to an hour, then parked as dead:mail after 10 attempts).
// Links that ended more than a week ago are forgotten here too, once an hour.
import { getLogger } from "@logtape/logtape";
import type { Runtime } from "./context.ts";
import { MAIL_QUEUE } from "../domain/mail/email-service.ts";

const logger = getLogger(["skein", "mail"]);
const SWEEP_MS = 3600_000;
const KEEP_ENDED_MS = 7 * 24 * 3600_000;

export async function runMailQueue(runtime: Runtime, signal: AbortSignal): Promise<void> {
  const { services } = runtime;
  const jobs = runtime.jobs;
  logger.info("Mail goes to {transport}", { transport: services.emails.transport?.description ?? "nowhere" });
  const sweep = setInterval(() => {
    services.emails
      .forgetEndedLinks(new Date(Date.now() - KEEP_ENDED_MS).toISOString())
      .catch((error) => logger.warn("Could not sweep e-mail links: {error}", { error }));
  }, SWEEP_MS);
  try {
    // A few at once: mail servers throttle senders that open many connections.
    await jobs.listen(MAIL_QUEUE, (payload) => services.emails.deliver(payload), { signal, concurrency: 4 });
  } finally {
    clearInterval(sweep);
  }
}
