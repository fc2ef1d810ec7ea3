// An independent ActivityPub implementation for the federation tests: activitypub-express
// (apex, its own HTTP Signatures and JSON-LD code — neither Skein's nor Fedify's), run as a child
// process (apex-peer/server.cjs) on a loopback address with the fleet's certificate. It reaches
// only the test hosts it is given. Tests drive it through a few control endpoints: create an
// actor, post to its outbox as that actor (C2S), send any activity, and read what it received.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { preloadedContexts } from "@fedify/vocab-runtime";

export interface ApexReceived {
  recipient: string;
  actor: string;
  /** The activity as apex stores it: compacted with its own context (most values are arrays). */
  activity: any;
}

export interface ApexPeer {
  host: string;
  /** An actor's URI on the peer (https://HOST/u/NAME). */
  actorUri(name: string): string;
  createActor(name: string): Promise<string>;
  /** Posts an activity to `name`'s outbox, as apex's own client would (C2S); apex delivers it. */
  outbox(name: string, activity: Record<string, unknown>): Promise<void>;
  /** Has `name` send a Like or Announce of a post (apex's C2S accepts those only of activities). */
  send(name: string, activity: Record<string, unknown>): Promise<void>;
  received(): Promise<ApexReceived[]>;
  stop(): Promise<void>;
}

const SERVER = path.join(import.meta.dirname, "apex-peer", "server.cjs");

export async function startApexPeer(options: { host: string; address: string; tls: { cert: string; key: string; ca: string }; hosts: Record<string, string> }): Promise<ApexPeer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apex-peer-"));
  const contexts = path.join(dir, "contexts.json");
  // The JSON-LD contexts apex may need, from the preloaded set: it never fetches one.
  fs.writeFileSync(contexts, JSON.stringify(preloadedContexts));
  const child: ChildProcess = spawn(process.execPath, [SERVER, options.host, options.address, options.tls.cert, options.tls.key, options.tls.ca, JSON.stringify(options.hosts), contexts], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_ENV: "test" },
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const deadline = Date.now() + 30_000;
  while (!output.includes("listening")) {
    if (child.exitCode !== null) throw new Error(`the apex peer exited: ${output}`);
    if (Date.now() > deadline) throw new Error(`the apex peer did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const origin = `https://${options.host}`;
  const call = async (pathname: string, init: RequestInit = {}) => {
    const response = await fetch(`${origin}${pathname}`, init);
    const text = await response.text();
    if (!response.ok) throw new Error(`apex peer ${init.method ?? "GET"} ${pathname}: ${response.status} ${text.slice(0, 300)}`);
    try {
      return text ? JSON.parse(text) : null;
    } catch {
      return text;
    }
  };
  const json = (body: unknown, headers: Record<string, string> = {}) => ({ method: "POST", headers: { "Content-Type": "application/activity+json", ...headers }, body: JSON.stringify(body) });
  return {
    host: options.host,
    actorUri: (name) => `${origin}/u/${name}`,
    async createActor(name) {
      return (await call(`/test/actors/${name}`, { method: "POST" })).id;
    },
    async outbox(name, activity) {
      await call(`/u/${name}/outbox`, json({ "@context": "https://www.w3.org/ns/activitystreams", actor: `${origin}/u/${name}`, ...activity }, { "X-Test-User": name }));
    },
    async send(name, activity) {
      await call(`/test/send/${name}`, json(activity));
    },
    received: () => call("/test/received"),
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
