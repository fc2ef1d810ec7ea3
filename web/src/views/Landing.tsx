// What a signed-out visitor sees at /: the server's own description, rules, contact and
// registration state (what /about shows, from the API), a button to sign in, a link to sign up,
// and the public pages.
import { beginSignIn, instance, session } from "../state/session.ts";
import { useStore } from "./use-store.ts";
import { useState } from "preact/hooks";

export function Landing() {
  const { info, rules } = useStore(instance);
  const current = useStore(session);
  const [starting, setStarting] = useState(false);
  const registrations = info?.registrations;
  const signIn = () => {
    setStarting(true);
    void beginSignIn().finally(() => setStarting(false));
  };
  return (
    <>
      <header class="site-header">
        <a class="brand" href="/">{info?.title ?? "Skein"}</a>
      </header>
      <main id="main" class="landing" tabIndex={-1}>
        <h1>{info?.title ?? "Skein"}</h1>
        {info?.description && <p class="description">{info.description}</p>}
        {current.state === "signed-out" && current.error && <p class="error" role="alert">{current.error}</p>}
        <div class="landing-actions">
          <button type="button" id="sign-in" onClick={signIn} disabled={starting || current.state === "checking"}>
            Sign in
          </button>
          {registrations?.enabled !== false && (
            <a class="button secondary" href="/auth/sign_up">{registrations?.approval_required ? "Ask to sign up" : "Sign up"}</a>
          )}
        </div>
        {registrations?.enabled === false && <p>This server does not take sign-ups here now (it may by invitation: see <a href="/about">About</a>).</p>}
        {registrations?.message && <p>{registrations.message}</p>}
        {rules.length > 0 && (
          <section aria-labelledby="rules-heading">
            <h2 id="rules-heading">Rules</h2>
            <ol class="rules">
              {rules.map((r) => (
                <li key={r.id}>
                  {r.text}
                  {r.hint && <span class="meta"> — {r.hint}</span>}
                </li>
              ))}
            </ol>
          </section>
        )}
        {(info?.contact.account || info?.contact.email) && (
          <section aria-labelledby="contact-heading">
            <h2 id="contact-heading">Contact</h2>
            <p>
              {info.contact.account && <>Administered by <a href={info.contact.account.url}>@{info.contact.account.acct}</a>. </>}
              {info.contact.email && <>Email: <a href={`mailto:${info.contact.email}`}>{info.contact.email}</a></>}
            </p>
          </section>
        )}
      </main>
      <footer class="site-footer">
        <nav aria-label="Public pages">
          <a href="/about">About this server</a> · <a href="/public/local">Local timeline</a> · <a href="/privacy-policy">Privacy policy</a>
        </nav>
        <p class="meta">{info ? `Version ${info.version}. ` : ""}Any Mastodon app can sign in with this server's address too.</p>
      </footer>
    </>
  );
}
