// Structured logs through LogTape (Fedify logs through it too): readable lines on a terminal,
// JSON lines for log collectors (LOG_FORMAT=json). Logs go to stderr; stdout is for results.
import { inspect } from "node:util";
import { AsyncLocalStorage } from "node:async_hooks";
import { configure, getTextFormatter, jsonLinesFormatter, type LogRecord } from "@logtape/logtape";
import type { Config } from "../config/config.ts";

export async function setUpLogging(log: Config["log"]): Promise<void> {
  const format =
    log.format === "json"
      ? jsonLinesFormatter
      : getTextFormatter({ value: (v) => (typeof v === "string" ? v : inspect(v, { depth: 4, breakLength: Infinity })) });
  await configure({
    reset: true,
    // Fedify attaches request context to its log records.
    contextLocalStorage: new AsyncLocalStorage(),
    sinks: { stderr: (record: LogRecord) => void process.stderr.write(format(record)) },
    loggers: [
      { category: ["skein"], sinks: ["stderr"], lowestLevel: log.level },
      { category: ["fedify"], sinks: ["stderr"], lowestLevel: log.level === "debug" ? "info" : "warning" },
      // A browser asking for an actor's HTML is routine, not a warning.
      { category: ["fedify", "federation", "http"], sinks: ["stderr"], lowestLevel: "error" },
      { category: ["logtape", "meta"], sinks: ["stderr"], lowestLevel: "warning" },
    ],
  });
}
