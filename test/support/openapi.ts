// Validates response bodies against the Mastodon API contract in ../shared/mastodon-openapi.json
// (OpenAPI 3.1, JSON Schema 2020-12). installContractCheck() wraps the global fetch so that every
// JSON response from the server under test — including those masto.js receives — is checked.
//
// Compiling a validator from the 1.4 MB contract took about a second of CPU in every test file
// (most of a file's own CPU), so each one is compiled once per contract and kept as code under
// .skein-runtime/openapi-validators/: later test files, and later runs, load it instead.
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Ajv2020 } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv";

const specPath = path.resolve(import.meta.dirname, "../../../shared/mastodon-openapi.json");
const specText = fs.readFileSync(specPath, "utf8");
const spec = JSON.parse(specText);

const formatsModule = path.join(import.meta.dirname, "openapi-formats.cjs");
const ajvOptions = { strict: false, allErrors: true, validateFormats: true } as const;
const load = createRequire(import.meta.url);
const ajvVersion = (load("ajv/package.json") as { version: string }).version;
/** Compiled validators depend on the contract, ajv and the options: a change of any makes a new directory. */
const cacheDir = path.resolve(
  import.meta.dirname,
  "../../.skein-runtime/openapi-validators",
  sha256(`${specText}\0${ajvVersion}\0${JSON.stringify(ajvOptions)}\0${fs.readFileSync(formatsModule, "utf8")}`).slice(0, 16),
);

function sha256(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}

/** The compiler, loaded and made only when a validator is not compiled yet (ajv itself costs to load). */
let compiler: Ajv2020 | null = null;
function ajv(): Ajv2020 {
  if (compiler) return compiler;
  const { Ajv2020 } = load("ajv/dist/2020") as typeof import("ajv/dist/2020.js");
  const { _ } = load("ajv") as typeof import("ajv");
  compiler = new Ajv2020({ ...ajvOptions, code: { source: true, formats: _`require(${formatsModule})` } });
  (load("ajv-formats") as (a: Ajv2020) => void)(compiler);
  compiler.addFormat("iso-639-1", /^[a-z]{2}$/);
  compiler.addSchema({ ...spec, $id: "mastodon-openapi" });
  return compiler;
}

/** The validator for a schema of the contract: loaded if compiled before, else compiled and kept. */
function compiledValidator(ref: string): ValidateFunction | null {
  const file = path.join(cacheDir, `${sha256(ref).slice(0, 32)}.cjs`);
  if (fs.existsSync(file)) return load(file) as ValidateFunction;
  const validate = ajv().getSchema(ref);
  if (!validate) return null;
  fs.mkdirSync(cacheDir, { recursive: true });
  // Written whole, then renamed: a test file running beside this one never reads half a file.
  const partial = `${file}.${process.pid}.partial`;
  const standaloneCode = load("ajv/dist/standalone") as { default: (ajv: Ajv2020, validate: ValidateFunction) => string };
  fs.writeFileSync(partial, standaloneCode.default(ajv(), validate));
  fs.renameSync(partial, file);
  return validate;
}

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
    validate = compiledValidator(ref);
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
