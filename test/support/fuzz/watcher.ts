// Watches the server while the fuzzer works: polls /health on a connection of its own (so it is
// never queued behind a fuzz request) and samples the server process's resident memory from
// /proc. A server that stops answering /health, or whose memory keeps growing, fails the run
// even when each request got its answer in the end.
import fs from "node:fs";
import { Agent, request } from "undici";

export interface WatchReport {
  healthPolls: number;
  /** Polls that got no 200 within the bound (a timeout, an error, another status). */
  healthFailures: string[];
  worstHealthMs: number;
  /** What the fuzzer was sending when /health was slowest. */
  worstHealthDuring: string;
  baselineRssMb: number;
  peakRssMb: number;
  peakRssDuring: string;
}

export class ServerWatch {
  private readonly agent = new Agent({ connections: 1 });
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private sampler: NodeJS.Timeout | undefined;
  /** Set by the fuzzer around each request, for the report. */
  inFlight = "(between requests)";
  readonly report: WatchReport;
  private readonly url: string;
  private readonly pid: number;
  private readonly healthBoundMs: number;

  constructor(url: string, pid: number, healthBoundMs: number) {
    this.url = url;
    this.pid = pid;
    this.healthBoundMs = healthBoundMs;
    const rss = this.rssMb();
    this.report = { healthPolls: 0, healthFailures: [], worstHealthMs: 0, worstHealthDuring: "", baselineRssMb: rss, peakRssMb: rss, peakRssDuring: "(start)" };
  }

  /** VmRSS of the server process, in MB (0 once it has exited). */
  rssMb(): number {
    try {
      const kb = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${this.pid}/status`, "utf8"))?.[1];
      return kb ? Number(kb) / 1024 : 0;
    } catch {
      return 0;
    }
  }

  start(): void {
    this.running = true;
    this.sampler = setInterval(() => {
      const rss = this.rssMb();
      if (rss > this.report.peakRssMb) {
        this.report.peakRssMb = rss;
        this.report.peakRssDuring = this.inFlight;
      }
    }, 50);
    this.loop = this.pollHealth();
  }

  private async pollHealth(): Promise<void> {
    while (this.running) {
      const during = this.inFlight;
      const started = performance.now();
      let problem: string | null = null;
      try {
        const response = await request(`${this.url}/health`, { dispatcher: this.agent, signal: AbortSignal.timeout(this.healthBoundMs) });
        await response.body.text();
        if (response.statusCode !== 200) problem = `status ${response.statusCode}`;
      } catch (error) {
        problem = (error as Error).name === "TimeoutError" || (error as Error).name === "AbortError" ? `no answer within ${this.healthBoundMs} ms` : String(error);
      }
      const ms = performance.now() - started;
      this.report.healthPolls++;
      if (ms > this.report.worstHealthMs) {
        this.report.worstHealthMs = ms;
        this.report.worstHealthDuring = during;
      }
      if (problem) this.report.healthFailures.push(`${problem} (while ${during})`);
      // The next poll after a pause, so the watcher itself is not a load.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<WatchReport> {
    this.running = false;
    clearInterval(this.sampler);
    // The poll in flight ends within the bound; never wait for it longer than that.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((resolve) => (timer = setTimeout(resolve, this.healthBoundMs + 1_000)))]);
    clearTimeout(timer);
    await this.agent.destroy();
    return this.report;
  }
}
