// The frame of the signed-in client: a skip link, the header with the main navigation, the
// screen the address names in <main>, and the compose box beside it (above it on a phone).
import { useEffect, useRef, useState } from "preact/hooks";
import { route, paths, type Route } from "../state/router.ts";
import { session, signOut, completeSignIn } from "../state/session.ts";
import { notifications } from "../state/notifications.ts";
import { useStore } from "./use-store.ts";
import { Landing } from "./Landing.tsx";
import { Timeline } from "./Timeline.tsx";
import { Thread } from "./Thread.tsx";
import { Profile } from "./Profile.tsx";
import { Notifications } from "./Notifications.tsx";
import { Compose } from "./Compose.tsx";
import { Help } from "./Help.tsx";
import { Search, SearchBox } from "./Search.tsx";
import { Lists, ListScreen } from "./Lists.tsx";
import { FollowedTags, TagScreen } from "./Tags.tsx";
import { Filters } from "./Filters.tsx";
import { FollowRequests } from "./FollowRequests.tsx";
import { Preferences } from "./Preferences.tsx";
import { Scheduled } from "./Scheduled.tsx";
import { Conversations } from "./Conversations.tsx";
import { NotificationRequests } from "./NotificationRequests.tsx";
import { EditProfile } from "./EditProfile.tsx";
import { Announcements } from "./Announcements.tsx";
import { AccountListScreen } from "./AccountLists.tsx";
import { installShortcuts } from "./keyboard.ts";
import { displayName } from "./format.ts";

export function App() {
  const current = useStore(session);
  const where = useStore(route);
  useEffect(() => {
    if (where.name === "callback") void completeSignIn();
  }, [where.name]);
  if (where.name === "callback" || current.state === "checking") {
    return (
      <main id="main" class="landing">
        <p class="loading" aria-live="polite">Signing in…</p>
      </main>
    );
  }
  if (current.state === "signed-out") return <Landing />;
  return <SignedIn where={where} />;
}

function Screen({ where }: { where: Route }) {
  switch (where.name) {
    case "home":
      return (
        <Timeline feed="home" title="Home">
          <Announcements />
        </Timeline>
      );
    case "local":
      return <Timeline feed="local" title="Local timeline" stream="public:local" />;
    case "federated":
      return <Timeline feed="federated" title="Federated timeline" stream="public" />;
    case "notifications":
      return <Notifications />;
    case "thread":
      return <Thread id={where.id} />;
    case "profile":
      return <Profile id={where.id} />;
    case "search":
      return <Search query={where.query} />;
    case "bookmarks":
      return <Timeline feed="bookmarks" title="Bookmarks" />;
    case "favourites":
      return <Timeline feed="favourites" title="Favourites" />;
    case "lists":
      return <Lists />;
    case "list":
      return <ListScreen id={where.id} />;
    case "tags":
      return <FollowedTags />;
    case "tag":
      return <TagScreen name={where.tag} />;
    case "filters":
      return <Filters />;
    case "follow-requests":
      return <FollowRequests />;
    case "preferences":
      return <Preferences />;
    case "scheduled":
      return <Scheduled />;
    case "conversations":
      return <Conversations />;
    case "notification-requests":
      return <NotificationRequests />;
    case "edit-profile":
      return <EditProfile />;
    case "account-list":
      return <AccountListScreen kind={where.kind} id={where.id} />;
    default:
      return (
        <section aria-labelledby="missing-heading">
          <h1 id="missing-heading">Not found</h1>
          <p>There is nothing at this address. <a href={paths.home}>Go home</a></p>
        </section>
      );
  }
}

const NAV: [Route["name"], string, string][] = [
  ["home", paths.home, "Home"],
  ["notifications", paths.notifications, "Notifications"],
  ["local", paths.local, "Local"],
  ["federated", paths.federated, "Federated"],
  ["search", paths.search(""), "Search"],
];

/** The rest of the screens, in the side column (and below the compose box on a phone). */
const MORE: [Route["name"], string, string][] = [
  ["conversations", paths.conversations, "Direct messages"],
  ["bookmarks", paths.bookmarks, "Bookmarks"],
  ["favourites", paths.favourites, "Favourites"],
  ["lists", paths.lists, "Lists"],
  ["tags", paths.tags, "Followed hashtags"],
  ["follow-requests", paths.followRequests, "Follow requests"],
  ["scheduled", paths.scheduled, "Scheduled posts"],
  ["filters", paths.filters, "Filters"],
  ["edit-profile", paths.editProfile, "Edit profile"],
  ["account-list", paths.mutes, "Muted people"],
  ["account-list", paths.blocks, "Blocked people"],
  ["preferences", paths.preferences, "Preferences"],
];

function SignedIn({ where }: { where: Route }) {
  const me = useStore(session);
  const { unseen } = useStore(notifications);
  const [help, setHelp] = useState(false);
  useEffect(() => installShortcuts(() => setHelp(true)), []);
  const first = useRef(true);
  useEffect(() => {
    // A new screen (not the first): focus goes to it, so keyboard and screen reader start there.
    if (first.current) first.current = false;
    else document.getElementById("main")?.focus({ preventScroll: true });
  }, [where]);
  if (me.state !== "signed-in") return null;
  return (
    <>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="site-header">
        <a class="brand" href={paths.home}>Skein</a>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([name, href, label]) => (
              <li key={name}>
                <a href={href} aria-current={where.name === name ? "page" : undefined}>
                  {label}
                  {name === "notifications" && unseen > 0 && <span class="unseen"> ({unseen} new)</span>}
                </a>
              </li>
            ))}
            <li>
              <a href={paths.profile(me.me.id)} aria-current={where.name === "profile" && where.id === me.me.id ? "page" : undefined}>
                Profile
              </a>
            </li>
          </ul>
        </nav>
        <div class="account-menu">
          <span class="signed-in-as">@{me.me.acct}</span>
          <button type="button" class="secondary" id="sign-out" onClick={() => void signOut()}>Sign out</button>
          <button type="button" class="secondary" aria-label="Keyboard shortcuts" onClick={() => setHelp(true)}>?</button>
        </div>
      </header>
      <div class="columns">
        <aside class="compose-column" aria-label="Compose and more">
          <Compose />
          <p class="meta me">Signed in as {displayName(me.me)}</p>
          {where.name !== "search" && <SearchBox />}
          <nav aria-label="More" class="more-nav">
            <ul>
              {MORE.map(([name, href, label]) => (
                <li key={href}>
                  <a href={href} aria-current={(where.name === name && (name !== "account-list" || href === location.pathname)) || (name === "lists" && where.name === "list") ? "page" : undefined}>{label}</a>
                </li>
              ))}
              <li>
                <a href="/settings/profile">Account settings</a>
              </li>
            </ul>
          </nav>
        </aside>
        <main id="main" tabIndex={-1}>
          <Screen where={where} />
        </main>
      </div>
      <Help open={help} onClose={() => setHelp(false)} />
    </>
  );
}
