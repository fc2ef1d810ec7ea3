import { loadCorpus, CorpusHarness, forbidNetwork } from "./test/support/activitypub-corpus.ts";
import { Object as APObject } from "@fedify/vocab";
import { offlineLoader } from "./test/support/activitypub-corpus.ts";
forbidNetwork();
const c = loadCorpus(); const l = offlineLoader(c.byId);
try { await APObject.fromJsonLd(c.byFile("kroeg__create__create-note.json").json, { documentLoader: l, contextLoader: l }); } catch (e: any) { console.log(e.name, Object.keys(e), JSON.stringify(e.details).slice(0, 300)); }
