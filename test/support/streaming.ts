// Streaming API clients for end-to-end tests: a WebSocket (the `ws` package) that records every
// message, and a reader of server-sent events.
import WebSocket from "ws";

export interface StreamMessage {
  stream?: string[];
  event?: string;
  payload?: string;
  error?: string;
  status?: number;
}

export interface StreamSocket {
  ws: WebSocket;
  /** The protocol the server echoed in its handshake. */
  protocol: string;
  /** Every message received so far, in order. */
  messages: StreamMessage[];
  /** The first message (not returned before) that matches; waits for it up to `timeoutMs`. */
  next(match: (m: StreamMessage) => boolean, timeoutMs?: number): Promise<StreamMessage>;
  send(message: unknown): void;
  /** Subscribes, and returns once the server has processed the subscription. */
  subscribe(stream: string, params?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, "ws");
}

export interface OpenOptions {
  /** Sent as Sec-WebSocket-Protocol, as browser clients do. */
  protocolToken?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

function streamingUrl(baseUrl: string, query: Record<string, string> = {}): string {
  const url = new URL(`${wsUrl(baseUrl)}/api/v1/streaming`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url.toString();
}

/**
 * What arrives over a connection, and a way to wait for the first item that matches. With
 * `consume`, an item handed out once is not handed out again.
 */
function arrivals<T>(what: string, consume: boolean) {
  const items: T[] = [];
  const taken = new Set<T>();
  const waiters = new Set<() => boolean>();
  return {
    items,
    push(item: T): void {
      items.push(item);
      for (const wake of waiters) wake();
    },
    next(match: (item: T) => boolean, timeoutMs = 10_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const found = items.find((item) => !taken.has(item) && match(item));
          if (found === undefined) return false;
          if (consume) taken.add(found);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`No matching ${what} within ${timeoutMs} ms; received: ${JSON.stringify(items).slice(0, 2000)}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
  };
}

export async function openStream(baseUrl: string, options: OpenOptions = {}): Promise<StreamSocket> {
  const ws = new WebSocket(streamingUrl(baseUrl, options.query), options.protocolToken ? [options.protocolToken] : [], { headers: options.headers });
  const received = arrivals<StreamMessage>("streaming message", true);
  const { items: messages, next } = received;
  ws.on("message", (data) => received.push(JSON.parse(data.toString())));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`Upgrade refused with ${res.statusCode}`)));
  });

  let syncs = 0;
  return {
    ws,
    protocol: ws.protocol,
    messages,
    next,
    send: (message) => ws.send(typeof message === "string" ? message : JSON.stringify(message)),
    async subscribe(stream, params = {}) {
      const errorsBefore = messages.filter((m) => m.error !== undefined).length;
      ws.send(JSON.stringify({ type: "subscribe", stream, ...params }));
      // The server handles a connection's messages in order: once it answers a request that
      // fails on purpose, the subscription before it is in place (or has failed first).
      ws.send(JSON.stringify({ type: "subscribe", stream: `sync-${++syncs}` }));
      const answer = await next((m) => m.error !== undefined && messages.filter((e) => e.error !== undefined).indexOf(m) >= errorsBefore);
      if (answer.error !== "Unknown stream type") throw new Error(`Subscribing to ${stream} failed: ${answer.status} ${answer.error}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once("close", () => resolve());
        ws.close();
      }),
  };
}

/** Tries to open a stream that the server should refuse; returns the HTTP status and JSON body. */
export function refusedUpgrade(baseUrl: string, options: OpenOptions = {}): Promise<{ status: number; body: { error?: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(streamingUrl(baseUrl, options.query), options.protocolToken ? [options.protocolToken] : [], { headers: options.headers });
    ws.once("open", () => {
      ws.close();
      reject(new Error("The upgrade was accepted"));
    });
    ws.once("error", () => {});
    ws.once("unexpected-response", (_req, res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d));
      res.on("end", () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch (error) {
          reject(error);
        }
      });
    });
  });
}

export interface ServerSentEvent {
  event: string;
  data: string;
}

/** Reads an event stream; `events` fills as they arrive, comments are counted. */
export async function openEventStream(url: string, token?: string) {
  const controller = new AbortController();
  const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {}, signal: controller.signal });
  const received = arrivals<ServerSentEvent>("server-sent event", false);
  const events = received.items;
  const comments: string[] = [];
  let opened!: () => void;
  const firstChunk = new Promise<void>((resolve) => (opened = resolve));
  if (response.body) {
    (async () => {
      let buffer = "";
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body!) {
          opened();
          buffer += decoder.decode(chunk, { stream: true });
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = "message";
            const data: string[] = [];
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) comments.push(line.slice(1));
              else if (line.startsWith("event:")) event = line.slice(6).trim();
              else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
            }
            if (data.length) received.push({ event, data: data.join("\n") });
          }
        }
      } catch {
        /* aborted */
      }
    })();
  }
  return {
    response,
    events,
    comments,
    /** Resolves once the first bytes arrived: the server registered the stream. */
    opened: () => firstChunk,
    next: received.next,
    close: () => controller.abort(),
  };
}
