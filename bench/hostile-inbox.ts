// `./skein bench hostile-inbox`: what a hostile inbox POST costs the server. Sends 1 MB bodies
// nested as deep as they can be (a Create whose Note replies to a Note that replies to …),
// unsigned and with a junk signature (so the body is read and checked), one after another to a
// real server process, and reports the time to the refusal, the server's CPU time per request
// (from /proc) and how far its resident memory grew. Before the inbox gate, one 100 KB body of
// this kind held the process 15 s and 800 MB.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../test/support/postgres-cluster.ts";
import { percentile, processUsage, round } from "./measure.ts";

const root = path.resolve(import.meta.dirname, "..");
const AS = "https://www.w3.org/ns/activitystreams";

export interface HostileInboxOptions {
  requests: number;
  json: string | null;
}

/** A Create of about `bytes` bytes whose object nests as deep as the size allows. */
export function deepCreate(origin: string, bytes: number): string {
  const link = `{"type":"Note","content":"x","inReplyTo":`;
  const levels = Math.floor((bytes - 300) / (link.length + 1));
  return `{"@context":"${AS}","id":"${origin}/a","type":"Create","actor":"${origin}/users/x","object":${link.repeat(levels)}null${"}".repeat(levels)}}`;
}

export async function hostileInboxBench(options: HostileInboxOptions): Promise<Record<string, unknown>> {
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-bench-hostile-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { DATA_DIR: dataDir, PORT: String(port), BIND: "127.0.0.1", LOCAL_DOMAIN: `127.0.0.1:${port}`, LOG_LEVEL: "error", SKEIN_ENV: "production" };
  const server = spawn(process.execPath, [path.join(root, "src/cli/main.ts"), "start"], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit"] });
  try {
    for (let i = 0; !(await fetch(`${url}/health`).then((r) => r.ok, () => false)); i++) {
      if (server.exitCode !== null || i > 600) throw new Error("the server did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
    const body = deepCreate(url, 1024 * 1024 - 1024);
    log(`body: ${body.length} bytes, nested ${body.split("inReplyTo").length - 1} levels; ${options.requests} requests per kind`);
    const kinds: Record<string, Record<string, string>> = {
      unsigned: {},
      "junk signature": { Signature: `keyId="${url}/users/x#main-key",headers="(request-target) host date digest",signature="AAAA"` },
    };
    const results: Record<string, unknown> = {};
    // Warm up first: the first requests load and compile code paths the measured ones reuse.
    for (const headers of Object.values(kinds)) {
      for (let i = 0; i < 5; i++) await (await fetch(`${url}/inbox`, { method: "POST", headers: { "Content-Type": "application/activity+json", ...headers }, body })).arrayBuffer();
    }
    for (const [kind, headers] of Object.entries(kinds)) {
      const resetPeak = () => fs.writeFileSync(`/proc/${server.pid}/clear_refs`, "5"); // the kernel's high-water mark
      resetPeak();
      const before = processUsage(server.pid!);
      const times: number[] = [];
      const growth: number[] = [];
      const statuses = new Set<number>();
      for (let i = 0; i < options.requests; i++) {
        resetPeak();
        const rss = processUsage(server.pid!).rssMb;
        const started = performance.now();
        const response = await fetch(`${url}/inbox`, { method: "POST", headers: { "Content-Type": "application/activity+json", ...headers }, body });
        await response.arrayBuffer();
        times.push(performance.now() - started);
        growth.push(processUsage(server.pid!).peakRssMb - rss);
        statuses.add(response.status);
      }
      const after = processUsage(server.pid!);
      times.sort((a, b) => a - b);
      growth.sort((a, b) => a - b);
      results[kind] = {
        statuses: [...statuses],
        latencyMs: { median: round(percentile(times, 50)), p99: round(percentile(times, 99)), max: round(times[times.length - 1]) },
        serverCpuMsPerRequest: round(((after.cpuSeconds - before.cpuSeconds) * 1000) / options.requests),
        rssGrowthPerRequestMb: { median: round(percentile(growth, 50)), max: round(growth[growth.length - 1]) },
        rssBeforeMb: round(before.rssMb),
        rssAfterMb: round(after.rssMb),
      };
      log(`${kind}: ${JSON.stringify(results[kind])}`);
    }
    const report = { benchmark: "hostile-inbox", bodyBytes: body.length, requests: options.requests, results };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (options.json) fs.writeFileSync(options.json, JSON.stringify(report, null, 2));
    return report;
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
