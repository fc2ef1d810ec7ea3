// Runs a fuzz property against a live server: sends each generated request, holds it to the
// rules (never a 5xx, an answer within the bound), lets fast-check shrink a failing one to a
// small request that still fails, and keeps the figures the run prints: cases, server errors (each
// distinct one with the request that caused it), the slowest request, peak memory, worst /health.
//
// FUZZ_KEEP_GOING=1 does not stop at the first failure: every case runs, nothing is shrunk, and
// the report lists each distinct failure with the first request that caused it (to survey what
// is broken at once). The test fails all the same.
import fc from "fast-check";
import { Agent, request } from "undici";
import type { TestServer } from "../server.ts";
import { describeRequest, type FuzzRequest } from "./http-request.ts";
import { ServerWatch, type WatchReport } from "./watcher.ts";

/** A request must be answered within this (the issue's stalls lasted 14–80 s). */
export const REQUEST_BOUND_MS = 5_000;
/** How long a request may take before the fuzzer stops waiting (twice the bound: the report says how slow it was). */
const GIVE_UP_MS = 10_000;
/** /health must keep answering within this throughout. */
export const HEALTH_BOUND_MS = 5_000;
/**
 * The server's resident memory may grow by at most this over a run. The blowups this is for took
 * 800 MB to 3 GB (a deeply nested inbox body); a healthy server's heap settles about 320 MB above
 * its start after 20,000 client API cases with bodies up to 1 MiB (V8 keeps what it grew to).
 */
export const RSS_GROWTH_BOUND_MB = 400;

export interface FuzzSettings {
  runs: number;
  seed: number;
  timeLimitMs: number;
  keepGoing: boolean;
}

/** The suite's fixed seed on SQLite; PostgreSQL's run takes the next one. */
const SUITE_SEED = 20_251_010;

/**
 * Cases and seed: fixed in CI; `./skein test --fuzz N [--fuzz-seed S]` sets FUZZ_RUNS and FUZZ_SEED.
 * Without them, PostgreSQL runs half the cases from another seed: the same seed would repeat
 * SQLite's cases request for request, while another one adds cases the suite has not sent
 * (7,500 distinct cases per file instead of 5,000 twice), in less time.
 */
export function fuzzSettings(defaultRuns: number): FuzzSettings {
  const onPostgres = process.env.SKEIN_TEST_DATABASE === "postgres";
  const runs = Number(process.env.FUZZ_RUNS ?? (onPostgres ? Math.ceil(defaultRuns / 2) : defaultRuns));
  const seed = Number(process.env.FUZZ_SEED ?? (onPostgres ? SUITE_SEED + 1 : SUITE_SEED));
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`FUZZ_RUNS must be a positive integer (got ${process.env.FUZZ_RUNS})`);
  if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer (got ${process.env.FUZZ_SEED})`);
  // A failure that stalls the server makes every case and shrinking step slow: stop after a while
  // and report what was found, inside the test runner's 180 s per test. (A passing CI run takes a
  // third of this; `./skein test --fuzz N` lifts both limits in proportion to N.)
  const timeLimitMs = Number(process.env.FUZZ_TIME_LIMIT_MS ?? 150_000);
  return { runs, seed, timeLimitMs, keepGoing: process.env.FUZZ_KEEP_GOING === "1" };
}

export interface Outcome {
  status: number | null;
  ms: number;
  /** Why there was no status: a timeout or a refused connection. */
  error?: string;
  /** The server closed the connection on a body over its limit before the upload ended: a refusal, not a failure. */
  refusedOversize?: boolean;
}

/** The most the server reads of a body (http/app.ts); past it, it answers 413 and may close mid-upload. */
const SERVER_BODY_LIMIT = 1024 * 1024;

/** The connection closed while a body over the server's limit was still being sent: the server refused it. */
function refusedOversizeBody(req: FuzzRequest, outcome: Outcome): boolean {
  const size = req.body === undefined ? 0 : Buffer.byteLength(req.body);
  return outcome.status === null && size > SERVER_BODY_LIMIT && /^(EPIPE|ECONNRESET|UND_ERR_SOCKET)\b/.test(outcome.error ?? "");
}

/** What is wrong with an outcome, or null. */
function verdictOf(outcome: Outcome): string | null {
  if (outcome.status === null && !outcome.refusedOversize) return outcome.error ?? "no answer";
  if (outcome.status !== null && outcome.status >= 500) return `server error ${outcome.status}`;
  if (outcome.ms > REQUEST_BOUND_MS) return `answered ${outcome.status ?? "by closing"} only after ${Math.round(outcome.ms)} ms (bound ${REQUEST_BOUND_MS} ms)`;
  return null;
}

/** A request's method and path with ids and long segments elided, to group failures. */
function route(request: FuzzRequest): string {
  return `${request.method} ${request.path
    .split("?")[0]
    .split("/")
    .map((segment) => (/^\d{6,}$/.test(segment) ? ":id" : segment.length > 30 ? "…" : segment))
    .join("/")}`;
}

export class FuzzRun {
  readonly server: TestServer;
  // Response heads up to what browsers read (256 KiB), not Node's 16 KiB: a long redirect is not a failure until a browser would refuse it.
  private readonly agent = new Agent({ connections: 4, headersTimeout: GIVE_UP_MS, bodyTimeout: GIVE_UP_MS, maxHeaderSize: 256 * 1024 });
  readonly watch: ServerWatch;
  /** Requests sent, shrinking steps included. */
  requests = 0;
  slowest = { ms: 0, request: "(none)" };
  /** 5xx answers and requests never answered. */
  serverErrorCount = 0;
  /** Answers below 500 that came after the bound. */
  slowCount = 0;
  /** Each distinct (route, failure), with the first request that got it. */
  readonly failures = new Map<string, string>();
  readonly statusClasses: Record<string, number> = {};

  constructor(server: TestServer) {
    this.server = server;
    this.watch = new ServerWatch(server.url, server.pid, HEALTH_BOUND_MS);
  }

  async send(req: FuzzRequest, options: { streams?: boolean } = {}): Promise<Outcome> {
    const label = `${req.method} ${req.path.length > 100 ? `${req.path.slice(0, 100)}…` : req.path}`;
    this.watch.inFlight = label;
    if (process.env.FUZZ_TRACE) console.log(`sending #${this.requests + 1}: ${describeRequest(req).slice(0, 600)}`);
    const started = performance.now();
    const abort = new AbortController();
    const attempt = (async (): Promise<Outcome> => {
      try {
        const response = await request(`${this.server.url}${req.path}`, {
          method: req.method as "GET",
          headers: req.headers,
          body: req.body,
          dispatcher: this.agent,
          // A connection of its own: a socket the server closed after the previous request (a refused
          // body, say) must not make this one look unanswered.
          reset: true,
          signal: abort.signal,
        });
        // A stream stays open by design: its head is the answer.
        // (Destroying it emits an AbortError on the body, which is ours, not the server's.)
        if (options.streams && String(response.headers["content-type"] ?? "").startsWith("text/event-stream")) response.body.on("error", () => undefined).destroy();
        else await response.body.dump({ limit: 8 * 1024 * 1024 });
        return { status: response.statusCode, ms: performance.now() - started };
      } catch (error) {
        const e = error as Error & { code?: string };
        return { status: null, ms: performance.now() - started, error: abort.signal.aborted ? `no answer within ${GIVE_UP_MS} ms` : `${e.code ?? e.name}: ${e.message}` };
      }
    })();
    // Aborting should end the attempt; the second timer makes sure a stuck client cannot hang the run.
    let timers: NodeJS.Timeout[] = [];
    const gaveUp = new Promise<Outcome>((resolve) => {
      timers = [
        setTimeout(() => abort.abort(), GIVE_UP_MS),
        setTimeout(() => resolve({ status: null, ms: performance.now() - started, error: `no answer within ${GIVE_UP_MS} ms (the client could not even abort)` }), GIVE_UP_MS + 2_000),
      ];
    });
    let outcome = await Promise.race([attempt, gaveUp]);
    for (const timer of timers) clearTimeout(timer);
    this.watch.inFlight = "(between requests)";
    // Not the server's doing: the fuzzer built something HTTP cannot carry. Fail loudly, count nothing.
    if (outcome.error?.startsWith("UND_ERR_INVALID_ARG")) throw new Error(`the fuzzer built a request the client refuses to send (${outcome.error}):\n    ${describeRequest(req)}`);
    this.requests++;
    // FUZZ_TRACE=1 prints every request as it is answered (to see where a run spends its time).
    if (process.env.FUZZ_TRACE) console.log(`#${this.requests} ${outcome.status ?? outcome.error} in ${Math.round(outcome.ms)} ms: ${label}`);
    if (refusedOversizeBody(req, outcome)) outcome = { ...outcome, refusedOversize: true };
    if (outcome.ms > this.slowest.ms) this.slowest = { ms: outcome.ms, request: label };
    const statusClass = outcome.refusedOversize ? "closed on a body over 1 MiB" : outcome.status === null ? "no answer" : `${Math.floor(outcome.status / 100)}xx`;
    this.statusClasses[statusClass] = (this.statusClasses[statusClass] ?? 0) + 1;
    const verdict = verdictOf(outcome);
    if (verdict) {
      if ((outcome.status === null && !outcome.refusedOversize) || (outcome.status ?? 0) >= 500) this.serverErrorCount++;
      else this.slowCount++;
      const key = `${route(req)} → ${verdict.replace(/\d+ ms/g, "N ms")}`;
      if (!this.failures.has(key)) this.failures.set(key, describeRequest(req));
    }
    return outcome;
  }

  /** The property: the request is answered, below 500, within the bound. */
  async check(req: FuzzRequest, options: { streams?: boolean } = {}): Promise<void> {
    const outcome = await this.send(req, options);
    const verdict = verdictOf(outcome);
    if (verdict) throw new Error(`${verdict} in ${Math.round(outcome.ms)} ms for\n    ${describeRequest(req)}`);
  }

  /** Runs the property over `arbitrary` and returns what to print and assert. */
  async run(name: string, arbitrary: fc.Arbitrary<FuzzRequest>, defaultRuns: number, sendOptions: (req: FuzzRequest) => { streams?: boolean } = () => ({})): Promise<FuzzResult> {
    const settings = fuzzSettings(defaultRuns);
    let evaluated = 0;
    this.watch.start();
    let details: fc.RunDetails<unknown>;
    try {
      details = await fc.check(
        fc.asyncProperty(arbitrary, async (req) => {
          evaluated++;
          try {
            if (settings.keepGoing) await this.send(req, sendOptions(req));
            else await this.check(req, sendOptions(req));
          } catch (error) {
            if (process.env.FUZZ_TRACE) console.log(`case ${evaluated} failed: ${(error as Error).message.split("\n")[0]}`);
            throw error;
          }
        }),
        { numRuns: settings.runs, seed: settings.seed, plugins: [fc.interruptAfterTimeLimit(settings.timeLimitMs)] },
      );
    } finally {
      // Also when generating a case threw: a watcher left polling would keep the test process alive.
      await this.watch.stop();
      // destroy, not close: close would wait for a request the server never answered.
      await this.agent.destroy();
    }
    return { name, settings, details, evaluated, run: this, watch: this.watch.report };
  }
}

export interface FuzzResult {
  name: string;
  settings: FuzzSettings;
  details: fc.RunDetails<unknown>;
  /** Property evaluations, shrinking steps included. */
  evaluated: number;
  run: FuzzRun;
  watch: WatchReport;
}

/** The lines a run prints, whether it passed or not. */
export function summary(result: FuzzResult): string {
  const { run, watch, details, settings } = result;
  const lines = [
    `${result.name}: ${details.numRuns} generated cases of ${settings.runs} (seed ${settings.seed}${settings.keepGoing ? ", keep going" : ""}), ${run.requests} requests with shrinking`,
    `  responses: ${Object.entries(run.statusClasses).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `  server errors: ${run.serverErrorCount}; answers over ${REQUEST_BOUND_MS} ms: ${run.slowCount}${run.failures.size ? ` (${run.failures.size} distinct failures)` : ""}`,
    ...[...run.failures].map(([key, req]) => `    ${key}\n      e.g. ${req.replace(/\n/g, "\n      ")}`),
    `  slowest request: ${run.slowest.request} in ${Math.round(run.slowest.ms)} ms (bound ${REQUEST_BOUND_MS} ms)`,
    `  server RSS: ${Math.round(watch.baselineRssMb)} MB at start, peak ${Math.round(watch.peakRssMb)} MB (growth ${Math.round(watch.peakRssMb - watch.baselineRssMb)} MB, bound ${RSS_GROWTH_BOUND_MB} MB) during ${watch.peakRssDuring}`,
    `  /health: ${watch.healthPolls} polls, worst ${Math.round(watch.worstHealthMs)} ms during ${watch.worstHealthDuring}, ${watch.healthFailures.length} unanswered (bound ${HEALTH_BOUND_MS} ms)`,
  ];
  if (details.interrupted) lines.push(`  interrupted after ${settings.timeLimitMs} ms (FUZZ_TIME_LIMIT_MS)`);
  if (details.failed) {
    lines.push(
      `  FAILED after ${details.numRuns} cases and ${details.numShrinks} shrinks; smallest failing case:`,
      `    ${String((details.errorInstance as Error | null)?.message ?? details.errorInstance).replace(/\n/g, "\n    ")}`,
    );
  }
  if (details.failed || run.failures.size) {
    lines.push(`  replay: ./skein test --db ${process.env.SKEIN_TEST_DATABASE ?? "sqlite"} --fuzz ${settings.runs} --fuzz-seed ${settings.seed}`);
  }
  return lines.join("\n");
}

/** The run's verdict, as one message per broken rule (empty when it passed). */
export function brokenRules(result: FuzzResult): string[] {
  const { run, watch, details } = result;
  const broken: string[] = [];
  if (run.serverErrorCount) broken.push(`${run.serverErrorCount} server errors`);
  if (run.slowCount) broken.push(`${run.slowCount} answers over ${REQUEST_BOUND_MS} ms`);
  if (details.failed && !run.serverErrorCount && !run.slowCount) broken.push(String((details.errorInstance as Error | null)?.message ?? "the property failed"));
  if (watch.healthFailures.length) broken.push(`/health unanswered within ${HEALTH_BOUND_MS} ms ${watch.healthFailures.length} times, first ${watch.healthFailures[0]}`);
  const growth = watch.peakRssMb - watch.baselineRssMb;
  if (growth >= RSS_GROWTH_BOUND_MB) broken.push(`server RSS grew by ${Math.round(growth)} MB (bound ${RSS_GROWTH_BOUND_MB} MB) during ${watch.peakRssDuring}`);
  return broken;
}
