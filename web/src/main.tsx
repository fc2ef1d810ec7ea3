// The web client's entry point: read the session, then show the screen the address names.
// Layering: api/ (the Mastodon client API and streaming) → state/ (stores and actions) →
// views/ (Preact components); nothing points back up.
import { render } from "preact";
import { restoreSession } from "./state/session.ts";
import { interceptLinks, route } from "./state/router.ts";
import "./state/live.ts";
import "./state/preferences.ts";
import { App } from "./views/App.tsx";
import "./styles.css";

const root = document.getElementById("app")!;
root.replaceChildren();
interceptLinks(root);
render(<App />, root);
if (route.get().name !== "callback") void restoreSession();
