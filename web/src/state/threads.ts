// A post with its thread: the posts it answers (ancestors) and the answers to it (descendants).
import { api } from "../api/client.ts";
import type { Context, Status } from "../api/types.ts";
import { Store } from "./store.ts";
import { alreadyCounted, remember } from "./statuses.ts";

export interface ThreadState {
  ancestors: string[];
  descendants: string[];
  loaded: boolean;
  error: string | null;
}

export const threads = new Store<Record<string, ThreadState>>({});

export async function loadThread(id: string): Promise<void> {
  try {
    const [status, context] = await Promise.all([
      api.request<Status>("GET", `/api/v1/statuses/${encodeURIComponent(id)}`),
      api.request<Context>("GET", `/api/v1/statuses/${encodeURIComponent(id)}/context`),
    ]);
    alreadyCounted([status, ...context.ancestors, ...context.descendants]);
    remember([status]);
    threads.update((all) => ({
      ...all,
      [id]: { ancestors: remember(context.ancestors), descendants: remember(context.descendants), loaded: true, error: null },
    }));
  } catch (error) {
    threads.update((all) => ({ ...all, [id]: { ancestors: [], descendants: [], loaded: true, error: (error as Error).message } }));
  }
}

/** A reply written here, or one that arrived live, joins the thread it answers if it is shown. */
export function addReply(status: Status): void {
  const parent = status.in_reply_to_id;
  if (!parent) return;
  threads.update((all) => {
    let changed = false;
    const next = { ...all };
    for (const [id, thread] of Object.entries(all)) {
      const inThread = id === parent || thread.ancestors.includes(parent) || thread.descendants.includes(parent);
      if (inThread && !thread.descendants.includes(status.id)) {
        next[id] = { ...thread, descendants: [...thread.descendants, status.id] };
        changed = true;
      }
    }
    return changed ? next : all;
  });
}
