// Runs a fuzz property against a live server: sends each generated request, holds it to the
// rules (never a 5xx, an answer within the bound), lets fast-check shrink a failing one to a
// small request that still fails, and keeps the figures the run prints: cases, server errors (each
// distinct one with the request that caused it), the slowest request, peak memory, worst /health.
import fc from "fast-check";
import { Agent, request } from "undici";
import type { TestServer } from "../server.ts";
import { describeRequest, type FuzzRequest } from "./http-request.ts";
import { ServerWatch, type WatchReport } from "./watcher.ts";

/** A request must be answered within this (the issue's stalls lasted 14–80 s). */
export const REQUEST_BOUND_MS = 5_000;
/** /health must keep answering within this throughout. */
export const HEALTH_BOUND_MS = 5_000;
/** The server's resident memory may grow by at most this over a run (a deep inbox body took 800 MB). */
export const RSS_GROWTH_BOUND_MB = 300;

/** Cases and seed: fixed in CI; `./skein test --fuzz N [--fuzz-seed S]` sets FUZZ_RUNS and FUZZ_SEED. */
export function fuzzSettings(defaultRuns: number): { runs: number; seed: number; timeLimitMs: number } {
  const runs = Number(process.env.FUZZ_RUNS ?? defaultRuns);
  const seed = Number(process.env.FUZZ_SEED ?? 20_251_010);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`FUZZ_RUNS must be a positive integer (got ${process.env.FUZZ_RUNS})`);
  if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer (got ${process.env.FUZZ_SEED})`);
  // A failure that stalls the server makes every shrinking step slow: stop looking for a smaller
  // case after a while and report the smallest found. (Runs that pass are never cut short in CI.)
  const timeLimitMs = Number(process.env.FUZZ_TIME_LIMIT_MS ?? Math.max(150_000, runs * 300));
  return { runs, seed, timeLimitMs };
}

export interface Outcome {
  status: number | null;
  ms: number;
  /** Why there was no status: a timeout or a refused connection. */
  error?: string;
}

/** A request's method and path without ids and query, to group server errors. */
function route(request: FuzzRequest): string {
  return `${request.method} ${request.path.split("?")[0].replace(/\/\d{6,}(?=\/|$)/g, "/:id").slice(0, 80)}`;
}

export class FuzzRun {
  readonly server: TestServer;
  private readonly agent = new Agent({ connections: 4, headersTimeout: REQUEST_BOUND_MS * 2, bodyTimeout: REQUEST_BOUND_MS * 2 });
  readonly watch: ServerWatch;
  /** Requests sent, shrinking steps included. */
  requests = 0;
  slowest = { ms: 0, request: "(none)" };
  /** Each distinct (route, status) of a 5xx or a missing answer, with the first request that got it. */
  readonly serverErrors = new Map<string, string>();
  serverErrorCount = 0;
  readonly statusClasses: Record<string, number> = {};

  constructor(server: TestServer) {
    this.server = server;
    this.watch = new ServerWatch(server.url, server.pid, HEALTH_BOUND_MS);
  }

  async send(req: FuzzRequest, options: { streams?: boolean } = {}): Promise<Outcome> {
    const label = `${req.method} ${req.path.length > 100 ? `${req.path.slice(0, 100)}…` : req.path}`;
    this.watch.inFlight = label;
    const started = performance.now();
    let outcome: Outcome;
    try {
      const response = await request(`${this.server.url}${req.path}`, {
        method: req.method as "GET",
        headers: req.headers,
        body: req.body,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(REQUEST_BOUND_MS * 2),
      });
      // A stream stays open by design: its head is the answer.
      if (options.streams && (response.headers["content-type"] ?? "").toString().startsWith("text/event-stream")) response.body.destroy();
      else await response.body.dump({ limit: 8 * 1024 * 1024 });
      outcome = { status: response.statusCode, ms: performance.now() - started };
    } catch (error) {
      const e = error as Error & { code?: string };
      outcome = { status: null, ms: performance.now() - started, error: e.name === "TimeoutError" ? `no answer within ${REQUEST_BOUND_MS * 2} ms` : `${e.code ?? e.name}: ${e.message}` };
    }
    this.watch.inFlight = "(between requests)";
    // Not the server's doing: the fuzzer built something HTTP cannot carry. Fail loudly, count nothing.
    if (outcome.error?.startsWith("UND_ERR_INVALID_ARG")) throw new Error(`the fuzzer built a request the client refuses to send (${outcome.error}):\n    ${describeRequest(req)}`);
    this.requests++;
    if (outcome.ms > this.slowest.ms) this.slowest = { ms: outcome.ms, request: label };
    const statusClass = outcome.status === null ? "no answer" : `${Math.floor(outcome.status / 100)}xx`;
    this.statusClasses[statusClass] = (this.statusClasses[statusClass] ?? 0) + 1;
    if (outcome.status === null || outcome.status >= 500) {
      this.serverErrorCount++;
      const key = `${route(req)} → ${outcome.status ?? outcome.error}`;
      if (!this.serverErrors.has(key)) this.serverErrors.set(key, describeRequest(req));
    }
    return outcome;
  }

  /** The property: the request is answered, below 500, within the bound. */
  async check(req: FuzzRequest, options: { streams?: boolean } = {}): Promise<void> {
    const outcome = await this.send(req, options);
    const verdict =
      outcome.status === null ? outcome.error : outcome.status >= 500 ? `server error ${outcome.status}` : outcome.ms > REQUEST_BOUND_MS ? `answered ${outcome.status} only after ${Math.round(outcome.ms)} ms (bound ${REQUEST_BOUND_MS} ms)` : null;
    if (verdict) throw new Error(`${verdict} in ${Math.round(outcome.ms)} ms for\n    ${describeRequest(req)}`);
  }

  /** Runs the property over `arbitrary` and returns what to print and assert. */
  async run(name: string, arbitrary: fc.Arbitrary<FuzzRequest>, defaultRuns: number, sendOptions: (req: FuzzRequest) => { streams?: boolean } = () => ({})): Promise<FuzzResult> {
    const settings = fuzzSettings(defaultRuns);
    let cases = 0;
    this.watch.start();
    const details = await fc.check(
      fc.asyncProperty(arbitrary, async (req) => {
        cases++;
        if (process.env.FUZZ_DEBUG) console.log(`case ${cases} at ${Math.round(performance.now())}: ${req.method} ${req.path.slice(0, 80)}`);
        await this.check(req, sendOptions(req));
      }),
      { numRuns: settings.runs, seed: settings.seed, plugins: [fc.interruptAfterTimeLimit(settings.timeLimitMs)] },
    );
    const watch = await this.watch.stop();
    return { name, settings, details, generated: details.numRuns, evaluated: cases, run: this, watch };
  }
}

export interface FuzzResult {
  name: string;
  settings: { runs: number; seed: number; timeLimitMs: number };
  details: fc.RunDetails<unknown>;
  /** Cases generated before the first failure (or all of them). */
  generated: number;
  /** Property evaluations, shrinking steps included. */
  evaluated: number;
  run: FuzzRun;
  watch: WatchReport;
}

/** The lines a run prints, whether it passed or not. */
export function summary(result: FuzzResult): string {
  const { run, watch, details, settings } = result;
  const lines = [
    `${result.name}: ${result.generated} generated cases of ${settings.runs} (seed ${settings.seed}), ${run.requests} requests with shrinking`,
    `  responses: ${Object.entries(run.statusClasses).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `  server errors: ${run.serverErrorCount}${run.serverErrors.size ? ` (${run.serverErrors.size} distinct)` : ""}`,
    ...[...run.serverErrors].map(([key, req]) => `    ${key}\n      e.g. ${req.replace(/\n/g, "\n      ")}`),
    `  slowest request: ${run.slowest.request} in ${Math.round(run.slowest.ms)} ms (bound ${REQUEST_BOUND_MS} ms)`,
    `  server RSS: ${Math.round(watch.baselineRssMb)} MB at start, peak ${Math.round(watch.peakRssMb)} MB (growth ${Math.round(watch.peakRssMb - watch.baselineRssMb)} MB, bound ${RSS_GROWTH_BOUND_MB} MB) during ${watch.peakRssDuring}`,
    `  /health: ${watch.healthPolls} polls, worst ${Math.round(watch.worstHealthMs)} ms during ${watch.worstHealthDuring}, ${watch.healthFailures.length} unanswered`,
  ];
  if (details.interrupted) lines.push(`  interrupted after ${settings.timeLimitMs} ms (FUZZ_TIME_LIMIT_MS)`);
  if (details.failed) {
    lines.push(
      `  FAILED after ${details.numRuns} cases and ${details.numShrinks} shrinks; smallest failing case:`,
      `    ${String((details.errorInstance as Error | null)?.message ?? details.errorInstance).replace(/\n/g, "\n    ")}`,
      `  replay: ./skein test --db ${process.env.SKEIN_TEST_DATABASE ?? "sqlite"} --fuzz ${settings.runs} --fuzz-seed ${settings.seed}`,
    );
  }
  return lines.join("\n");
}
