// Without SMTP_URL, mails are written to DATA_DIR/mail/ instead of being sent: a single-person
// server needs no mail server, and `./skein mail list` / `./skein mail show ID` read them (the
// confirmation and reset links included). Each mail is two files under one name: NAME.eml, the
// message exactly as it would have been sent (any mail client opens it), and NAME.json, what
// the command line lists. Files are written under a temporary name and renamed, so a reader
// never sees half a mail; the .json is renamed last, so a listed mail always has its .eml.
import fs from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { LazyTransporter } from "./nodemailer.ts";
import type { MailTransport, OutgoingMail } from "../domain/mail/mail-transport.ts";

export interface StoredMail {
  id: string;
  date: string;
  from: string;
  to: string;
  subject: string;
  kind: string;
  text: string;
  /** The http(s) links in the text, in order (what a reader wants from a confirmation mail). */
  links: string[];
}

/** Ids are file names we made; anything else (a path, "..") names no mail. */
const ID_PATTERN = /^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$/;

export function createFolderTransport(folder: string): MailTransport {
  const composer = new LazyTransporter({ streamTransport: true, buffer: true, newline: "unix" });
  return {
    description: `folder ${folder}`,
    async send(mail: OutgoingMail): Promise<void> {
      await fs.mkdir(folder, { recursive: true, mode: 0o700 });
      const info = await (await composer.get()).sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        date: new Date(mail.date),
        headers: { "X-Skein-Kind": mail.kind },
      });
      const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
      const id = `${stamp}-${randomBytes(4).toString("hex")}`;
      const stored: StoredMail = { id, date: new Date(mail.date).toISOString(), from: mail.from, to: mail.to, subject: mail.subject, kind: mail.kind, text: mail.text, links: linksIn(mail.text) };
      await writeAtomically(path.join(folder, `${id}.eml`), info.message as Buffer);
      await writeAtomically(path.join(folder, `${id}.json`), JSON.stringify(stored, null, 2) + "\n");
    },
    async close(): Promise<void> {},
  };
}

async function writeAtomically(file: string, content: string | Buffer): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  // Mails hold password-reset links: readable by the server's user only.
  await fs.writeFile(temporary, content, { mode: 0o600 });
  await fs.rename(temporary, file);
}

export function linksIn(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((m) => m[0]);
}

/** The mails in the folder, oldest first (at most `limit`, the newest ones). */
export async function listFolderMails(folder: string, limit = 100): Promise<StoredMail[]> {
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const ids = names.filter((n) => n.endsWith(".json")).map((n) => n.slice(0, -5)).filter((id) => ID_PATTERN.test(id)).sort().slice(-limit);
  const mails: StoredMail[] = [];
  for (const id of ids) {
    const mail = await readFolderMail(folder, id);
    if (mail) mails.push(mail);
  }
  return mails;
}

/** One mail by id, with the raw message; null if there is none. */
export async function readFolderMail(folder: string, id: string): Promise<(StoredMail & { raw: string }) | null> {
  if (!ID_PATTERN.test(id)) return null;
  try {
    const stored = JSON.parse(await fs.readFile(path.join(folder, `${id}.json`), "utf8")) as StoredMail;
    const raw = await fs.readFile(path.join(folder, `${id}.eml`), "utf8");
    return { ...stored, id, raw };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** DATA_DIR/mail: where the folder transport writes. */
export function mailFolder(dataDir: string): string {
  return path.join(dataDir, "mail");
}
