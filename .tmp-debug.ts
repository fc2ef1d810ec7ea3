import { configure } from "@logtape/logtape";
import fs from "node:fs"; import os from "node:os"; import path from "node:path";
import { loadConfig } from "./src/config/config.ts";
import { openRuntime } from "./src/server/context.ts";
import { CorpusHarness, forbidNetwork, loadCorpus } from "./test/support/activitypub-corpus.ts";
forbidNetwork();
await configure({ sinks: { c: (r) => console.log("LOG", r.category.join("."), r.level, r.message.map((p:any)=>p instanceof Error ? p.stack : String(p)).join("")) }, loggers: [{ category: ["skein"], sinks: ["c"], lowestLevel: "debug" }, { category: ["fedify"], sinks: ["c"], lowestLevel: "info" }, { category: ["logtape","meta"], sinks: [], lowestLevel: "warning" }] });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-dbg-"));
const runtime = await openRuntime(loadConfig({ DATA_DIR: dir, LOCAL_DOMAIN: "skein.test", SKEIN_ENV: "test" }));
const corpus = loadCorpus();
const h = new CorpusHarness(runtime, corpus);
for (const f of process.argv.slice(2)) { const o = await h.process(corpus.byFile(f)); console.log(o.result, o.file, o.type, o.reason, (o.error as Error)?.stack ?? ""); }
console.log("refused:", h.loader.refused);
await runtime.close(); fs.rmSync(dir, { recursive: true });
