// `./skein dev-cert` gives a local server real HTTPS: a client that trusts the generated CA (and
// nothing else) reaches the server by every name on the certificate and gets https:// URLs back;
// a client that does not trust it, or asks for another name, is refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { freshDatabase, runCli } from "../support/server.ts";
import { freePort } from "../support/postgres-cluster.ts";

const cli = path.resolve(import.meta.dirname, "../../src/cli/main.ts");

let database: Awaited<ReturnType<typeof freshDatabase>>;
let files: { TLS_CERT: string; TLS_KEY: string; NODE_EXTRA_CA_CERTS: string };
let server: ChildProcess | null = null;
let port: number;

before(async () => {
  database = await freshDatabase();
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once("exit", r));
    server.kill("SIGTERM");
    // Unref'd: a pending timer would keep this file's process alive 10 s after its last test.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
    if (server.exitCode === null) server.kill("SIGKILL");
  }
  await database?.drop();
});

interface Answer {
  status: number;
  body: string;
}

/** GET over https to 127.0.0.1, presenting `servername` for SNI and Host, trusting only `ca`. */
function get(pathname: string, options: { servername: string; ca?: Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = https.get(
      { host: "127.0.0.1", port, path: pathname, servername: options.servername, ca: options.ca, headers: { host: `${options.servername}:${port}` }, agent: false },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (d) => (body += d));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on("error", reject);
    request.setTimeout(10_000, () => request.destroy(new Error("timed out")));
  });
}

function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (value && typeof value === "object") for (const v of Object.values(value)) stringsIn(v, out);
  return out;
}

test("dev-cert explains itself when openssl is missing, and creates nothing", async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "skein-no-openssl-"));
  try {
    const result = await runCli(["dev-cert"], { DATA_DIR: empty, PATH: empty });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, "skein: openssl was not found on PATH; install it (Debian: apt-get install openssl) and run ./skein dev-cert again\n");
    assert.deepEqual(fs.readdirSync(empty), []);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test("dev-cert refuses a name that cannot go on a certificate", async () => {
  const result = await runCli(["dev-cert", "--domain", "bad domain/x"], { ...database.env, LOCAL_DOMAIN: "" });
  assert.equal(result.code, 2);
  assert.equal(result.stderr.split("\n")[0], 'skein: "bad domain/x" is not a host name');
});

test("dev-cert makes a CA and a certificate in DATA_DIR/tls and prints the settings to use", async () => {
  const result = await runCli(["dev-cert", "--domain", "skein.test"], { ...database.env, LOCAL_DOMAIN: "" });
  assert.equal(result.code, 0, result.stderr);
  const tls = path.join(database.env.DATA_DIR, "tls");
  assert.match(result.stdout, /^Created a local certificate authority: /);
  assert.ok(result.stdout.includes(`Certificate for localhost, *.localhost, skein.test, 127.0.0.1, ::1: ${path.join(tls, "server.crt")}`), result.stdout);
  const setting = (name: string) => new RegExp(`^${name}=(.+)$`, "m").exec(result.stdout)?.[1];
  files = { TLS_CERT: setting("TLS_CERT")!, TLS_KEY: setting("TLS_KEY")!, NODE_EXTRA_CA_CERTS: setting("NODE_EXTRA_CA_CERTS")! };
  assert.deepEqual(files, { TLS_CERT: path.join(tls, "server.crt"), TLS_KEY: path.join(tls, "server.key"), NODE_EXTRA_CA_CERTS: path.join(tls, "ca.crt") });
  for (const file of Object.values(files)) assert.ok(fs.existsSync(file), file);
  assert.equal(fs.statSync(files.TLS_KEY).mode & 0o077, 0, "the private key is readable by its owner only");
  assert.equal(fs.statSync(path.join(tls, "ca.key")).mode & 0o077, 0, "the CA key is readable by its owner only");
});

test("a server started with the certificate answers over https to clients that trust the CA", async () => {
  port = await freePort();
  const env = {
    ...process.env,
    ...database.env,
    PORT: String(port),
    BIND: "127.0.0.1",
    LOCAL_DOMAIN: `skein.test:${port}`,
    TLS_CERT: files.TLS_CERT,
    TLS_KEY: files.TLS_KEY,
    LOG_LEVEL: "warning",
    SKEIN_ENV: "test",
    SKEIN_STOP_ON_STDIN_CLOSE: "1",
  };
  server = spawn(process.execPath, [cli, "start"], { env, stdio: ["pipe", "inherit", "inherit"] });
  const ca = fs.readFileSync(files.NODE_EXTRA_CA_CERTS);
  const deadline = Date.now() + 60_000;
  for (;;) {
    assert.equal(server.exitCode, null, "the server exited");
    assert.ok(Date.now() < deadline, "the server did not answer within 60 s");
    const health = await get("/health", { servername: "skein.test", ca }).catch(() => null);
    if (health?.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const answer = await get("/api/v2/instance", { servername: "skein.test", ca });
  assert.equal(answer.status, 200);
  const instance = JSON.parse(answer.body);
  assert.equal(instance.domain, `skein.test:${port}`);
  assert.equal(instance.configuration.urls.streaming, `wss://skein.test:${port}`);
  assert.equal(instance.thumbnail.url, `https://skein.test:${port}/instance/thumbnail.png`);
  const urls = stringsIn(instance).filter((s) => /^[a-z]+:\/\//.test(s));
  assert.ok(urls.length >= 3, urls.join(" "));
  for (const url of urls) assert.match(url, /^(https|wss):\/\/skein\.test:\d+(\/|$)/, url);
  assert.ok(urls.some((url) => url.startsWith("https://")));

  // The other names on the certificate work too.
  assert.equal((await get("/health", { servername: "localhost", ca })).status, 200);
});

test("without the CA, or for a name not on the certificate, the connection is refused", async () => {
  await assert.rejects(get("/health", { servername: "skein.test" }), (e: NodeJS.ErrnoException) => /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/.test(e.code ?? ""));
  const ca = fs.readFileSync(files.NODE_EXTRA_CA_CERTS);
  await assert.rejects(get("/health", { servername: "elsewhere.test", ca }), (e: NodeJS.ErrnoException) => e.code === "ERR_TLS_CERT_ALTNAME_INVALID");
});

test("running dev-cert again keeps the CA, so what trusts it keeps working", async () => {
  const caBefore = fs.readFileSync(files.NODE_EXTRA_CA_CERTS, "utf8");
  const certBefore = fs.readFileSync(files.TLS_CERT, "utf8");
  const result = await runCli(["dev-cert", "--domain", "skein.test,other.test"], { ...database.env, LOCAL_DOMAIN: "" });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Using the local certificate authority: /);
  assert.match(result.stdout, /Certificate for localhost, \*\.localhost, skein\.test, other\.test, 127\.0\.0\.1, ::1: /);
  assert.equal(fs.readFileSync(files.NODE_EXTRA_CA_CERTS, "utf8"), caBefore);
  const certAfter = fs.readFileSync(files.TLS_CERT, "utf8");
  assert.notEqual(certAfter, certBefore);
  // The new certificate is signed by the same CA.
  const { X509Certificate } = await import("node:crypto");
  const leaf = new X509Certificate(certAfter);
  assert.ok(leaf.verify(new X509Certificate(caBefore).publicKey));
  assert.match(leaf.subjectAltName ?? "", /DNS:other\.test/);
});
