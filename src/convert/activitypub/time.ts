// Fedify's vocabulary speaks Temporal; Node 24 does not ship it yet, so values are made with the
// polyfill Fedify itself uses (its typings name the standard global).
import { Temporal as Polyfill } from "@js-temporal/polyfill";

export function instant(iso: string | Date): Temporal.Instant {
  return Polyfill.Instant.from(typeof iso === "string" ? iso : iso.toISOString()) as unknown as Temporal.Instant;
}

export function toDate(value: Temporal.Instant | null | undefined): Date | null {
  return value ? new Date(value.epochMilliseconds) : null;
}
