// The streaming API of a web process: its hub (connections and delivery), WebSocket upgrades on
// the listening server, and the signals it receives from every process of the server through
// the channel that server/event-transport.ts sends them to — so a post made through any process
// reaches sockets held by any other.
import type { Server } from "node:http";
import { getLogger } from "@logtape/logtape";
import type { Runtime } from "./context.ts";
import { STREAM_CHANNEL } from "./event-transport.ts";
import { decodeSignal } from "../domain/streaming/signals.ts";
import { StreamRouter } from "../domain/streaming/stream-router.ts";
import { StreamingHub } from "../http/streaming/hub.ts";
import { attachWebSocketStreaming } from "../http/streaming/websocket.ts";

const logger = getLogger(["skein", "streaming"]);

export interface Streaming {
  hub: StreamingHub;
  /** Starts answering WebSocket upgrades on the listening server. */
  attach(server: Server): void;
  /** Resolves once signals from other processes arrive (bounded wait: never blocks start-up). */
  ready(timeoutMs?: number): Promise<void>;
  /** Closes every streaming connection and stops listening. Call before closing the server. */
  close(): Promise<void>;
}

export function createStreaming(runtime: Runtime): Streaming {
  const hub = new StreamingHub(runtime.services, new StreamRouter(runtime.stores));
  const stopListening = runtime.notifier.listen(STREAM_CHANNEL, (payload) => {
    const signal = decodeSignal(payload);
    if (signal) hub.receive(signal);
    else logger.warning("Ignored a malformed streaming signal: {payload}", { payload: payload.slice(0, 200) });
  });
  let detach = () => {};
  return {
    hub,
    attach(server) {
      detach = attachWebSocketStreaming(server, hub, runtime.services);
    },
    async ready(timeoutMs = 5000) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)));
      const late = await Promise.race([runtime.notifier.ready().then(() => false), timedOut]);
      clearTimeout(timer);
      if (late) logger.warning("Not yet listening for streaming signals from other processes; still trying");
    },
    async close() {
      stopListening();
      detach();
      await hub.close();
    },
  };
}
