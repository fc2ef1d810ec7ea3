// Where a process's CPU time went, from a V8 .cpuprofile (node --cpu-prof): self time by
// component (Skein's folders, each package, Node internals, garbage collection) and the busiest
// functions. `node bench/cpuprofile.ts FILE` prints it for any profile.
import fs from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function componentOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith("node:")) return url.startsWith("node:internal/crypto") ? "node:crypto" : url.startsWith("node:internal/deps/undici") ? "node:undici (global fetch)" : url.split("/").slice(0, 2).join("/");
  const src = /\/(src|bench|test)\/([^/]+)/.exec(url);
  return src ? `${src[1]}/${src[2]}` : url;
}

export function summarizeCpuProfile(file: string, top = 15): string {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const components = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, micros] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === "(idle)") {
      idle += micros;
      continue;
    }
    busy += micros;
    const component = componentOf(url, functionName);
    components.set(component, (components.get(component) ?? 0) + micros);
    const name = `${functionName || "(anonymous)"} ${url ? `${url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(src|bench)\//, "$1/")}:${lineNumber + 1}` : ""}`;
    functions.set(name, (functions.get(name) ?? 0) + micros);
  }
  const pct = (micros: number) => `${((micros / busy) * 100).toFixed(1).padStart(5)} %`;
  const lines = [`busy ${(busy / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s`, "self time by component:"];
  for (const [name, micros] of [...components].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(micros)}  ${name}`);
  lines.push("busiest functions (self time):");
  for (const [name, micros] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(micros)}  ${name}`);
  return lines.join("\n");
}

if (import.meta.main) {
  for (const file of process.argv.slice(2)) process.stdout.write(`${file}\n${summarizeCpuProfile(file)}\n`);
}
