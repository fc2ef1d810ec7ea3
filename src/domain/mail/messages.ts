// The texts of Skein's mails: plain text first (what every client shows), with a small HTML
// version. Values from users (names, moderators' notes) are escaped in the HTML.
import type { MailMessage } from "./mail-transport.ts";

export interface MailContext {
  /** The instance's title, as in the web pages. */
  title: string;
  /** https://host, for links. */
  origin: string;
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

/** Paragraphs of text, with at most one link (shown on its own line, and as a link in HTML). */
function compose(kind: MailMessage["kind"], to: string, subject: string, paragraphs: string[], link?: { url: string; label: string }): MailMessage {
  const text = [...paragraphs, ...(link ? [`${link.label}:\n${link.url}`] : [])].join("\n\n") + "\n";
  const html =
    paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`).join("\n") +
    (link ? `\n<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>` : "");
  return { kind, to, subject, text, html };
}

export function confirmationMail(ctx: MailContext, to: string, username: string, token: string, hours: number): MailMessage {
  return compose(
    "confirmation",
    to,
    `Confirm your e-mail address for ${ctx.title}`,
    [`Hello @${username},`, `Someone (hopefully you) signed up on ${ctx.title} with this e-mail address. Follow the link below to confirm it. The link works once, for ${hours} hours.`, "If this was not you, ignore this mail."],
    { url: `${ctx.origin}/auth/confirmation?confirmation_token=${encodeURIComponent(token)}`, label: "Confirm my e-mail address" },
  );
}

export function emailChangeMail(ctx: MailContext, to: string, username: string, token: string, hours: number): MailMessage {
  return compose(
    "email_change",
    to,
    `Confirm your new e-mail address for ${ctx.title}`,
    [`Hello @${username},`, `You asked to use this address for your account on ${ctx.title}. Follow the link below to confirm it; until then your old address stays in use. The link works once, for ${hours} hours.`],
    { url: `${ctx.origin}/auth/confirmation?confirmation_token=${encodeURIComponent(token)}`, label: "Confirm my new e-mail address" },
  );
}

export function emailChangedNotice(ctx: MailContext, to: string, username: string, newEmail: string): MailMessage {
  return compose("email_changed", to, `Your e-mail address on ${ctx.title} is changing`, [
    `Hello @${username},`,
    `A change of your account's e-mail address to ${newEmail} was requested. It takes effect once the new address is confirmed.`,
    "If this was not you, change your password and tell the server's moderators.",
  ]);
}

export function passwordResetMail(ctx: MailContext, to: string, username: string, token: string, hours: number): MailMessage {
  return compose(
    "password_reset",
    to,
    `Reset your password on ${ctx.title}`,
    [`Hello @${username},`, `Someone (hopefully you) asked to reset the password of your account on ${ctx.title}. Follow the link below to choose a new one. The link works once, for ${hours} hours.`, "If this was not you, ignore this mail: your password stays as it is."],
    { url: `${ctx.origin}/auth/password/edit?reset_password_token=${encodeURIComponent(token)}`, label: "Choose a new password" },
  );
}

export function passwordChangedNotice(ctx: MailContext, to: string, username: string): MailMessage {
  return compose("password_changed", to, `Your password on ${ctx.title} was changed`, [
    `Hello @${username},`,
    "The password of your account was just changed, and every app and browser was signed out.",
    "If this was not you, reset your password at once and tell the server's moderators.",
  ]);
}

export function approvedMail(ctx: MailContext, to: string, username: string): MailMessage {
  return compose("approved", to, `Your account on ${ctx.title} was approved`, [`Hello @${username},`, `A moderator approved your sign-up on ${ctx.title}. You can sign in now.`], {
    url: `${ctx.origin}/auth/sign_in`,
    label: "Sign in",
  });
}

export function rejectedMail(ctx: MailContext, to: string, username: string): MailMessage {
  return compose("rejected", to, `Your sign-up on ${ctx.title} was not accepted`, [
    `Hello ${username},`,
    `The moderators of ${ctx.title} did not accept your sign-up, and the account was removed.`,
  ]);
}

const ACTION_TEXT: Record<string, string> = {
  none: "The moderators sent you a warning.",
  sensitive: "The moderators marked your media as sensitive: others see your media behind a warning from now on.",
  disable: "The moderators froze your account: you cannot sign in or use it until they lift this.",
  silence: "The moderators limited your account: only people who already follow you see your posts.",
  suspend: "The moderators suspended your account: it can no longer be used, and others no longer see it.",
};

export function warningMail(ctx: MailContext, to: string, username: string, action: string, note: string): MailMessage {
  const paragraphs = [`Hello @${username},`, ACTION_TEXT[action] ?? ACTION_TEXT.none];
  if (note.trim()) paragraphs.push(`Their note:\n${note.trim()}`);
  paragraphs.push(`You can read this warning in your notifications on ${ctx.title}.`);
  return compose("warning", to, `A moderation notice about your account on ${ctx.title}`, paragraphs);
}
