// The fleet's TLS: a certificate authority of its own and one wildcard certificate for
// `*.fleet.test`, made with the system's openssl. ECDSA P-256 keys, so that a TLS handshake costs
// the fleet (which shares the machine with the server under test) far less than an RSA one would;
// the server under test trusts the authority through NODE_EXTRA_CA_CERTS. Made once and kept.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export interface FleetTls {
  cert: string;
  key: string;
  ca: string;
}

export const FLEET_DOMAIN = "fleet.test";

export function ensureFleetTls(dir: string): FleetTls {
  const files: FleetTls = { cert: path.join(dir, "fleet.crt"), key: path.join(dir, "fleet.key"), ca: path.join(dir, "ca.crt") };
  if (Object.values(files).every((f) => fs.existsSync(f))) return files;
  if (spawnSync("openssl", ["version"], { stdio: "ignore" }).error) throw new Error("openssl was not found on PATH (Debian: apt-get install openssl)");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const work = fs.mkdtempSync(path.join(dir, ".work-"));
  const openssl = (...args: string[]) => {
    const result = spawnSync("openssl", args, { cwd: work, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${(result.stderr || result.stdout).trim()}`);
  };
  try {
    fs.writeFileSync(path.join(work, "ca.cnf"), [
      "[req]", "distinguished_name = dn", "prompt = no",
      "[dn]", "CN = Skein fan-out bench fleet CA",
      "[v3_ca]", "basicConstraints = critical, CA:TRUE, pathlen:0", "keyUsage = critical, keyCertSign, cRLSign", "subjectKeyIdentifier = hash",
      "",
    ].join("\n"));
    openssl("req", "-x509", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-sha256", "-days", "3650",
      "-config", "ca.cnf", "-extensions", "v3_ca", "-keyout", "ca.key", "-out", "ca.crt");
    fs.writeFileSync(path.join(work, "fleet.cnf"), [
      "[req]", "distinguished_name = dn", "prompt = no",
      "[dn]", `CN = *.${FLEET_DOMAIN}`,
      "[v3_server]", "basicConstraints = critical, CA:FALSE", "keyUsage = critical, digitalSignature",
      "extendedKeyUsage = serverAuth", `subjectAltName = DNS:*.${FLEET_DOMAIN}`, "subjectKeyIdentifier = hash", "authorityKeyIdentifier = keyid",
      "",
    ].join("\n"));
    openssl("req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-config", "fleet.cnf", "-keyout", "fleet.key", "-out", "fleet.csr");
    openssl("x509", "-req", "-in", "fleet.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "0x5ce1", "-sha256", "-days", "825",
      "-extfile", "fleet.cnf", "-extensions", "v3_server", "-out", "fleet.crt");
    for (const name of ["ca.crt", "fleet.crt", "fleet.key"]) fs.renameSync(path.join(work, name), path.join(dir, name));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return files;
}
