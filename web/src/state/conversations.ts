// Direct messages (/api/v1/conversations): each conversation with its people, its newest post and
// whether it is unread. Opening one marks it read; it can be marked read from the list too, or
// removed from it (the posts stay).
import { api } from "../api/client.ts";
import type { Conversation } from "../api/types.ts";
import { Store } from "./store.ts";
import { alreadyCounted, remember } from "./statuses.ts";

export interface ConversationsState {
  items: Conversation[];
  next: string | null;
  loading: boolean;
  loaded: boolean;
  error: string | null;
}

export const conversations = new Store<ConversationsState>({ items: [], next: null, loading: false, loaded: false, error: null });

const fail = (error: unknown) => conversations.update((s) => ({ ...s, loading: false, error: (error as Error).message }));

/** Loads afresh each time the screen opens (a new message may have started a conversation). */
export async function loadConversations(options: { more?: boolean } = {}): Promise<void> {
  const current = conversations.get();
  if (current.loading || (options.more && !current.next)) return;
  conversations.set({ ...current, loading: true, error: null });
  try {
    const page = await api.page<Conversation>("/api/v1/conversations", { limit: 20, max_id: options.more ? (current.next ?? undefined) : undefined });
    const posts = page.items.flatMap((c) => (c.last_status ? [c.last_status] : []));
    alreadyCounted(posts);
    remember(posts);
    conversations.update((s) => ({
      items: options.more ? [...s.items, ...page.items.filter((c) => !s.items.some((d) => d.id === c.id))] : page.items,
      next: page.next,
      loading: false,
      loaded: true,
      error: null,
    }));
  } catch (error) {
    fail(error);
  }
}

export async function markConversationRead(id: string): Promise<void> {
  try {
    const read = await api.request<Conversation>("POST", `/api/v1/conversations/${id}/read`);
    conversations.update((s) => ({ ...s, items: s.items.map((c) => (c.id === id ? read : c)) }));
  } catch (error) {
    fail(error);
  }
}

export async function removeConversation(id: string): Promise<void> {
  try {
    await api.request("DELETE", `/api/v1/conversations/${id}`);
    conversations.update((s) => ({ ...s, items: s.items.filter((c) => c.id !== id) }));
  } catch (error) {
    fail(error);
  }
}
