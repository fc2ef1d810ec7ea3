// The port through which the domain's mails leave the server. The domain only says what to send;
// src/mail/ holds the transports (SMTP through nodemailer, or a folder of .eml files when no
// SMTP server is configured), and server/context.ts plugs one in.

/** What the domain asks to send. `kind` names the mail's purpose (logs, `./skein mail list`). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  kind: MailKind;
}

export type MailKind = "confirmation" | "email_change" | "email_changed" | "password_reset" | "password_changed" | "approved" | "rejected" | "warning" | "notice";

/** A message ready for a transport: sender, date and Message-ID are fixed when it is queued. */
export interface OutgoingMail extends MailMessage {
  from: string;
  /** "<random@host>": the same on every retry, so a receiver can tell a resent copy. */
  messageId: string;
  date: string;
}

export interface MailTransport {
  /** "smtp smtp.example:587" or "folder /srv/skein/data/mail", for logs. */
  readonly description: string;
  /**
   * Resolves once the message is accepted (by the SMTP server, or written to disk); rejects on
   * any failure, which the mail queue retries with backoff.
   */
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}
