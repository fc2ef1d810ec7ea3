// What a push says: Mastodon's payload (Web::NotificationSerializer) — access_token,
// notification_id, notification_type, title, body, icon, preferred_locale — and how urgent it is.
// Clients show title and body as they are, and most then fetch the notification by its id with
// the access token (Mastodon's web app, Elk, Phanpy, Ice Cubes), or use the token to tell which
// of their accounts the push is for.
import type { NotificationType } from "../../db/schema.ts";
import type { AccountRow } from "../../store/accounts.ts";
import type { StatusRow } from "../../store/statuses.ts";
import type { MediaUrls } from "../media/media-urls.ts";
import { htmlToPlainText } from "../filters/matching.ts";

/** Every notification type a subscription can ask for (Mastodon 4.5's `data[alerts]`). */
export const PUSH_ALERTS = [
  "mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update", "quote", "quoted_update", "admin.sign_up", "admin.report",
] as const;
export type PushAlert = (typeof PUSH_ALERTS)[number];

export function isPushAlert(type: string): type is PushAlert {
  return (PUSH_ALERTS as readonly string[]).includes(type);
}

export type Urgency = "very-low" | "low" | "normal" | "high";

/**
 * RFC 8030 urgency, so that a phone on battery wakes for what a person waits for and batches the
 * rest. Mastodon sends "normal" for everything; a mention (direct messages are mentions) is what
 * someone answers, likes and boosts are what nobody needs at once.
 */
export function urgencyOf(type: NotificationType | string): Urgency {
  switch (type) {
    case "mention":
      return "high";
    case "favourite":
    case "reblog":
      return "low";
    default:
      return "normal";
  }
}

const TITLES: Record<PushAlert, (name: string) => string> = {
  mention: (n) => `You were mentioned by ${n}`,
  status: (n) => `${n} just posted`,
  reblog: (n) => `${n} boosted your post`,
  follow: (n) => `${n} is now following you`,
  follow_request: (n) => `Pending follower: ${n}`,
  favourite: (n) => `${n} favorited your post`,
  poll: (n) => `A poll by ${n} has ended`,
  update: (n) => `${n} edited a post`,
  quote: (n) => `${n} quoted your post`,
  quoted_update: (n) => `${n} edited a post you have quoted`,
  "admin.sign_up": (n) => `${n} signed up`,
  "admin.report": (n) => `${n} submitted a report`,
};

/** Mastodon's body length: clients show a line or two. */
const BODY_LENGTH = 140;

export interface PushPayload {
  access_token: string;
  preferred_locale: string;
  notification_id: string;
  notification_type: string;
  icon: string;
  title: string;
  body: string;
}

export interface PayloadInput {
  accessToken: string;
  locale: string | null;
  notification: { id: string; type: NotificationType };
  from: AccountRow;
  status: StatusRow | null;
  icon: string;
}

export function buildPayload(input: PayloadInput): PushPayload {
  const { from, status, notification } = input;
  const name = from.display_name.trim() || from.username;
  const title = isPushAlert(notification.type) ? TITLES[notification.type](name) : name;
  // The content warning rather than what it hides; else the post; else who the sender is.
  const source = status ? status.spoiler_text || htmlToPlainText(status.content) : htmlToPlainText(from.note ?? "");
  return {
    access_token: input.accessToken,
    preferred_locale: input.locale || "en",
    notification_id: notification.id,
    notification_type: notification.type,
    icon: input.icon,
    title,
    body: truncate(source.replace(/\s+/g, " ").trim(), BODY_LENGTH),
  };
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/**
 * The sender's avatar still, named as the Account entity names it (convert/mastodon/account.ts):
 * a local file at the storage's URL, a remote one through the media proxy unless its server's
 * media are rejected, else the placeholder.
 */
export function iconOf(account: AccountRow, origin: string, media: MediaUrls, mediaRejected: (domain: string) => boolean): string {
  const placeholder = `${origin}/avatars/original/missing.png`;
  if (account.domain === null) {
    const key = account.avatar_static_key ?? account.avatar_key;
    return key ? media.stored(key) : placeholder;
  }
  if (!account.avatar_url || mediaRejected(account.domain)) return placeholder;
  return media.proxied("avatar", account.id, "original", account.avatar_url);
}
