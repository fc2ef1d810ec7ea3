// `./skein mail`: the mails of a server without SMTP (DATA_DIR/mail/), and a test mail.
//   list [--limit N]   date, recipient, subject and the links each mail holds, oldest first,
//                      and how many mails wait in the queue (or failed for good)
//   show ID            one mail: its headers and text, then the raw message (--raw: only that)
//   test ADDRESS       queues a test mail (sent by the running server: SMTP or the folder)
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { openRuntime } from "../../server/context.ts";
import { MAIL_QUEUE } from "../../domain/mail/email-service.ts";
import { listFolderMails, mailFolder, readFolderMail } from "../../mail/folder-transport.ts";
import { parseArgs, UsageError } from "../usage.ts";

const USAGE = "Usage: ./skein mail list [--limit N] | ./skein mail show ID [--raw] | ./skein mail test ADDRESS";

export async function mail(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, ["raw"], USAGE);
  loadDotEnv();
  const config = loadConfig();
  const folder = mailFolder(config.dataDir);
  switch (positional[0]) {
    case "list": {
      if (positional.length > 1) throw new UsageError(USAGE);
      const limit = options.limit === undefined ? 50 : Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError("--limit must be a whole number from 1 to 10000");
      const mails = await listFolderMails(folder, limit);
      if (config.mail.smtpUrl) process.stdout.write(`Mail is sent through SMTP (SMTP_URL); ${folder} holds only mails written before it was set.\n`);
      if (mails.length === 0) process.stdout.write(`No mails in ${folder}.\n`);
      for (const m of mails) {
        process.stdout.write(`${m.id}  ${m.date}  to ${m.to}  ${m.kind}\n  ${m.subject}\n`);
        for (const link of m.links) process.stdout.write(`  ${link}\n`);
      }
      await printQueue(config);
      return 0;
    }
    case "show": {
      if (positional.length !== 2) throw new UsageError(USAGE);
      const m = await readFolderMail(folder, positional[1]);
      if (!m) throw new UsageError(`No mail ${positional[1]} in ${folder} (see ./skein mail list)`);
      if (options.raw) {
        process.stdout.write(m.raw);
        return 0;
      }
      process.stdout.write(`Date: ${m.date}\nFrom: ${m.from}\nTo: ${m.to}\nSubject: ${m.subject}\nKind: ${m.kind}\nFile: ${folder}/${m.id}.eml\n\n${m.text}`);
      return 0;
    }
    case "test": {
      if (positional.length !== 2) throw new UsageError(USAGE);
      const runtime = await openRuntime(config);
      try {
        await runtime.services.emails.send({
          kind: "notice",
          to: positional[1],
          subject: `A test mail from ${config.instance.title}`,
          text: `This mail was sent with ./skein mail test from ${config.origin}. If you read it, outgoing mail works.\n`,
        });
      } finally {
        await runtime.close();
      }
      process.stdout.write(`Queued a test mail to ${positional[1]}; the running server sends it (${config.mail.smtpUrl ? "through SMTP" : `to ${folder}`}).\n`);
      return 0;
    }
    default:
      throw new UsageError(USAGE);
  }
}

async function printQueue(config: ReturnType<typeof loadConfig>): Promise<void> {
  const runtime = await openRuntime(config);
  try {
    const { jobs } = runtime;
    const waiting = await jobs.depth(MAIL_QUEUE);
    const dead = await jobs.depth(`dead:${MAIL_QUEUE}`);
    const pending = waiting.ready + waiting.delayed;
    if (pending > 0) process.stdout.write(`${pending} mail(s) waiting to be sent (${waiting.delayed} retrying later).\n`);
    if (dead.ready + dead.delayed > 0) process.stdout.write(`${dead.ready + dead.delayed} mail(s) failed 10 times and were given up (queue dead:mail).\n`);
  } finally {
    await runtime.close();
  }
}
