// Scheduled posts: a draft sent with `scheduled_at` waits on the server (POST /api/v1/statuses
// answers a ScheduledStatus instead of a post) and is published at its time; until then it can
// be listed (/api/v1/scheduled_statuses), moved to another time or cancelled.
import { api } from "../api/client.ts";
import type { ScheduledStatus } from "../api/types.ts";
import { Store } from "./store.ts";
import { describeMedia, statusParams, type Draft } from "./statuses.ts";

export const scheduled = new Store<{ items: ScheduledStatus[]; loaded: boolean; error: string | null }>({ items: [], loaded: false, error: null });

const fail = (error: unknown) => scheduled.update((s) => ({ ...s, error: (error as Error).message }));
const byTime = (items: ScheduledStatus[]) => [...items].sort((a, b) => a.scheduled_at.localeCompare(b.scheduled_at));

export async function schedulePost(draft: Draft, at: string, idempotencyKey: string): Promise<ScheduledStatus> {
  await describeMedia(draft);
  const created = await api.request<ScheduledStatus>("POST", "/api/v1/statuses", { body: { ...statusParams(draft), scheduled_at: at }, idempotencyKey });
  scheduled.update((s) => ({ ...s, items: byTime([...s.items.filter((i) => i.id !== created.id), created]) }));
  return created;
}

export async function loadScheduled(): Promise<void> {
  try {
    const items = await api.request<ScheduledStatus[]>("GET", "/api/v1/scheduled_statuses", { query: { limit: 40 } });
    scheduled.set({ items: byTime(items), loaded: true, error: null });
  } catch (error) {
    fail(error);
  }
}

/** Moves one to another time (ISO 8601; at least 5 minutes ahead, as on Mastodon). */
export async function reschedule(id: string, at: string): Promise<void> {
  const moved = await api.request<ScheduledStatus>("PUT", `/api/v1/scheduled_statuses/${id}`, { body: { scheduled_at: at } });
  scheduled.update((s) => ({ ...s, items: byTime(s.items.map((i) => (i.id === id ? moved : i))), error: null }));
}

export async function cancelScheduled(id: string): Promise<void> {
  try {
    await api.request("DELETE", `/api/v1/scheduled_statuses/${id}`);
    scheduled.update((s) => ({ ...s, items: s.items.filter((i) => i.id !== id), error: null }));
  } catch (error) {
    fail(error);
  }
}
