// E-mail below the HTTP layer: the configuration (SMTP_URL, SMTP_FROM, SMTP_REQUIRE_TLS), the
// SMTP transport's deadlines and TLS requirement against real sockets, and the e-mail service's
// links on a real SQLite database — the address change that no page reaches yet (the settings
// pages will), links that replace each other, and what a mail's text holds.
// skein-test: once (an SQLite file of its own, whatever the suite's database)
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { SMTPServer } from "smtp-server";
import { ConfigError, loadConfig } from "../../src/config/config.ts";
import { createSmtpTransport } from "../../src/mail/smtp-transport.ts";
import { createFolderTransport, listFolderMails, readFolderMail } from "../../src/mail/folder-transport.ts";
import { openDatabase } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { createStores } from "../../src/store/stores.ts";
import { createServices } from "../../src/domain/services.ts";
import type { OutgoingMail } from "../../src/domain/mail/mail-transport.ts";
import { warningMail } from "../../src/domain/mail/messages.ts";
import { startSmtp } from "../support/smtp.ts";

const temporary = fs.mkdtempSync(path.join(os.tmpdir(), "skein-mail-unit-"));
after(() => fs.rmSync(temporary, { recursive: true, force: true }));

const mail = (over: Partial<OutgoingMail> = {}): OutgoingMail => ({
  kind: "notice",
  to: "someone@example.com",
  from: "Skein <notifications@social.example>",
  subject: "Hello",
  text: "Hi there: https://social.example/a?b=c\n",
  messageId: "<abc@social.example>",
  date: new Date().toUTCString(),
  ...over,
});

test("configuration: no SMTP_URL means the folder; SMTP_FROM defaults to the title at the local host; bad values are refused", () => {
  const base = { LOCAL_DOMAIN: "social.example" };
  const plain = loadConfig(base);
  assert.equal(plain.mail.smtpUrl, null);
  assert.equal(plain.mail.from, "Skein <notifications@social.example>");
  assert.equal(plain.mail.requireTls, false);
  const titled = loadConfig({ ...base, INSTANCE_TITLE: 'The "Tea" Room', SMTP_URL: "smtps://u:p%40ss@mail.example:465", SMTP_REQUIRE_TLS: "true" });
  assert.equal(titled.mail.from, "The Tea Room <notifications@social.example>");
  assert.equal(titled.mail.smtpUrl, "smtps://u:p%40ss@mail.example:465");
  assert.equal(titled.mail.requireTls, true);
  assert.equal(loadConfig({ LOCAL_DOMAIN: "social.example:8443" }).mail.from, "Skein <notifications@social.example>");
  for (const [name, value] of [["SMTP_URL", "http://mail.example"], ["SMTP_URL", "not a url"], ["SMTP_FROM", "nobody"], ["SMTP_REQUIRE_TLS", "maybe"]]) {
    assert.throws(() => loadConfig({ ...base, [name]: value }), (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.startsWith(name)), `${name}=${value}`);
  }
  // A password in a bad SMTP_URL is not repeated in the message.
  assert.throws(() => loadConfig({ ...base, SMTP_URL: "ftp://user:hunter2@mail.example" }), (e: unknown) => e instanceof ConfigError && !e.message.includes("hunter2"));
});

test("SMTP transport: a server that never greets fails the attempt at the deadline instead of holding it", async () => {
  const sockets: net.Socket[] = [];
  const silent = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
  const port = (silent.address() as net.AddressInfo).port;
  const transport = createSmtpTransport({ url: `smtp://127.0.0.1:${port}`, requireTls: false, timeouts: { greetingMs: 300 } });
  const started = Date.now();
  try {
    await assert.rejects(transport.send(mail()), /Greeting never received|timeout/i);
    assert.ok(Date.now() - started < 5000, `gave up after ${Date.now() - started} ms`);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
    await transport.close();
  }
});

test("SMTP transport: SMTP_REQUIRE_TLS refuses a server without STARTTLS; without it the same server gets the mail, with its Message-ID", async () => {
  const smtp = await startSmtp();
  try {
    const strict = createSmtpTransport({ url: smtp.url(), requireTls: true });
    await assert.rejects(strict.send(mail()), /STARTTLS/i);
    assert.equal(smtp.messages.length, 0);
    const relaxed = createSmtpTransport({ url: smtp.url(), requireTls: false });
    await relaxed.send(mail({ subject: "Grüße" }));
    assert.equal(smtp.messages.length, 1);
    assert.equal(smtp.messages[0].headers["message-id"], "<abc@social.example>");
    assert.equal(smtp.messages[0].headers["x-skein-kind"], "notice");
    assert.deepEqual(smtp.messages[0].links, ["https://social.example/a?b=c"]);
  } finally {
    await smtp.stop();
  }
});

test("SMTP transport: STARTTLS is used when the server offers it, and its certificate is checked (a self-signed one fails the attempt; nothing goes in the clear)", async () => {
  const key = path.join(temporary, "smtp.key");
  const cert = path.join(temporary, "smtp.crt");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"], { stdio: "ignore" });
  let received = 0;
  const server = new SMTPServer({
    secure: false,
    key: fs.readFileSync(key),
    cert: fs.readFileSync(cert),
    authOptional: true,
    logger: false,
    onData(stream, _session, callback) {
      received++;
      stream.resume().on("end", () => callback());
    },
  });
  server.on("error", () => {});
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.server.address() as net.AddressInfo).port;
  try {
    const transport = createSmtpTransport({ url: `smtp://127.0.0.1:${port}`, requireTls: false });
    await assert.rejects(transport.send(mail()), /certificate/i);
    assert.equal(received, 0, "no mail was sent after the failed upgrade");
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test("folder transport: each mail is an .eml and a listing entry; ids that are not ours name nothing", async () => {
  const folder = path.join(temporary, "mail");
  const transport = createFolderTransport(folder);
  await transport.send(mail({ to: "a@example.com" }));
  await transport.send(mail({ to: "b@example.com", text: "no links here\n" }));
  const listed = await listFolderMails(folder);
  assert.deepEqual(listed.map((m) => m.to).sort(), ["a@example.com", "b@example.com"]);
  const withLink = listed.find((m) => m.to === "a@example.com")!;
  assert.deepEqual(withLink.links, ["https://social.example/a?b=c"]);
  const full = await readFolderMail(folder, withLink.id);
  assert.match(full!.raw, /^Message-ID: <abc@social\.example>$/m);
  assert.equal((fs.statSync(path.join(folder, `${withLink.id}.eml`)).mode & 0o777).toString(8), "600");
  assert.equal(await readFolderMail(folder, "../mail/x"), null);
  assert.deepEqual(await listFolderMails(path.join(temporary, "absent")), []);
});

test("mail texts: a moderator's note is escaped in the HTML part and kept as written in the text", () => {
  const m = warningMail({ title: "Tea", origin: "https://tea.example" }, "x@example.com", "eve", "silence", "<b>stop</b> & think");
  assert.match(m.text, /<b>stop<\/b> & think/);
  assert.ok(m.html?.includes("&lt;b&gt;stop&lt;/b&gt; &amp; think"));
  assert.match(m.text, /limited your account/);
});

test("e-mail service on a real database: an address change is confirmed by the link sent to the new address; a taken address is refused; a newer link retires the older", async () => {
  const config = loadConfig({ LOCAL_DOMAIN: "social.example", DATA_DIR: path.join(temporary, "data") });
  const database = await openDatabase({ kind: "sqlite", file: path.join(temporary, "unit.sqlite") });
  try {
    await migrateToLatest(database);
    const services = createServices(createStores(database.db), config);
    const queued: OutgoingMail[] = [];
    // The queue runs each job at once, through a transport that keeps what it is given.
    services.emails.transport = { description: "memory", send: async (m) => void queued.push(m), close: async () => {} };
    services.emails.jobs = {
      enqueue: async (_queue, payloads) => {
        for (const payload of payloads) {
          // A link's job holds its id, never its token.
          assert.ok(!JSON.stringify(payload).includes("token"), JSON.stringify(payload));
          await services.emails.deliver(payload);
        }
      },
      hasPending: async () => false,
    };
    const alice = await services.accounts.createLocal({ username: "alice", email: "alice@example.com" });
    await services.accounts.createLocal({ username: "bob", email: "bob@example.com" });
    const linkOf = (m: OutgoingMail) => new URL(/https:\S+/.exec(m.text)![0]).searchParams.get("confirmation_token")!;

    await assert.rejects(services.emails.sendEmailChange(alice.user.id, "BOB@example.com"), (e: { kind?: string }) => e.kind === "conflict");
    await assert.rejects(services.emails.sendEmailChange(alice.user.id, "nope"), (e: { kind?: string }) => e.kind === "validation");

    await services.emails.sendEmailChange(alice.user.id, "alice@new.example");
    await services.emails.sendEmailChange(alice.user.id, "alice@newer.example");
    assert.deepEqual(queued.map((m) => [m.kind, m.to]), [
      ["email_change", "alice@new.example"],
      ["email_changed", "alice@example.com"],
      ["email_change", "alice@newer.example"],
      ["email_changed", "alice@example.com"],
    ]);
    assert.match(queued[1].text, /alice@new\.example/);
    // Until a link is followed, the old address stays.
    assert.equal((await services.accounts.list()).find((r) => r.account.username === "alice")!.user.email, "alice@example.com");
    await assert.rejects(services.emails.confirm(linkOf(queued[0])), /already been used/);
    const confirmed = await services.emails.confirm(linkOf(queued[2]));
    assert.equal(confirmed.email, "alice@newer.example");
    assert.ok(confirmed.confirmed_at);
    // A reset goes to the new address; the old one no longer names the account.
    await services.emails.sendPasswordReset("alice@example.com");
    assert.equal(queued.length, 4);
    await services.emails.sendPasswordReset("alice@newer.example");
    assert.deepEqual([queued[4].kind, queued[4].to], ["password_reset", "alice@newer.example"]);
    // An over-long or empty token is refused before any lookup.
    await assert.rejects(services.emails.confirm("x".repeat(10_000)), /not valid/);
    await assert.rejects(services.emails.confirm(""), /not valid/);
  } finally {
    await database.close();
  }
});
