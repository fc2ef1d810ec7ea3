// The privacy policy a server shows until its admin sets one (`./skein instance set
// privacy-policy FILE`): what Skein stores, who sees it, and what federation means for it —
// written for Skein, true of its default behaviour.
import type { Config } from "../../config/config.ts";
import { escapeHtml } from "../text/plain-to-html.ts";

/** When this default text last changed (the `updated_at` clients show for it). */
export const DEFAULT_PRIVACY_POLICY_DATE = "2026-12-01T00:00:00.000Z";

export function defaultPrivacyPolicy(config: Config): string {
  const site = escapeHtml(config.localDomain);
  const contact = escapeHtml(config.instance.contactEmail);
  return `<p>This page explains what ${site} (“this server”, “we”) keeps about the people who use it, why, and who else gets to see it. The people who run this server have not written their own policy yet; this is the default one of Skein, the software the server runs.</p>

<h2>What we keep</h2>
<ul>
<li><strong>Your account</strong>: the user name, e-mail address and password (stored only as a salted hash) you gave when signing up, and the settings you choose.</li>
<li><strong>What you publish</strong>: your profile, posts, uploaded media, boosts, favourites and the accounts you follow. Public posts and your profile can be read by anyone; who follows whom is shown on profiles.</li>
<li><strong>Posts for followers and direct messages</strong>: they are stored on this server and on the servers of the people they are addressed to. The people who run those servers can technically read them, and recipients can copy them. Do not use this service for anything you would not risk being seen by others.</li>
<li><strong>Technical records</strong>: when you sign in, the address you came from and the time, kept to protect your account and the server from abuse.</li>
</ul>

<h2>Why we keep it</h2>
<p>To run the service you signed up for: show your posts to the people they are meant for, deliver theirs to you, let you sign in safely, and let moderators deal with abuse. We do not sell what we keep, show advertising, or build profiles of you for anyone.</p>

<h2>Federation</h2>
<p>This server is part of the fediverse. When you post, your post is sent to the servers of the people who should receive it (your followers, the people you mention, and for public posts possibly anyone who asks). Those servers have their own operators and policies. When you delete a post, we ask them to delete their copy too, but we cannot force them to.</p>

<h2>How long we keep it</h2>
<p>Your posts and profile stay until you delete them or your account. When you delete your account, its posts, media and profile are removed from this server and deletions are sent to the servers that received them. Sign-in records are kept only as long as needed to keep accounts safe.</p>

<h2>Your choices</h2>
<p>You can download your data, change who may see each post, require approval of new followers, opt out of search and discovery, and delete your account at any time from your settings.</p>

<h2>Questions</h2>
<p>Write to the people who run this server at <a href="mailto:${contact}">${contact}</a>.</p>`;
}
