// Direct messages: each conversation with the people in it and its newest post; unread ones are
// marked. Opening one (its thread) marks it read; so does "Mark read". "n" or a reply writes
// in it (a reply keeps the visibility: mentioned people only).
import { useEffect } from "preact/hooks";
import type { Conversation } from "../api/types.ts";
import { conversations, loadConversations, markConversationRead, removeConversation } from "../state/conversations.ts";
import { statuses } from "../state/statuses.ts";
import { navigate, paths } from "../state/router.ts";
import { useStore } from "./use-store.ts";
import { StatusView } from "./StatusView.tsx";
import { displayName } from "./format.ts";

export function Conversations() {
  const state = useStore(conversations);
  useEffect(() => void loadConversations(), []);
  return (
    <section aria-labelledby="conversations-heading" class="conversations">
      <h1 id="conversations-heading">Direct messages</h1>
      <p class="meta">Posts for mentioned people only. To start one, write a post that mentions them and choose "Mentioned people only".</p>
      {state.error && <p class="error" role="alert">{state.error}</p>}
      {state.loaded && state.items.length === 0 && <p class="empty">No direct messages yet.</p>}
      <ul class="conversation-list">
        {state.items.map((c) => <ConversationItem key={c.id} conversation={c} />)}
      </ul>
      {state.loading && <p class="loading">Loading…</p>}
      {state.next && !state.loading && <button type="button" class="more" onClick={() => loadConversations({ more: true })}>Load more</button>}
    </section>
  );
}

function ConversationItem({ conversation }: { conversation: Conversation }) {
  const cache = useStore(statuses);
  const last = conversation.last_status ? (cache[conversation.last_status.id] ?? conversation.last_status) : null;
  const people = conversation.accounts.map(displayName).join(", ") || "Only you";
  const open = () => {
    if (conversation.unread) void markConversationRead(conversation.id);
    if (last) navigate(paths.thread(last.id));
  };
  return (
    <li
      class={`conversation${conversation.unread ? " unread" : ""}`}
      data-conversation-id={conversation.id}
      // A click on the post opens its thread (StatusView): the conversation is read then too.
      onClick={(e) => {
        if (conversation.unread && !(e.target as Element).closest("button, summary")) void markConversationRead(conversation.id);
      }}
    >
      <p class="conversation-line">
        <strong>With {people}</strong>
        {conversation.unread && <span class="badge">Unread</span>}{" "}
        {last && <button type="button" class="link" onClick={open}>Open conversation</button>}{" "}
        {conversation.unread && <button type="button" class="link" data-action="mark-read" onClick={() => markConversationRead(conversation.id)}>Mark read</button>}{" "}
        <button type="button" class="link" onClick={() => removeConversation(conversation.id)}>Remove from list</button>
      </p>
      {last && <StatusView status={last} />}
    </li>
  );
}
