// The streaming API over one WebSocket: the token goes in Sec-WebSocket-Protocol (browsers cannot
// set headers on a WebSocket), streams are subscribed with messages, and a dropped connection is
// opened again after a growing pause (1 s, 2 s, … 30 s), subscribing again to what was wanted.
export interface StreamEvent {
  stream: string[];
  event: string;
  payload: string;
}

export class Streaming {
  private socket: WebSocket | null = null;
  private readonly wanted = new Set<string>();
  private readonly listeners = new Set<(event: StreamEvent) => void>();
  private token: string | null = null;
  private retryMs = 1000;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  start(token: string): void {
    this.stop();
    this.token = token;
    this.connect();
  }

  stop(): void {
    this.token = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }

  subscribe(stream: string): void {
    this.wanted.add(stream);
    this.sendSubscription("subscribe", stream);
  }

  unsubscribe(stream: string): void {
    this.wanted.delete(stream);
    this.sendSubscription("unsubscribe", stream);
  }

  onEvent(listener: (event: StreamEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private sendSubscription(type: "subscribe" | "unsubscribe", stream: string): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type, stream }));
  }

  private connect(): void {
    if (!this.token) return;
    const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/api/v1/streaming`;
    const socket = new WebSocket(url, this.token);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.retryMs = 1000;
      for (const stream of this.wanted) this.sendSubscription("subscribe", stream);
    });
    socket.addEventListener("message", (message) => {
      let event: StreamEvent;
      try {
        event = JSON.parse(String(message.data));
      } catch {
        return;
      }
      if (!event.event) return; // an error answer to a subscription
      for (const listener of this.listeners) listener(event);
    });
    socket.addEventListener("close", () => {
      if (this.socket !== socket || !this.token) return;
      this.socket = null;
      this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 30_000);
    });
  }
}
