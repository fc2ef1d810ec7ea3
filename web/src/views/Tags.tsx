// Hashtags: the ones you follow (their posts reach your home timeline), and a hashtag's own
// timeline with Follow / Unfollow.
import { useEffect, useState } from "preact/hooks";
import { followedTags, loadFollowedTags, loadTag, setTagFollowed, tagInfo } from "../state/tags.ts";
import { paths } from "../state/router.ts";
import { useStore } from "./use-store.ts";
import { Timeline } from "./Timeline.tsx";

export function FollowedTags() {
  const state = useStore(followedTags);
  useEffect(() => void loadFollowedTags(), []);
  return (
    <section aria-labelledby="tags-heading">
      <h1 id="tags-heading">Followed hashtags</h1>
      {state.error && <p class="error" role="alert">{state.error}</p>}
      {state.loaded && state.tags.length === 0 && <p class="empty">You follow no hashtags. Open one (from a post or a search) to follow it.</p>}
      <ul class="plain-list">
        {state.tags.map((t) => (
          <li key={t.name}><a href={paths.tag(t.name)}>#{t.name}</a></li>
        ))}
      </ul>
    </section>
  );
}

export function TagScreen({ name }: { name: string }) {
  const all = useStore(tagInfo);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void loadTag(name), [name]);
  const tag = all[name.toLowerCase()];
  return (
    <Timeline feed={`tag:${name}`} title={`#${name}`}>
      {tag && (
        <p>
          <button type="button" class={tag.following ? "secondary" : ""} id="follow-tag" onClick={() => setTagFollowed(name, !tag.following).catch((e: Error) => setError(e.message))}>
            {tag.following ? "Unfollow hashtag" : "Follow hashtag"}
          </button>
        </p>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </Timeline>
  );
}
