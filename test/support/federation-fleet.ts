// Several Skein instances federating on one machine over real HTTPS: each has its own host name
// (a.test, b.test…) served on port 443 of its own loopback address (127.0.0.2x), with a
// certificate from a test CA (`./skein dev-cert`). The servers resolve each other through the
// test-only SKEIN_TEST_HOSTS seam; this test process does the same with its own dispatcher.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { lookup as dnsLookup } from "node:dns";
import { Agent, setGlobalDispatcher } from "undici";
import { runCli, startServer, type TestServer } from "./server.ts";

export interface Fleet {
  servers: Record<string, TestServer>;
  /** The fleet's certificate (valid for every name, extra hosts included), its key and the test CA. */
  tls: { cert: string; key: string; ca: string };
  stop(): Promise<void>;
}

export interface FleetOptions {
  /** Other servers of the test federation (not Skein), name → loopback address: in the certificate and every resolver. */
  extraHosts?: Record<string, string>;
  /** The Skein servers listen on 127.0.0.N, 127.0.0.N+1…; test files that run at the same time need different ranges. */
  firstAddress?: number;
  /** Extra environment per server name (e.g. AUTHORIZED_FETCH for one of them). */
  env?: Record<string, Record<string, string>>;
}

export async function startFleet(names: string[], options: FleetOptions = {}): Promise<Fleet> {
  const extraHosts = options.extraHosts ?? {};
  if (process.getuid?.() !== 0) throw new Error("the federation tests serve HTTPS on port 443 of loopback addresses, which needs root");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-fleet-"));
  const cert = await runCli(["dev-cert", "--domain", [...names, ...Object.keys(extraHosts)].join(",")], { DATA_DIR: dir, LOCAL_DOMAIN: names[0] });
  if (cert.code !== 0) throw new Error(`dev-cert failed: ${cert.stderr}`);
  const setting = (name: string) => new RegExp(`^${name}=(.+)$`, "m").exec(cert.stdout)![1];
  const tlsEnv = { TLS_CERT: setting("TLS_CERT"), TLS_KEY: setting("TLS_KEY"), NODE_EXTRA_CA_CERTS: setting("NODE_EXTRA_CA_CERTS") };

  const hosts: Record<string, string> = { ...extraHosts };
  names.forEach((name, i) => (hosts[name] = `127.0.0.${(options.firstAddress ?? 20) + i}`));
  const hostList = Object.entries(hosts).map(([n, a]) => `${n}=${a}`).join(",");

  // This process reaches the servers by name too, trusting the test CA.
  const ca = [...tls.rootCertificates, fs.readFileSync(tlsEnv.NODE_EXTRA_CA_CERTS, "utf8")];
  setGlobalDispatcher(
    new Agent({
      connect: {
        ca,
        lookup: ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
          const address = hosts[hostname];
          if (!address) return dnsLookup(hostname, options as never, callback as never);
          if (options?.all) callback(null, [{ address, family: 4 }]);
          else callback(null, address, 4);
        }) as never,
      },
    }),
  );

  const servers: Record<string, TestServer> = {};
  await Promise.all(
    names.map(async (name) => {
      servers[name] = await startServer({
        url: `https://${name}`,
        env: { ...tlsEnv, PORT: "443", BIND: hosts[name], LOCAL_DOMAIN: name, SKEIN_TEST_HOSTS: hostList, LOG_LEVEL: "warning", ...options.env?.[name] },
      });
      // A server loads its federation stack on the first federation request (1–2 s; more on a
      // busy machine). A fleet's servers are there to federate: load it now, in the set-up, as on
      // a server that has been running a while, so the tests' waits measure what they test.
      // (test/e2e/operations.test.ts covers requests that arrive while it loads.)
      const warmUp = await fetch(`https://${name}/.well-known/webfinger?resource=${encodeURIComponent(`acct:fleet-warm-up@${name}`)}`);
      await warmUp.body?.cancel();
    }),
  );
  return {
    servers,
    tls: { cert: tlsEnv.TLS_CERT, key: tlsEnv.TLS_KEY, ca: tlsEnv.NODE_EXTRA_CA_CERTS },
    async stop() {
      await Promise.all(Object.values(servers).map((s) => s.stop()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls `check` until it returns a value (deliveries are asynchronous), or fails after `ms`;
 * `explain` adds what the servers were doing then (support/queue-state.ts) to the failure.
 */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, ms = 20_000, what = "the expected state", explain?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const state = explain ? `\n${await explain().catch((error) => `(could not explain: ${error})`)}` : "";
      throw new Error(`Timed out waiting for ${what}${last ? `: ${last}` : ""}${state}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
