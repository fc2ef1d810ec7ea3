// The benchmark's side of the fleet: starts bench/fleet/server.ts as its own process and talks to
// its control endpoint on loopback.
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import type { DeliveryRecord, FleetSettings } from "./server.ts";
import type { FleetTls } from "./tls.ts";

export interface FleetStats {
  records: number;
  answered: number;
  accepted: number;
  invalid: number;
  duplicates: number;
  hung: number;
  awaiting: number;
  otherRequests: number;
  keyFetches: number;
  crossCheck: { checked: number; pending: number; disagreements: number; examples: string[] };
  /** TLS handshakes since the last reset, and how many of them resumed a session (a ticket the fleet issued). */
  tlsHandshakes: number;
  tlsResumed: number;
}

export interface FleetProcess {
  /** HTTPS port every *.fleet.test instance listens on (127.0.0.1). */
  port: number;
  pid: number;
  reset(settings: Partial<FleetSettings>): Promise<void>;
  stats(): Promise<FleetStats>;
  /** Final records from index `from` on. */
  records(from: number): Promise<DeliveryRecord[]>;
  stop(): Promise<void>;
}

export async function startFleetProcess(tls: FleetTls, cpuProfDir: string | null = null): Promise<FleetProcess> {
  // A larger young generation: the fleet allocates per request and would otherwise scavenge often.
  const nodeArgs = ["--max-semi-space-size=32", ...(cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`] : [])];
  const child = spawn(process.execPath, [...nodeArgs, path.join(import.meta.dirname, "server.ts")], {
    env: { ...process.env, FLEET_TLS_CERT: tls.cert, FLEET_TLS_KEY: tls.key, FLEET_PORT: "0", FLEET_CONTROL_PORT: "0" },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the fleet exited with ${code}`)));
    setTimeout(() => reject(new Error("the fleet did not start within 30 s")), 30_000).unref();
  });
  const { port, controlPort } = JSON.parse(first) as { port: number; controlPort: number };
  const control = `http://127.0.0.1:${controlPort}`;
  const call = async (pathname: string, init?: RequestInit) => {
    // Every control call may be repeated (reset, stats, records). Once more on a network error:
    // a kept-alive connection the fleet closed as it was reused fails with "fetch failed".
    const send = () => fetch(`${control}${pathname}`, { ...init, signal: AbortSignal.timeout(60_000) });
    const response = await send().catch(send);
    if (!response.ok) throw new Error(`fleet ${pathname}: ${response.status}`);
    return response.json();
  };
  return {
    port,
    pid: child.pid!,
    reset: async (settings) => void (await call("/reset", { method: "POST", body: JSON.stringify(settings) })),
    stats: () => call("/stats"),
    records: async (from) => {
      const all: DeliveryRecord[] = [];
      for (;;) {
        const page = (await call(`/records?from=${from + all.length}&limit=20000`)) as { records: DeliveryRecord[] };
        all.push(...page.records);
        if (page.records.length < 20_000) return all;
      }
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.stdin!.end();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
