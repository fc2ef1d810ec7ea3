// /api/v1/media and /api/v2/media: uploading media, reading, describing and deleting one's own.
// The body is streamed to a temporary file (http/uploads.ts: busboy, a byte limit per file,
// never held in memory) that is removed when the request ends, whatever happens.
//
// Processing runs in the `media` queue. POST /api/v2/media answers 200 when an image was
// processed within a moment, else 202 (video, audio, animated GIFs, a busy queue) and clients
// poll GET /api/v1/media/:id, which answers 206 until the file is ready. POST /api/v1/media waits
// for processing (bounded) as Mastodon's synchronous v1 does.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { invalidParam, str } from "../../params.ts";
import { ApiError } from "../../errors.ts";
import { receiveUploads, type ReceivedFile } from "../../uploads.ts";
import { parseId } from "../../../util/ids.ts";
import { MediaError } from "../../../media/types.ts";
import { MEDIA_LIMITS } from "../../../media/limits.ts";
import { RateLimiter } from "../../../domain/auth/rate-limiter.ts";
import type { ReceivedMedia } from "../../../domain/media/media-service.ts";
import type { MediaRow } from "../../../domain/media/media-service.ts";
import { toMediaAttachment } from "../../../convert/mastodon/media.ts";
import { convertContextOf } from "../../../convert/mastodon/context.ts";

/** The largest upload of any type: the stream is cut here; the type's own limit is checked once sniffed. */
const MAX_UPLOAD_BYTES = Math.max(MEDIA_LIMITS.imageBytes, MEDIA_LIMITS.videoBytes);
const MAX_THUMBNAIL_BYTES = MEDIA_LIMITS.imageBytes;
/** How long v1 waits for processing (Mastodon's v1 is synchronous), and v2 for a still image. */
const V1_WAIT_MS = 60_000;
const V2_IMAGE_WAIT_MS = 5_000;

/**
 * Uploads per account: 30 in 30 minutes, Mastodon's own throttle. Each upload costs a transcode
 * and storage until it is pruned; a person posting four photos a few times is far below it.
 */
export const mediaUploads = new RateLimiter({ limit: 30, windowMs: 30 * 60 * 1000 });

export const mediaV1Routes = new Hono<AppEnv>();
export const mediaV2Routes = new Hono<AppEnv>();

function throttled(c: Context<AppEnv>, accountId: string): Response | null {
  const state = mediaUploads.hit(`media:${accountId}`);
  c.header("X-RateLimit-Limit", String(mediaUploads.max));
  c.header("X-RateLimit-Remaining", String(state.remaining));
  c.header("X-RateLimit-Reset", new Date(state.resetAt).toISOString());
  if (state.retryAfterMs <= 0) return null;
  c.header("Retry-After", String(Math.ceil(state.retryAfterMs / 1000)));
  return c.json({ error: "Too many requests" }, 429);
}

/** A refusal of the pipeline's as the API answers it: too large → 413, anything else → 422. */
async function refusingMedia<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MediaError) throw new ApiError(error.kind === "too_large" ? 413 : 422, `Validation failed: ${error.message}`);
    throw error;
  }
}

const received = (file: ReceivedFile): ReceivedMedia => ({ path: file.path, size: file.size, filename: file.filename, mime: file.mime });

function render(c: Context<AppEnv>, row: MediaRow) {
  return toMediaAttachment(row, false, convertContextOf(c.get("services")));
}

/** An upload that could not be processed: 422 with what went wrong (Mastodon's processing error). */
function failed(row: MediaRow): ApiError {
  return new ApiError(422, `Validation failed: ${row.processing_error ?? "The file could not be processed"}`);
}

async function upload(c: Context<AppEnv>, version: 1 | 2): Promise<Response> {
  const { account } = currentUser(c);
  const limited = throttled(c, account.id);
  if (limited) return limited;
  const services = c.get("services");
  const form = await receiveUploads(c, { file: MAX_UPLOAD_BYTES, thumbnail: MAX_THUMBNAIL_BYTES });
  let row: MediaRow;
  try {
    const file = form.files.file;
    if (!file) throw new ApiError(422, "Validation failed: File can't be blank");
    row = await refusingMedia(() =>
      services.media.upload(account, received(file), {
        description: str(form.params, "description", 10_000) ?? null,
        focus: str(form.params, "focus", 100) ?? null,
        thumbnail: form.files.thumbnail ? received(form.files.thumbnail) : null,
      }),
    );
  } finally {
    await form.cleanup();
  }
  const still = row.type === "image" && row.media_type !== "image/gif";
  const waitMs = version === 1 ? V1_WAIT_MS : still ? V2_IMAGE_WAIT_MS : 0;
  if (waitMs > 0) row = await services.media.waitProcessed(row.id, waitMs);
  if (row.processing === "failed") {
    // Nothing of a refused upload stays behind (its files went when it failed).
    await services.media.delete(account, row.id).catch(() => undefined);
    throw failed(row);
  }
  return c.json(render(c, row), row.processing === "done" ? 200 : 202);
}

function mediaId(c: Context<AppEnv>): string {
  const id = parseId(c.req.param("id") ?? "");
  if (!id) throw new ApiError(404, "Record not found");
  return id;
}

mediaV1Routes.post("/", requireScope("write:media"), (c) => upload(c, 1));
mediaV2Routes.post("/", requireScope("write:media"), (c) => upload(c, 2));

mediaV1Routes.get("/:id", requireScope("write:media"), async (c) => {
  const row = await c.get("services").media.get(currentUser(c).account, mediaId(c));
  if (row.processing === "failed") throw failed(row);
  // 206 Partial Content while processing, as Mastodon answers; clients poll until 200.
  return c.json(render(c, row), row.processing === "done" ? 200 : 206);
});

mediaV1Routes.put("/:id", requireScope("write:media"), async (c) => {
  const { account } = currentUser(c);
  const services = c.get("services");
  const id = mediaId(c);
  // Refused before the body is read: someone else's id is "not found" without receiving a file.
  await services.media.get(account, id);
  const form = await receiveUploads(c, { thumbnail: MAX_THUMBNAIL_BYTES });
  try {
    const row = await refusingMedia(() =>
      services.media.update(account, id, {
        description: str(form.params, "description", 10_000),
        focus: str(form.params, "focus", 100),
        thumbnail: form.files.thumbnail ? received(form.files.thumbnail) : undefined,
      }),
    );
    if (row.processing === "failed") throw failed(row);
    return c.json(render(c, row), 200);
  } finally {
    await form.cleanup();
  }
});

mediaV1Routes.delete("/:id", requireScope("write:media"), async (c) => {
  const services = c.get("services");
  const { account } = currentUser(c);
  const row = await services.media.get(account, mediaId(c));
  // Mastodon's ValidationError (with details): an attached upload goes only with its status.
  if (row.status_id !== null) throw invalidParam("status_id", "is taken: the media attachment is used by a status");
  if (row.scheduled_status_id !== null) throw invalidParam("scheduled_status_id", "is taken: the media attachment is reserved for a scheduled status");
  await services.media.delete(account, row.id);
  return c.json({});
});
