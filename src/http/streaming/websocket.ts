// `GET /api/v1/streaming` upgraded to a WebSocket, as Mastodon's streaming server does it:
//
// - the token comes in `Authorization: Bearer`, the `access_token` query parameter, or (what
//   browser clients do, as they cannot set headers on a WebSocket) `Sec-WebSocket-Protocol`,
//   which is echoed back: Chromium drops the connection otherwise;
// - a bad token, an unknown stream or a missing permission is refused before the upgrade, with
//   a JSON error and the HTTP status;
// - `stream` (with `tag` or `list`) in the query subscribes at once; after that the client
//   sends `{"type":"subscribe"|"unsubscribe","stream":…,"tag"?:…,"list"?:…}`, and problems with
//   those come back as `{"error":…,"status":…}` without closing the connection.
import { STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocketServer, WebSocket, RawData } from "ws";
import { getLogger } from "@logtape/logtape";
import type { Services } from "../../domain/services.ts";
import { parseSubscription, StreamError, type StreamSubscription } from "../../domain/streaming/streams.ts";
import type { CloseReason, ConnectedViewer, StreamClient, StreamingHub, StreamMessage } from "./hub.ts";

const logger = getLogger(["skein", "streaming"]);

export const STREAMING_PATH = "/api/v1/streaming";
/** Client messages are small JSON objects. */
const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;
/** Client messages waiting to be handled, per connection. */
const MAX_PENDING_CLIENT_MESSAGES = 32;
/** Unsent bytes a client may fall behind by before it is dropped. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** WebSocket.OPEN (the readyState of an open connection; ws itself is imported on the first upgrade). */
const OPEN = 1;

export class WebSocketClient implements StreamClient {
  readonly viewer: ConnectedViewer | null;
  private readonly ws: WebSocket;
  private alive = true;

  constructor(ws: WebSocket, viewer: ConnectedViewer | null) {
    this.ws = ws;
    this.viewer = viewer;
    ws.on("pong", () => (this.alive = true));
  }

  send(message: StreamMessage): void {
    if (this.ws.readyState !== OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close("too slow");
      return;
    }
    this.ws.send(JSON.stringify(message));
  }

  error(status: number, message: string): void {
    if (this.ws.readyState === OPEN) this.ws.send(JSON.stringify({ error: message, status }));
  }

  heartbeat(): void {
    if (!this.alive) {
      this.close("unresponsive");
      return;
    }
    this.alive = false;
    if (this.ws.readyState === OPEN) this.ws.ping();
  }

  close(reason: CloseReason): void {
    switch (reason) {
      case "shutdown":
        this.ws.close(1001, "Server shutting down");
        // A peer that does not answer the closing handshake is cut off.
        setTimeout(() => this.ws.terminate(), 2000).unref();
        break;
      case "revoked":
        this.ws.close(1008, "Access token revoked");
        break;
      default:
        // Its buffer is full or it stopped answering: a closing handshake would wait behind it.
        this.ws.terminate();
    }
  }
}

function bearer(header: string | undefined): string | null | undefined {
  if (header === undefined) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null;
}

/** The token in Sec-WebSocket-Protocol: clients send exactly one protocol, the token. */
function protocolToken(request: IncomingMessage): string | undefined {
  const header = request.headers["sec-websocket-protocol"];
  const first = header?.split(",")[0]?.trim();
  return first || undefined;
}

function refuse(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Connection: close\r\n\r\n" +
      body,
  );
}

/** Handles WebSocket upgrades on `server`; returns a function that stops it. */
export function attachWebSocketStreaming(server: Server, hub: StreamingHub, services: Services): () => void {
  // ws is imported on the first upgrade: an idle server has streamed to nobody (docs/PERFORMANCE.md, "Memory").
  let made: Promise<WebSocketServer> | undefined;
  const webSockets = (): Promise<WebSocketServer> => {
    made ??= import("ws").then(
      ({ WebSocketServer }) =>
        new WebSocketServer({
          noServer: true,
          clientTracking: false,
          perMessageDeflate: false,
          maxPayload: MAX_CLIENT_MESSAGE_BYTES,
          // Echo the token protocol; without it Chromium (and undici) drop the connection.
          handleProtocols: (protocols) => protocols.values().next().value ?? false,
        }),
    );
    return made;
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => {});
    upgrade(request, socket, head).catch((error) => {
      logger.error("WebSocket upgrade failed: {error}", { error });
      refuse(socket, 500, "Internal server error");
    });
  };

  const upgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (url.pathname.replace(/\/+$/, "") !== STREAMING_PATH) return refuse(socket, 404, "Record not found");
    if (request.headers.upgrade?.toLowerCase() !== "websocket") return refuse(socket, 400, "Expected a WebSocket upgrade");
    if (hub.full) return refuse(socket, 503, "Too many streaming connections; try again later");

    const fromHeader = bearer(request.headers.authorization);
    if (fromHeader === null) return refuse(socket, 401, "Invalid access token");
    // Mastodon's order: the header, then the query, then the protocol.
    const token = fromHeader ?? url.searchParams.get("access_token") ?? protocolToken(request);
    let viewer: ConnectedViewer | null = null;
    if (token !== undefined) {
      const auth = await services.oauth.authenticate(token);
      if (!auth) return refuse(socket, 401, "Invalid access token");
      viewer = { accountId: auth.account?.id ?? null, scopes: auth.scopes, token };
    }

    let initial: StreamSubscription | null = null;
    const stream = url.searchParams.get("stream");
    if (stream !== null) {
      try {
        initial = parseSubscription(stream, { tag: url.searchParams.get("tag") ?? undefined, list: url.searchParams.get("list") ?? undefined }, viewer, hub);
        await hub.authorize(initial, viewer);
      } catch (error) {
        if (error instanceof StreamError) return refuse(socket, error.status, error.message);
        throw error;
      }
    }
    const wss = await webSockets();
    if (socket.destroyed) return;

    wss.handleUpgrade(request, socket, head, (ws) => {
      const client = new WebSocketClient(ws, viewer);
      hub.add(client);
      if (initial) hub.subscribe(client, initial);
      // One message at a time, so that answers come in the order of the requests; a client
      // sending faster than they are handled is told so, not queued without end.
      let previous = Promise.resolve();
      let pending = 0;
      ws.on("message", (data, isBinary) => {
        if (pending >= MAX_PENDING_CLIENT_MESSAGES) return client.error(429, "Too many messages; wait for the answers");
        pending++;
        previous = previous
          .then(() => onMessage(client, data, isBinary))
          .catch((error) => logger.error("Could not handle a streaming message: {error}", { error }))
          .finally(() => pending--);
      });
      ws.on("error", () => ws.terminate());
      ws.on("close", () => hub.remove(client));
    });
  };

  const onMessage = async (client: WebSocketClient, data: RawData, isBinary: boolean): Promise<void> => {
    if (isBinary) return client.error(400, "Messages must be text");
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return client.error(400, "Messages must be JSON");
    }
    if (typeof message !== "object" || message === null) return client.error(400, "Messages must be JSON objects");
    const { type, stream, tag, list } = message as Record<string, unknown>;
    if (type !== "subscribe" && type !== "unsubscribe") return client.error(400, "Unknown message type; expected subscribe or unsubscribe");
    let subscription: StreamSubscription;
    try {
      subscription = parseSubscription(stream, { tag, list }, client.viewer, hub);
      if (type === "subscribe") await hub.authorize(subscription, client.viewer);
    } catch (error) {
      if (error instanceof StreamError) return client.error(error.status, error.message);
      logger.error("Could not handle a streaming message: {error}", { error });
      return client.error(500, "Internal server error");
    }
    if (type === "unsubscribe") hub.unsubscribe(client, subscription);
    else if (!hub.subscribe(client, subscription)) client.error(400, "Too many subscriptions on one connection");
  };

  server.on("upgrade", onUpgrade);
  return () => {
    server.off("upgrade", onUpgrade);
    void made?.then((wss) => wss.close());
  };
}
