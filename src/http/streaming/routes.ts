// The HTTP side of the streaming API: `/api/v1/streaming/health`, and one stream per request as
// server-sent events at `/api/v1/streaming/<stream>` (`/user`, `/user/notification`, `/public`,
// `/public/local`, `/public/remote`, `/hashtag?tag=`, `/hashtag/local?tag=`, `/list?list=`,
// `/direct`; `only_media=true` selects the `:media` variants). Each event is an `event:` line and
// a `data:` line (the same payload as on the WebSocket); `:thump` comments keep proxies from
// closing an idle stream. The token comes from the usual `authenticate` middleware.
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { bearerToken } from "../auth.ts";
import { parseSubscription, StreamError, type StreamSubscription } from "../../domain/streaming/streams.ts";
import type { CloseReason, ConnectedViewer, StreamClient, StreamingHub, StreamMessage } from "./hub.ts";
import { MAX_BUFFERED_BYTES, STREAMING_PATH } from "./websocket.ts";

const encoder = new TextEncoder();

export class EventStreamClient implements StreamClient {
  readonly viewer: ConnectedViewer | null;
  private readonly controller: ReadableStreamDefaultController<Uint8Array>;
  private readonly onClose: () => void;
  private closed = false;

  constructor(viewer: ConnectedViewer | null, controller: ReadableStreamDefaultController<Uint8Array>, onClose: () => void) {
    this.viewer = viewer;
    this.controller = controller;
    this.onClose = onClose;
  }

  send(message: StreamMessage): void {
    this.write(`event: ${message.event}\ndata: ${message.payload}\n\n`);
  }

  heartbeat(): void {
    this.write(":thump\n\n");
  }

  write(text: string): void {
    if (this.closed) return;
    // desiredSize is minus the bytes queued and not yet taken by the connection.
    if ((this.controller.desiredSize ?? 0) < -MAX_BUFFERED_BYTES) {
      this.close("too slow");
      return;
    }
    this.controller.enqueue(encoder.encode(text));
  }

  close(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (reason === "too slow" || reason === "unresponsive") this.controller.error(new Error(`Streaming client ${reason}`));
      else this.controller.close();
    } catch {
      /* already closed by the other side */
    }
    this.onClose();
  }

  /** The client went away. */
  gone(): void {
    this.closed = true;
    this.onClose();
  }
}

export function streamingRoutes(hub: StreamingHub): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/health", (c) => c.text("OK"));

  routes.get("/", () => {
    throw new ApiError(400, `Expected a WebSocket upgrade; for server-sent events, use ${STREAMING_PATH}/<stream>`);
  });

  routes.get("/*", async (c) => {
    const name = c.req.path.slice(STREAMING_PATH.length + 1).replace(/\/+$/, "").replaceAll("/", ":");
    const onlyMedia = c.req.query("only_media") === "true" || c.req.query("only_media") === "1";
    const auth = c.get("auth");
    const viewer: ConnectedViewer | null = auth ? { accountId: auth.account?.id ?? null, scopes: auth.scopes, token: bearerToken(c)! } : null;
    let subscription: StreamSubscription;
    try {
      subscription = parseSubscription(onlyMedia && name.startsWith("public") ? `${name}:media` : name, { tag: c.req.query("tag"), list: c.req.query("list") }, viewer, hub);
      await hub.authorize(subscription, viewer);
    } catch (error) {
      if (error instanceof StreamError) throw new ApiError(error.status, error.message);
      throw error;
    }

    if (hub.full) throw new ApiError(503, "Too many streaming connections; try again later");
    let client: EventStreamClient | null = null;
    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          client = new EventStreamClient(viewer, controller, () => hub.remove(client!));
          hub.add(client);
          hub.subscribe(client, subscription);
          client.write(":)\n\n");
        },
        cancel() {
          client?.gone();
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
    );
    c.req.raw.signal.addEventListener("abort", () => client?.gone(), { once: true });
    return new Response(body, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",
      },
    });
  });

  return routes;
}
