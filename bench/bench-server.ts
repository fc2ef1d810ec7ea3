// A Skein server process for a benchmark (`./skein start` on the bench's data directory and
// port), and a read token for one of its accounts: shared by the benchmarks that measure it
// over HTTP (timeline, search).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");

export interface BenchServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface SkeinCommandOptions {
  /**
   * Through the `./skein` script itself (which execs node, so the pid stays the server's), with
   * the Node flags it gives start/web/worker — what production runs (docs/PERFORMANCE.md,
   * "Memory"); otherwise node runs the CLI directly, with Node's defaults.
   */
  wrapper?: boolean;
  /** Node flags of the bench's own (a CPU profile): given through NODE_OPTIONS to the wrapper. */
  nodeArgs?: string[];
}

/** The command, arguments and extra environment that run `./skein <role>` for a benchmark. */
export function skeinCommand(role: "start" | "web" | "worker", options: SkeinCommandOptions = {}): { command: string; args: string[]; env: Record<string, string> } {
  const nodeArgs = options.nodeArgs ?? [];
  if (!options.wrapper) return { command: process.execPath, args: [...nodeArgs, path.join(root, "src/cli/main.ts"), role], env: {} };
  const nodeOptions = [process.env.NODE_OPTIONS ?? "", ...nodeArgs].join(" ").trim();
  return { command: path.join(root, "skein"), args: [role], env: nodeOptions ? { NODE_OPTIONS: nodeOptions } : {} };
}

/** Starts `./skein start` with `env` and waits until /health answers on `port` (60 s at most). */
export async function startBenchServer(env: Record<string, string>, port: number, options: SkeinCommandOptions = {}): Promise<BenchServer> {
  const { command, args, env: extra } = skeinCommand("start", options);
  const server = spawn(command, args, { cwd: root, env: { ...process.env, ...env, ...extra }, stdio: ["pipe", "inherit", "inherit"] });
  const stop = async () => {
    if (server.exitCode !== null) return;
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (server.exitCode !== null) throw new Error("the server exited");
      if (i > 600) throw new Error("the server did not start");
      if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, process: server, stop };
}

/** A password-grant token for `username`, with the `read` scope unless told otherwise. */
export async function signIn(url: string, username: string, password: string, scope = "read"): Promise<string> {
  const app = await (await fetch(`${url}/api/v1/apps`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ client_name: "bench", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: scope }) })).json();
  const token = await (await fetch(`${url}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ grant_type: "password", client_id: app.client_id, client_secret: app.client_secret, username, password, scope }),
  })).json();
  if (!token.access_token) throw new Error(`sign-in failed: ${JSON.stringify(token)}`);
  return token.access_token;
}
