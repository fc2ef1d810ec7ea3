// A real SMTP server on loopback for end-to-end tests (the smtp-server package): it records the
// messages it accepts, so a test reads the mail a Skein server sent and follows its links.
// Plain mode without STARTTLS (the server offers no TLS, so nodemailer sends in the clear, as it
// would to a relay on the same machine); AUTH optional or required with a user and password
// that the test may change while the server runs (to show a refused mail is retried, not lost).
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { eventually } from "./federation-fleet.ts";

export interface DeliveredMail {
  from: string;
  to: string[];
  subject: string;
  /** The text/plain part, transfer encoding undone. */
  text: string;
  /** http(s) links in the text, in order. */
  links: string[];
  headers: Record<string, string>;
  raw: string;
}

export interface TestSmtp {
  port: number;
  /** SMTP_URL for Skein: with the credentials when AUTH is required (or `credentials` given). */
  url(credentials?: { user: string; pass: string }): string;
  messages: DeliveredMail[];
  /** Failed AUTH attempts so far. */
  authFailures: number;
  /** The password AUTH accepts from now on. */
  setPassword(pass: string): void;
  /** Waits for a delivered message matching `match` (20 s by default). */
  waitFor(match: (m: DeliveredMail) => boolean, what?: string, ms?: number): Promise<DeliveredMail>;
  /** Stops listening (connections refused) until start() again, on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startSmtp(options: { auth?: { user: string; pass: string }; port?: number } = {}): Promise<TestSmtp> {
  let password = options.auth?.pass ?? "";
  let server: SMTPServer | null = null;
  const state: TestSmtp = {
    port: options.port ?? 0,
    messages: [],
    authFailures: 0,
    url(credentials) {
      const c = credentials ?? options.auth;
      return c ? `smtp://${encodeURIComponent(c.user)}:${encodeURIComponent(c.pass)}@127.0.0.1:${state.port}` : `smtp://127.0.0.1:${state.port}`;
    },
    setPassword(pass) {
      password = pass;
    },
    waitFor(match, what = "a mail", ms = 20_000) {
      return eventually(async () => state.messages.find(match), ms, what);
    },
    async stop() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async start() {
      const s = new SMTPServer({
        secure: false,
        hideSTARTTLS: true,
        disabledCommands: ["STARTTLS"],
        authOptional: !options.auth,
        allowInsecureAuth: true,
        logger: false,
        onAuth(auth, _session, callback) {
          if (options.auth && auth.username === options.auth.user && auth.password === password) return callback(null, { user: auth.username });
          state.authFailures++;
          return callback(new Error("Invalid username or password"));
        },
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            const raw = Buffer.concat(chunks).toString("utf8");
            state.messages.push(parseMail(raw, session.envelope.mailFrom ? session.envelope.mailFrom.address : "", session.envelope.rcptTo.map((r) => r.address)));
            callback();
          });
        },
      });
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(state.port, "127.0.0.1", () => resolve());
      });
      state.port = (s.server.address() as AddressInfo).port;
      server = s;
    },
  };
  await state.start();
  return state;
}

/** Headers, and the text/plain part of a (possibly multipart) message, decoded. */
export function parseMail(raw: string, from: string, to: string[]): DeliveredMail {
  const { headers, body } = splitHead(raw);
  const text = textPart(headers, body);
  return { from, to, subject: headers.subject ?? "", text, links: [...text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((m) => m[0]), headers, raw };
}

function splitHead(raw: string): { headers: Record<string, string>; body: string } {
  const normalized = raw.replace(/\r\n/g, "\n");
  const end = normalized.indexOf("\n\n");
  const head = end === -1 ? normalized : normalized.slice(0, end);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: end === -1 ? "" : normalized.slice(end + 2) };
}

function textPart(headers: Record<string, string>, body: string): string {
  const type = headers["content-type"] ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    for (const part of body.split(`--${boundary}`).slice(1)) {
      if (part.startsWith("--")) break;
      const parsed = splitHead(part.replace(/^\n/, ""));
      const found = textPart(parsed.headers, parsed.body);
      if (found) return found;
    }
    return "";
  }
  if (!/^text\/plain/i.test(type)) return "";
  const encoding = (headers["content-transfer-encoding"] ?? "7bit").toLowerCase();
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable") {
    const bytes = body.replace(/=\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}
