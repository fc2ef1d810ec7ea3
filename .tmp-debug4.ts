import { Note } from "@fedify/vocab";
import { preloadedContexts } from "@fedify/fedify";
const loader = async (u: string) => { if (u in preloadedContexts) return { contextUrl: null, document: preloadedContexts[u], documentUrl: u }; throw new Error("offline " + u); };
const n = await Note.fromJsonLd({ "@context": ["https://www.w3.org/ns/activitystreams", {Hashtag: "as:Hashtag"}], id: "https://a.example/1", type: "Note", tag: ["https://b.example/tag", { type: "Mention", href: "https://b.example/u" }, { type: "Hashtag", name: "#x", href: "https://a.example/tags/x" }] }, { documentLoader: loader, contextLoader: loader });
try { for await (const t of n.getTags()) console.log("plain", t.constructor.name); } catch (e) { console.log("plain threw", String(e)); }
for await (const t of n.getTags({ suppressError: true, documentLoader: () => Promise.reject(new Error("no")) })) console.log("embeddedOnly", t.constructor.name);
try { for await (const t of n.getTags({ documentLoader: () => Promise.reject(new Error("no")) })) console.log("noSuppress", t.constructor.name); } catch (e) { console.log("threw", String(e)); }
