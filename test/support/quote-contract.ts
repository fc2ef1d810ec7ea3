// The contract check (openapi.ts) for files whose statuses carry quotes. The description's
// Status.quote is `oneOf: [Quote, ShallowQuote, null]`, and neither schema forbids the other's
// properties, so every non-null quote matches both and fails `oneOf` (Mastodon's own answers
// too), and the failure spreads to every schema around it. This check validates each body with
// its quotes taken out (replaced by null), and each quote on its own against the schema its
// shape names: Quote (`quoted_status`, itself checked as a Status) or ShallowQuote.
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import fs from "node:fs";
import path from "node:path";
import { validateResponse } from "./openapi.ts";
import type { ContractLog } from "./openapi.ts";

const spec = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../../../shared/mastodon-openapi.json"), "utf8"));
let ajv: Ajv2020 | null = null;
function schema(name: string) {
  if (!ajv) {
    ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    (addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
    ajv.addFormat("iso-639-1", /^[a-z]{2}$/);
    ajv.addSchema({ ...spec, $id: "mastodon-openapi" });
  }
  return ajv.getSchema(`mastodon-openapi#/components/schemas/${name}`)!;
}

/** Replaces every non-null `quote` in `value` by null; returns the quotes taken out (their own nested quotes taken out too). */
function takeQuotes(value: unknown, found: Record<string, unknown>[]): void {
  if (Array.isArray(value)) {
    for (const item of value) takeQuotes(item, found);
    return;
  }
  if (!value || typeof value !== "object") return;
  const object = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(object)) {
    if (key === "quote" && child && typeof child === "object") {
      found.push(child as Record<string, unknown>);
      object.quote = null;
      takeQuotes((child as Record<string, unknown>).quoted_status, found);
    } else takeQuotes(child, found);
  }
}

/** Like installContractCheck, with quotes checked as described above. */
export function installQuoteAwareContractCheck(baseUrl: string): ContractLog {
  const log: ContractLog = { checked: 0, violations: [] };
  const original = globalThis.fetch;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await original(input, init);
    const url = new URL(typeof input === "string" || input instanceof URL ? input.toString() : input.url);
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    if (url.origin === new URL(baseUrl).origin && (response.headers.get("content-type") ?? "").includes("json")) {
      const body = await response.clone().json().catch(() => undefined);
      const quotes: Record<string, unknown>[] = [];
      takeQuotes(body, quotes);
      const result = validateResponse(method, url.pathname, response.status, body);
      if (result.checked) log.checked++;
      for (const problem of result.problems) log.violations.push(`${method} ${url.pathname} ${response.status}: ${problem}`);
      // Only the Mastodon API's answers (not ActivityPub documents, whose `quote` is a URI).
      for (const quote of result.checked ? quotes : []) {
        const validate = schema("quoted_status" in quote ? "Quote" : "ShallowQuote");
        if (!validate(quote)) for (const e of validate.errors ?? []) log.violations.push(`${method} ${url.pathname} quote${e.instancePath} ${e.message}`);
      }
    }
    return response;
  };
  return log;
}
