// Requests Node's HTTP parser refuses before the app sees them: a request line or headers over
// Node's 16 KB limit, bad syntax, a request that took too long. Node's own answer closes the
// socket at once, with the rest of the client's body unread, so the kernel resets the connection
// and the client sees EPIPE or ECONNRESET instead of the 431 or 400 telling it why (the same
// "lingering close" as http/unread-body.ts, one level down). Here the answer is written in
// Mastodon's error shape, then what the client is still sending is read and dropped — at most
// 1 MiB and 5 s (1 s for a request cut off for its time) — before the socket is closed.
import { STATUS_CODES, type Server } from "node:http";
import type { Duplex } from "node:stream";

const LINGER_BYTES = 1024 * 1024;
const LINGER_MS = 5_000;
/**
 * A request cut off for taking too long is a slow client and gets little more time — but not
 * none: closing a socket with the client's bytes still unread makes the kernel send a reset,
 * which can reach the client before it has read the 408, and then it never learns why.
 */
const TIMED_OUT_LINGER_MS = 1_000;

const REASONS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, "Request line or headers too large"],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "Request timed out"],
};

export function answerClientErrors(server: Server): void {
  /** Sockets answered and lingering: Node's failed parser reports every later chunk again. */
  const answered = new WeakSet<Duplex>();
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (answered.has(socket)) return;
    // The connection is already gone, or an answer has begun: nothing sensible can be written.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    answered.add(socket);
    const [status, message] = REASONS[error.code ?? ""] ?? [400, "Bad request"];
    const body = JSON.stringify({ error: message });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    linger(socket, error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? TIMED_OUT_LINGER_MS : LINGER_MS);
  });
}

/** Reads and drops what arrives until the client closes, or the bounds are reached. */
function linger(socket: Duplex, ms: number): void {
  let read = 0;
  const stop = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(stop, ms);
  socket.on("data", (chunk: Buffer) => {
    read += chunk.length;
    if (read > LINGER_BYTES) stop();
  });
  socket.once("end", stop);
  socket.once("close", () => clearTimeout(timer));
  socket.on("error", () => {});
  socket.resume();
}
