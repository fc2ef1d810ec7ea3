// Sending through an SMTP server with nodemailer, configured by SMTP_URL:
//   smtp://user:password@host:587   plain connection, upgraded with STARTTLS when the server
//                                   offers it (always, with SMTP_REQUIRE_TLS=true)
//   smtps://user:password@host:465  TLS from the first byte
// Every step has a deadline, so a server that hangs fails the attempt (and the mail queue tries
// again later) instead of holding a worker forever. One connection per mail: Skein sends few.
import { LazyTransporter } from "./nodemailer.ts";
import type { MailTransport, OutgoingMail } from "../domain/mail/mail-transport.ts";

export interface SmtpOptions {
  url: string;
  requireTls: boolean;
  /** Deadlines in ms (connect, greeting, idle socket); tests shorten them. */
  timeouts?: { connectMs?: number; greetingMs?: number; socketMs?: number };
}

export function createSmtpTransport(options: SmtpOptions): MailTransport {
  const url = new URL(options.url);
  const secure = url.protocol === "smtps:";
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const auth = url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const transporter = new LazyTransporter({
    host,
    port,
    secure,
    requireTLS: options.requireTls && !secure,
    auth,
    connectionTimeout: options.timeouts?.connectMs ?? 30_000,
    greetingTimeout: options.timeouts?.greetingMs ?? 30_000,
    socketTimeout: options.timeouts?.socketMs ?? 60_000,
    // Certificates are checked (nodemailer's default); the name checked is the URL's host.
    tls: { servername: host },
  });
  return {
    description: `smtp ${host}:${port}${secure ? " (TLS)" : ""}`,
    async send(mail: OutgoingMail): Promise<void> {
      await (await transporter.get()).sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        date: new Date(mail.date),
        headers: { "X-Skein-Kind": mail.kind },
      });
    },
    async close(): Promise<void> {
      await transporter.close();
    },
  };
}
