// A GET of a URL someone else named (a remote file, a linked page), following redirects by
// hand so that each hop is checked again: an http(s) URL, allowed by the caller's policy, and —
// through the agent's guarded connector — a public address on the connection actually made.
// The caller words the failures (`fail`) and reads the 200 answer; any other status is a failure
// with its body discarded.
import type { Dispatcher } from "undici";
import { loadUndici, type OnDemandDispatcher } from "./undici-on-demand.ts";

export type GuardedGetProblem =
  | { kind: "not-url" }
  | { kind: "scheme" }
  | { kind: "not-allowed"; host: string }
  | { kind: "redirects"; max: number }
  | { kind: "status"; status: number };

export interface GuardedGetOptions {
  agent: OnDemandDispatcher;
  accept: string;
  userAgent: string;
  maxRedirects: number;
  signal: AbortSignal;
  mayFetch(url: string): Promise<boolean>;
  fail(problem: GuardedGetProblem): Error;
}

export type GuardedResponse = Dispatcher.ResponseData;

/** The 200 answer for `url` and the URL it came from after redirects. */
export async function guardedGet(url: string, options: GuardedGetOptions): Promise<{ response: GuardedResponse; finalUrl: string }> {
  const [{ request }, agent] = await Promise.all([loadUndici(), options.agent.get()]);
  let current = url;
  for (let hop = 0; ; hop++) {
    let parsed: URL;
    try {
      parsed = new URL(current);
    } catch {
      throw options.fail({ kind: "not-url" });
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw options.fail({ kind: "scheme" });
    if (!(await options.mayFetch(parsed.href))) throw options.fail({ kind: "not-allowed", host: parsed.hostname });
    const response = await request(parsed, {
      dispatcher: agent,
      method: "GET",
      headers: { accept: options.accept, "user-agent": options.userAgent },
      signal: options.signal,
    });
    if (response.statusCode >= 300 && response.statusCode < 400 && response.headers.location) {
      await response.body.dump().catch(() => {});
      if (hop >= options.maxRedirects) throw options.fail({ kind: "redirects", max: options.maxRedirects });
      const location = Array.isArray(response.headers.location) ? response.headers.location[0] : response.headers.location;
      current = new URL(location, parsed).href;
      continue;
    }
    if (response.statusCode !== 200) {
      await response.body.dump().catch(() => {});
      throw options.fail({ kind: "status", status: response.statusCode });
    }
    return { response, finalUrl: parsed.href };
  }
}
