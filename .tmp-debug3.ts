import fs from "node:fs"; import os from "node:os"; import path from "node:path";
import { loadConfig } from "./src/config/config.ts";
import { openRuntime } from "./src/server/context.ts";
import { CorpusHarness, forbidNetwork, loadCorpus } from "./test/support/activitypub-corpus.ts";
forbidNetwork();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-dbg-"));
const runtime = await openRuntime(loadConfig({ DATA_DIR: dir, LOCAL_DOMAIN: "skein.test", SKEIN_ENV: "test" }));
const corpus = loadCorpus();
const h = new CorpusHarness(runtime, corpus);
const db = runtime.database.db;
const dump = async () => ({ statuses: (await db.selectFrom("statuses").select(["uri","visibility","reblog_of_id","account_id"]).execute()), fav: await db.selectFrom("favourites").selectAll().execute(), acc: (await db.selectFrom("accounts").select(["uri","actor_type","bot","locked","discoverable","indexable"]).execute()) });
for (const f of process.argv.slice(2)) { console.log("BEFORE", JSON.stringify(await dump())); const o = await h.process(corpus.byFile(f)); console.log(o.result, o.file, o.type, o.reason); console.log("AFTER", JSON.stringify(await dump())); }
await runtime.close(); fs.rmSync(dir, { recursive: true });
