// `./skein dev-cert [--domain NAME[,NAME…]]`: HTTPS for local use. With the system's openssl it
// makes a certificate authority for this machine (once, in DATA_DIR/tls/) and a certificate it
// signs for localhost, *.localhost, LOCAL_DOMAIN's host and the given names, then prints the
// settings that use them. Clients that only talk to https:// servers, and several local servers
// federating with each other, need this; production certificates come from elsewhere.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { loadConfig, loadDotEnv } from "../../config/config.ts";
import { parseArgs, UsageError } from "../usage.ts";

const USAGE = "Usage: ./skein dev-cert [--domain NAME[,NAME...]]";
const LABEL = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
const HOST_NAME = new RegExp(`^(\\*\\.)?${LABEL}(\\.${LABEL})*$`);
const CA_DAYS = 3650;
/** The longest validity Apple's and Google's clients accept for a server certificate. */
const CERT_DAYS = 825;

export async function devCert(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, [], USAGE);
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"\n${USAGE}`);
  for (const name of Object.keys(options)) if (name !== "domain") throw new UsageError(`unknown option --${name}\n${USAGE}`);
  const requested = typeof options.domain === "string" ? options.domain.split(",").map((d) => d.trim().toLowerCase()) : [];
  for (const name of requested) {
    if (!HOST_NAME.test(name) && net.isIP(name) === 0) throw new UsageError(`"${name}" is not a host name\n${USAGE}`);
  }

  loadDotEnv();
  // .env may already name the files this command is about to create.
  const config = loadConfig({ ...process.env, TLS_CERT: undefined, TLS_KEY: undefined });
  const localHost = new URL(`http://${config.localDomain}`).hostname.replace(/^\[(.*)\]$/, "$1");
  const names = [...new Set(["localhost", "*.localhost", localHost, ...requested, "127.0.0.1", "::1"])];

  if (spawnSync("openssl", ["version"], { stdio: "ignore" }).error) {
    process.stderr.write("skein: openssl was not found on PATH; install it (Debian: apt-get install openssl) and run ./skein dev-cert again\n");
    return 1;
  }

  const dir = path.join(config.dataDir, "tls");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (name: string) => path.join(dir, name);
  // Everything is made in a scratch folder and moved into place only when openssl succeeded.
  const work = fs.mkdtempSync(path.join(dir, ".work-"));
  let caCreated = false;
  try {
    const openssl = (...opensslArgs: string[]) => {
      const result = spawnSync("openssl", opensslArgs, { cwd: work, encoding: "utf8" });
      if (result.status !== 0) {
        const reason = (result.stderr || result.stdout || String(result.error ?? "")).trim().split("\n").pop();
        throw new OpenSslFailed(`openssl ${opensslArgs[0]} failed: ${reason}`);
      }
    };

    // The authority is kept across runs, so that whoever trusts it once keeps trusting new certificates.
    const caExists = fs.existsSync(file("ca.crt")) && fs.existsSync(file("ca.key"));
    caCreated = !caExists;
    if (!caExists) {
      fs.writeFileSync(path.join(work, "ca.cnf"), [
        "[req]", "distinguished_name = dn", "prompt = no",
        "[dn]", `CN = Skein development CA (${sanitize(localHost)})`, "O = Skein development",
        "[v3_ca]", "basicConstraints = critical, CA:TRUE, pathlen:0", "keyUsage = critical, keyCertSign, cRLSign", "subjectKeyIdentifier = hash",
        "",
      ].join("\n"));
      openssl("req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-sha256", "-days", String(CA_DAYS),
        "-config", "ca.cnf", "-extensions", "v3_ca", "-keyout", "ca.key", "-out", "ca.crt");
    }
    const caCert = caExists ? file("ca.crt") : path.join(work, "ca.crt");
    const caKey = caExists ? file("ca.key") : path.join(work, "ca.key");

    const altNames = names.map((n) => (net.isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(", ");
    fs.writeFileSync(path.join(work, "server.cnf"), [
      "[req]", "distinguished_name = dn", "prompt = no",
      "[dn]", "CN = localhost",
      "[v3_server]", "basicConstraints = critical, CA:FALSE", "keyUsage = critical, digitalSignature, keyEncipherment",
      "extendedKeyUsage = serverAuth", `subjectAltName = ${altNames}`, "subjectKeyIdentifier = hash", "authorityKeyIdentifier = keyid",
      "",
    ].join("\n"));
    openssl("req", "-new", "-nodes", "-newkey", "rsa:2048", "-config", "server.cnf", "-keyout", "server.key", "-out", "server.csr");
    openssl("x509", "-req", "-in", "server.csr", "-CA", caCert, "-CAkey", caKey, "-set_serial", `0x${serial()}`, "-sha256",
      "-days", String(CERT_DAYS), "-extfile", "server.cnf", "-extensions", "v3_server", "-out", "server.crt");

    const made = caExists ? ["server.key", "server.crt"] : ["ca.key", "ca.crt", "server.key", "server.crt"];
    for (const name of made) {
      if (name.endsWith(".key")) fs.chmodSync(path.join(work, name), 0o600);
      fs.renameSync(path.join(work, name), file(name));
    }
  } catch (error) {
    if (error instanceof OpenSslFailed) {
      process.stderr.write(`skein: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  process.stdout.write(
    [
      `${caCreated ? "Created a local certificate authority" : "Using the local certificate authority"}: ${file("ca.crt")} (keep ca.key private)`,
      `Certificate for ${names.join(", ")}: ${file("server.crt")} (valid ${CERT_DAYS} days)`,
      "",
      "Serve HTTPS with these settings (environment or .env):",
      `TLS_CERT=${file("server.crt")}`,
      `TLS_KEY=${file("server.key")}`,
      "",
      "Node.js programs (other local Skein servers, tests) trust it when started with:",
      `NODE_EXTRA_CA_CERTS=${file("ca.crt")}`,
      "",
      "Browsers and other tools trust it once ca.crt is imported into their certificate store",
      `(Debian: cp ${file("ca.crt")} /usr/local/share/ca-certificates/skein-dev.crt && update-ca-certificates).`,
      "",
    ].join("\n"),
  );
  return 0;
}

class OpenSslFailed extends Error {}

/** A positive 127-bit serial number, as hex. */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString("hex");
}

/** Keeps a name safe inside an openssl config value. */
function sanitize(value: string): string {
  return value.replace(/[^a-z0-9.:*-]/gi, "");
}
