import { createFederation, MemoryKvStore } from "@fedify/fedify";
const loader = async (u: string) => { throw new Error("offline " + u); };
const f = createFederation<void>({ kv: new MemoryKvStore(), documentLoaderFactory: () => loader, contextLoaderFactory: () => loader });
const ctx = f.createContext(new URL("https://skein.test"), undefined);
try { await ctx.lookupObject("https://lemmy.schuerz.at/u/jakob"); } catch (e) { console.log((e as Error).stack); }
