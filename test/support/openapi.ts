// Validates response bodies against the Mastodon API contract in ../shared/mastodon-openapi.json
// (OpenAPI 3.1, JSON Schema 2020-12). installContractCheck() wraps the global fetch so that every
// JSON response from the server under test — including those masto.js receives — is checked.
import fs from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { ValidateFunction } from "ajv";

const specPath = path.resolve(import.meta.dirname, "../../../shared/mastodon-openapi.json");
const spec = JSON.parse(fs.readFileSync(specPath, "utf8"));

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
(addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
ajv.addFormat("iso-639-1", /^[a-z]{2}$/);
ajv.addSchema({ ...spec, $id: "mastodon-openapi" });

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
}

const operations: Operation[] = [];
for (const [template, item] of Object.entries<Record<string, unknown>>(spec.paths)) {
  const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}/g, "[^/]+").replace(/\{[^}]+\}/g, "[^/]+")}$`);
  for (const method of Object.keys(item)) operations.push({ method: method.toUpperCase(), template, pattern });
}
// Literal paths first, so /api/v1/accounts/verify_credentials is not taken for /api/v1/accounts/{id}.
operations.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));

const validators = new Map<string, ValidateFunction | null>();

function escapePointer(s: string): string {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The operation the contract defines for this request, or null if it has none. */
export function findOperation(method: string, pathname: string): Operation | null {
  return operations.find((op) => op.method === method.toUpperCase() && op.pattern.test(pathname)) ?? null;
}

/** Validates one body; returns a list of problems (empty when valid). */
export function validateResponse(method: string, pathname: string, status: number, body: unknown): { checked: boolean; problems: string[] } {
  const op = findOperation(method, pathname);
  if (!op) return { checked: false, problems: [] };
  const response = spec.paths[op.template][op.method.toLowerCase()].responses?.[String(status)];
  if (!response?.content?.["application/json"]?.schema) {
    // Error statuses the contract lists without a body schema still must use the error shape.
    if (status >= 400) return validateAgainst("mastodon-openapi#/components/schemas/Error", body);
    return { checked: false, problems: [] };
  }
  const pointer = `mastodon-openapi#/paths/${escapePointer(op.template)}/${op.method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
  return validateAgainst(pointer, body);
}

function validateAgainst(ref: string, body: unknown): { checked: boolean; problems: string[] } {
  let validate = validators.get(ref);
  if (validate === undefined) {
    validate = ajv.getSchema(ref) ?? null;
    validators.set(ref, validate);
  }
  if (!validate) return { checked: false, problems: [`no schema at ${ref}`] };
  if (validate(body)) return { checked: true, problems: [] };
  return { checked: true, problems: (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`) };
}

export interface ContractLog {
  checked: number;
  violations: string[];
}

/**
 * Wraps globalThis.fetch: every JSON response from `baseUrl` is validated against the contract.
 * Returns the running log; tests assert `violations` is empty.
 */
export function installContractCheck(baseUrl: string): ContractLog {
  const log: ContractLog = { checked: 0, violations: [] };
  const original = globalThis.fetch;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await original(input, init);
    const url = new URL(typeof input === "string" || input instanceof URL ? input.toString() : input.url);
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    if (url.origin === new URL(baseUrl).origin && (response.headers.get("content-type") ?? "").includes("json")) {
      const body = await response.clone().json().catch(() => undefined);
      const result = validateResponse(method, url.pathname, response.status, body);
      if (result.checked) log.checked++;
      for (const problem of result.problems) log.violations.push(`${method} ${url.pathname} ${response.status}: ${problem}`);
    }
    return response;
  };
  return log;
}
