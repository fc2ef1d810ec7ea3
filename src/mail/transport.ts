// Chooses the transport the configuration asks for: SMTP when SMTP_URL is set, else the folder.
import type { Config } from "../config/config.ts";
import type { MailTransport } from "../domain/mail/mail-transport.ts";
import { createFolderTransport, mailFolder } from "./folder-transport.ts";
import { createSmtpTransport } from "./smtp-transport.ts";

export function createMailTransport(config: Config): MailTransport {
  if (config.mail.smtpUrl) return createSmtpTransport({ url: config.mail.smtpUrl, requireTls: config.mail.requireTls });
  return createFolderTransport(mailFolder(config.dataDir));
}
