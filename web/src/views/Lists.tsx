// Lists: the index (create, rename, delete) and one list's screen (its timeline, and who is in
// it: add people you follow, remove members).
import { useEffect, useState } from "preact/hooks";
import type { Account } from "../api/types.ts";
import { addMember, createList, deleteList, findFollowed, lists, loadLists, loadMembers, removeMember, renameList } from "../state/lists.ts";
import { navigate, paths } from "../state/router.ts";
import { useStore } from "./use-store.ts";
import { AccountRow } from "./AccountRow.tsx";
import { Timeline } from "./Timeline.tsx";
import { displayName } from "./format.ts";

export function Lists() {
  const state = useStore(lists);
  const [title, setTitle] = useState("");
  useEffect(() => void loadLists(), []);
  return (
    <section aria-labelledby="lists-heading" class="lists">
      <h1 id="lists-heading">Lists</h1>
      <form
        class="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (title.trim() && (await createList(title.trim()))) setTitle("");
        }}
      >
        <label for="new-list-title">New list</label>
        <span class="search-row">
          <input id="new-list-title" type="text" value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
          <button type="submit">Create</button>
        </span>
      </form>
      {state.error && <p class="error" role="alert">{state.error}</p>}
      {state.loaded && state.lists.length === 0 && <p class="empty">No lists yet.</p>}
      <ul class="plain-list">
        {state.lists.map((l) => (
          <li key={l.id}><a href={paths.list(l.id)}>{l.title}</a></li>
        ))}
      </ul>
    </section>
  );
}

export function ListScreen({ id }: { id: string }) {
  const state = useStore(lists);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    if (!state.loaded) void loadLists();
    void loadMembers(id);
  }, [id]);
  const list = state.lists.find((l) => l.id === id);
  if (!list) return state.loaded ? <p class="error" role="alert">This list does not exist.</p> : <p class="loading">Loading…</p>;
  return (
    <Timeline feed={`list:${id}`} title={list.title}>
      {state.error && <p class="error" role="alert">{state.error}</p>}
      <div class="list-tools">
        {editing ? (
          <RenameForm title={list.title} onDone={async (title) => { if (title) await renameList(id, title); setEditing(false); }} />
        ) : (
          <button type="button" class="secondary" onClick={() => setEditing(true)}>Rename</button>
        )}{" "}
        <button
          type="button"
          class="secondary danger"
          onClick={async () => {
            if (!confirm(`Delete the list “${list.title}”?`)) return;
            await deleteList(id);
            navigate(paths.lists);
          }}
        >
          Delete list
        </button>
        <details class="members">
          <summary>Members ({state.members[id]?.length ?? 0})</summary>
          <ul class="account-list">
            {(state.members[id] ?? []).map((a) => (
              <AccountRow key={a.id} account={a}>
                <button type="button" class="secondary" aria-label={`Remove ${displayName(a)}`} onClick={() => removeMember(id, a.id)}>Remove</button>
              </AccountRow>
            ))}
          </ul>
          <AddMember listId={id} />
        </details>
      </div>
    </Timeline>
  );
}

function RenameForm({ title, onDone }: { title: string; onDone: (title: string) => void }) {
  const [text, setText] = useState(title);
  return (
    <form class="inline-form" onSubmit={(e) => { e.preventDefault(); onDone(text.trim()); }}>
      <label for="rename-list">New title</label>
      <span class="search-row">
        <input id="rename-list" type="text" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit">Save</button>
      </span>
    </form>
  );
}

function AddMember({ listId }: { listId: string }) {
  const [q, setQ] = useState("");
  const [found, setFound] = useState<Account[]>([]);
  return (
    <form
      class="inline-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (q.trim()) setFound(await findFollowed(q.trim()).catch(() => []));
      }}
    >
      <label for="list-add">Add someone you follow</label>
      <span class="search-row">
        <input id="list-add" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        <button type="submit" class="secondary">Find</button>
      </span>
      <ul class="account-list">
        {found.map((a) => (
          <AccountRow key={a.id} account={a}>
            <button type="button" aria-label={`Add ${displayName(a)}`} onClick={() => { void addMember(listId, a); setFound(found.filter((f) => f.id !== a.id)); }}>Add</button>
          </AccountRow>
        ))}
      </ul>
    </form>
  );
}
