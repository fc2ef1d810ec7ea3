// Every failure leaves as Mastodon's error shape, {"error": "..."}, with the status Mastodon
// would use. Unexpected errors are logged and answered with a 500 that says nothing internal.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { getLogger } from "@logtape/logtape";
import { DomainError } from "../domain/errors.ts";
import { OAuthError } from "../domain/oauth/oauth-service.ts";

const logger = getLogger(["skein", "http"]);

/** Per-parameter problems, the `details` of Mastodon's ValidationError: `{"limit": [{"error": "ERR_INVALID", "description": …}]}`. */
export type ErrorDetails = Record<string, { error: string; description: string }[]>;

/** An error raised by a handler with the status and message the client should get. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly headers: Record<string, string>;
  readonly details: ErrorDetails | undefined;
  constructor(status: ContentfulStatusCode, message: string, headers: Record<string, string> = {}, details?: ErrorDetails) {
    super(message);
    this.status = status;
    this.headers = headers;
    this.details = details;
  }
}

const STATUS_OF: Record<DomainError["kind"], ContentfulStatusCode> = {
  validation: 422,
  not_found: 404,
  forbidden: 403,
  unauthorized: 401,
  conflict: 422,
  rate_limited: 429,
};

export function handleError(error: Error, c: Context): Response {
  if (error instanceof ApiError) {
    for (const [k, v] of Object.entries(error.headers)) c.header(k, v);
    return c.json(error.details ? { error: error.message, details: error.details } : { error: error.message }, error.status);
  }
  if (error instanceof DomainError) return c.json({ error: error.message }, STATUS_OF[error.kind]);
  if (error instanceof OAuthError) {
    return c.json({ error: error.code, error_description: error.message }, error.status as ContentfulStatusCode);
  }
  if (error instanceof HTTPException) {
    // Hono raises these for bodies over the limit and malformed input it parses itself.
    const status = error.status as ContentfulStatusCode;
    return c.json({ error: error.message || defaultMessage(status) }, status);
  }
  if (clientWentAway(error, c)) {
    // The body stopped arriving: the client hung up, or the server cut it off for being too slow
    // (http-server.ts). Nobody reads this answer, and it is no fault of the server's.
    logger.debug("{method} {path}: the request was not received in full", { method: c.req.method, path: c.req.path });
    return c.json({ error: "The request was not received in full" }, 400);
  }
  logger.error("Unhandled error in {method} {path}: {error}", { method: c.req.method, path: c.req.path, error });
  return c.json({ error: "Internal server error" }, 500);
}

/** Node's error for a request body cut short (`aborted`, ECONNRESET), or a request whose connection closed. */
function clientWentAway(error: Error, c: Context): boolean {
  return ((error as NodeJS.ErrnoException).code === "ECONNRESET" && error.message === "aborted") || c.req.raw.signal?.aborted === true;
}

export function defaultMessage(status: number): string {
  switch (status) {
    case 400: return "Bad request";
    case 401: return "The access token is invalid";
    case 403: return "This action is not allowed";
    case 404: return "Record not found";
    case 413: return "Request body too large";
    case 422: return "Validation failed";
    case 429: return "Too many requests";
    default: return "Error";
  }
}
