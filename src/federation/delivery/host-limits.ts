// How many requests may be in flight to one host. A fixed small number is kind to small servers
// but caps a busy, healthy one at (limit ÷ its latency) deliveries a second: 4 at 200 ms is 20/s,
// while an instance where many of our users have followers may need 50/s. So the limit adapts,
// like a congestion window: it starts at DELIVERY_PER_HOST, grows by one with each success while
// more deliveries wait for that host (up to DELIVERY_PER_HOST_MAX), and halves with each failure.
// A host with nothing left to send is forgotten, which keeps this as small as the work in hand.
export class HostLimits {
  private readonly limits = new Map<string, number>();
  readonly start: number;
  readonly max: number;

  constructor(start: number, max: number) {
    this.start = start;
    this.max = Math.max(start, max);
  }

  of(host: string): number {
    return this.limits.get(host) ?? this.start;
  }

  /** A delivery succeeded; `backlog` says whether more are waiting for the host. */
  succeeded(host: string, backlog: boolean): void {
    const limit = this.of(host);
    if (backlog && limit < this.max) this.limits.set(host, limit + 1);
  }

  failed(host: string): void {
    this.limits.set(host, Math.max(1, Math.floor(this.of(host) / 2)));
  }

  /** Nothing in flight or waiting for the host. */
  forget(host: string): void {
    this.limits.delete(host);
  }
}
