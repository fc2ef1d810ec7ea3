// The cost report for the admin console: measuring storage lists every file (seconds on a big
// server, longer on S3), too slow for a page view. So the console asks for a measurement, which
// runs in the background — one at a time, however many ask — and the page shows the latest
// report with its time. Kept in this process only: `./skein cost` measures afresh each time.
import type { Stores } from "../../store/stores.ts";
import type { MediaStorage } from "../../storage/media-storage.ts";
import type { MediaConfig } from "../../config/media-config.ts";
import { costReport, type CostReport } from "./cost-report.ts";

export interface CostReportState {
  /** The newest finished report, if any. */
  report: CostReport | null;
  /** When the measurement under way started (ISO), if one is. */
  measuringSince: string | null;
  /** Why the last measurement failed, if it did. */
  failure: string | null;
}

export class CostReports {
  private report: CostReport | null = null;
  private running: { since: string; done: Promise<void> } | null = null;
  private failure: string | null = null;
  private readonly stores: Stores;
  private readonly storage: () => MediaStorage;
  private readonly prices: MediaConfig["prices"];

  constructor(stores: Stores, storage: () => MediaStorage, prices: MediaConfig["prices"]) {
    this.stores = stores;
    this.storage = storage;
    this.prices = prices;
  }

  state(): CostReportState {
    return { report: this.report, measuringSince: this.running?.since ?? null, failure: this.failure };
  }

  /** Starts a measurement unless one is under way; resolves when that one has finished. */
  measure(): Promise<void> {
    if (this.running) return this.running.done;
    const since = new Date().toISOString();
    const done = costReport(this.stores, this.storage(), this.prices)
      .then((report) => {
        this.report = report;
        this.failure = null;
      })
      .catch((error: unknown) => {
        this.failure = error instanceof Error ? error.message : String(error);
      })
      .finally(() => {
        this.running = null;
      });
    this.running = { since, done };
    return done;
  }
}
