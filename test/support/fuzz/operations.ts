// The operations the fuzzer sends requests to: every path and method of the Mastodon API contract
// (../shared/mastodon-openapi.json), so coverage grows with the contract, with the names and types
// of their parameters; plus Skein's own endpoints that the contract does not list.
import fs from "node:fs";
import path from "node:path";

export type ParamType = "string" | "integer" | "boolean" | "array" | "object" | "number";

export interface Param {
  name: string;
  type: ParamType;
}

export interface Operation {
  method: string;
  /** e.g. /api/v1/statuses/{id} */
  template: string;
  pathParams: string[];
  query: Param[];
  body: Param[];
  /** Streams (server-sent events) stay open: only the time to the response head counts. */
  streams: boolean;
}

const specPath = path.resolve(import.meta.dirname, "../../../../shared/mastodon-openapi.json");

type Schema = { $ref?: string; type?: string | string[]; properties?: Record<string, Schema>; oneOf?: Schema[]; anyOf?: Schema[]; allOf?: Schema[] };

export function contractOperations(): Operation[] {
  const spec = JSON.parse(fs.readFileSync(specPath, "utf8"));
  const resolve = (schema: Schema | undefined): Schema | undefined => {
    let s = schema;
    for (let hops = 0; s?.$ref && hops < 10; hops++) s = s.$ref.split("/").slice(1).reduce((node: Record<string, unknown>, key) => node?.[key] as Record<string, unknown>, spec) as Schema;
    return s;
  };
  const typeOf = (schema: Schema | undefined): ParamType => {
    const type = resolve(schema)?.type;
    const first = Array.isArray(type) ? type.find((t) => t !== "null") : type;
    return (["string", "integer", "boolean", "array", "object", "number"].includes(first ?? "") ? first : "string") as ParamType;
  };
  // Request bodies are often one of several shapes (a text, media or poll status): take all their properties.
  const bodyParams = (schema: Schema | undefined, depth = 0, into = new Map<string, ParamType>()): Map<string, ParamType> => {
    const s = resolve(schema);
    if (!s || depth > 4) return into;
    for (const [name, property] of Object.entries(s.properties ?? {})) into.set(name, typeOf(property));
    for (const branch of [...(s.oneOf ?? []), ...(s.anyOf ?? []), ...(s.allOf ?? [])]) bodyParams(branch, depth + 1, into);
    return into;
  };

  const operations: Operation[] = [];
  for (const [template, item] of Object.entries<Record<string, { parameters?: { name: string; in: string; schema?: Schema }[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }>>(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const parameters = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      const bodySchema = Object.values(content)[0]?.schema;
      operations.push({
        method: method.toUpperCase(),
        template,
        pathParams: [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
        query: parameters.filter((p) => p.in === "query").map((p) => ({ name: p.name, type: typeOf(p.schema) })),
        body: [...bodyParams(bodySchema)].map(([name, type]) => ({ name, type })),
        streams: template.startsWith("/api/v1/streaming/") && template !== "/api/v1/streaming/health",
      });
    }
  }
  return operations;
}

const s = (name: string): Param => ({ name, type: "string" });

/** Skein's endpoints outside the Mastodon contract that take client input. */
export const skeinOperations: Operation[] = [
  { method: "POST", template: "/api/v1/accounts/move", pathParams: [], query: [], body: [s("moved_to_uri"), s("password")], streams: false },
  { method: "POST", template: "/api/v1/accounts/alias", pathParams: [], query: [], body: [{ name: "also_known_as_uris", type: "array" }], streams: false },
  { method: "POST", template: "/oauth/token/revoke", pathParams: [], query: [], body: [s("token"), s("client_id"), s("client_secret")], streams: false },
  { method: "GET", template: "/@{username}", pathParams: ["username"], query: [], body: [], streams: false },
  { method: "GET", template: "/@{username}/{id}", pathParams: ["username", "id"], query: [], body: [], streams: false },
  { method: "GET", template: "/about", pathParams: [], query: [], body: [], streams: false },
  { method: "GET", template: "/.well-known/host-meta", pathParams: [], query: [s("resource")], body: [], streams: false },
  { method: "GET", template: "/.well-known/nodeinfo", pathParams: [], query: [], body: [], streams: false },
  { method: "GET", template: "/nodeinfo/{version}", pathParams: ["version"], query: [], body: [], streams: false },
  { method: "GET", template: "/.well-known/webfinger", pathParams: [], query: [s("resource"), s("rel")], body: [], streams: false },
];
