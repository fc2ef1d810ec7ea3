// Every operation of the Mastodon API description has a route in Skein's application, except a
// short list of exceptions, each with its reason. The walk is structural: a literal segment of
// the description's path must be a literal segment of the route, and a `{parameter}` a route
// parameter — so a route that would take the word "requests" as an id does not count for
// `/api/v1/notifications/requests`. That each route answers schema-valid bodies is what the
// end-to-end suite checks (installContractCheck in every file); this test finds what no route serves.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createApp } from "../../src/http/app.ts";
import type { Services } from "../../src/domain/services.ts";
import type { StreamingHub } from "../../src/http/streaming/hub.ts";

const DESCRIPTION = path.resolve(import.meta.dirname, "../../../shared/mastodon-openapi.json");
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** Operations Skein does not serve, and why. Kept short: each one is a decision, not a backlog. */
const EXCEPTIONS: Record<string, string> = {};

interface Route {
  method: string;
  segments: string[];
}

const segmentsOf = (p: string) => p.split("/").filter(Boolean);

/** The routes a full server has (streaming included); building the app only registers handlers. */
function applicationRoutes(): Route[] {
  const app = createApp({} as Services, { streaming: {} as StreamingHub });
  // Middleware registers as ALL; an operation needs a handler for its own method.
  return app.routes.filter((r) => r.method !== "ALL").map((r) => ({ method: r.method, segments: segmentsOf(r.path) }));
}

function serves(route: Route, method: string, operationSegments: string[]): boolean {
  if (route.method !== method) return false;
  const wildcard = route.segments.at(-1) === "*";
  const fixed = wildcard ? route.segments.slice(0, -1) : route.segments;
  if (wildcard ? operationSegments.length <= fixed.length : operationSegments.length !== fixed.length) return false;
  return fixed.every((segment, i) => {
    const wanted = operationSegments[i];
    return wanted.startsWith("{") ? segment.startsWith(":") : segment === wanted;
  });
}

function operations(): string[] {
  const description = JSON.parse(fs.readFileSync(DESCRIPTION, "utf8")) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(description.paths).flatMap(([p, ops]) => METHODS.filter((m) => m in ops).map((m) => `${m.toUpperCase()} ${p}`));
}

test("every operation of the Mastodon API description has a route, but for the listed exceptions", () => {
  const routes = applicationRoutes();
  const all = operations();
  assert.ok(all.length >= 200, `the description has its operations (${all.length})`);
  const missing = all.filter((op) => {
    const [method, p] = op.split(" ");
    return !routes.some((route) => serves(route, method, segmentsOf(p)));
  });
  const unexplained = missing.filter((op) => !(op in EXCEPTIONS));
  assert.deepEqual(unexplained, [], `operations without a route:\n${unexplained.join("\n")}`);
  // An exception that is served after all is stale; one not in the description is a typo.
  const stale = Object.keys(EXCEPTIONS).filter((op) => !missing.includes(op));
  assert.deepEqual(stale, [], `exceptions that are served or not in the description:\n${stale.join("\n")}`);
});

test("the walk is structural: a parameter route does not count for a literal path", () => {
  const byId: Route = { method: "GET", segments: ["api", "v1", "notifications", ":id"] };
  assert.equal(serves(byId, "GET", segmentsOf("/api/v1/notifications/{id}")), true);
  assert.equal(serves(byId, "GET", segmentsOf("/api/v1/notifications/requests")), false);
  assert.equal(serves(byId, "POST", segmentsOf("/api/v1/notifications/{id}")), false);
  const stream: Route = { method: "GET", segments: ["api", "v1", "streaming", "*"] };
  assert.equal(serves(stream, "GET", segmentsOf("/api/v1/streaming/public/local")), true);
  assert.equal(serves(stream, "GET", segmentsOf("/api/v1/streaming")), false);
});
