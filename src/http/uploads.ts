// Multipart uploads, streamed to disk (busboy) with a byte limit per file, never held whole in
// memory. The text fields beside the files come back as ordinary parameters (params.ts rules).
// Used by update_credentials (avatar, header) and usable by any other upload route.
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type busboy from "busboy";
import type { Context } from "hono";
import { ApiError } from "./errors.ts";
import { paramsFromEntries, readParams, type Params } from "./params.ts";

export interface ReceivedFile {
  field: string;
  /** Where the bytes are on disk until cleanup(). */
  path: string;
  /** As the client named it (never used to name anything of ours). */
  filename: string;
  /** As the client declared it: a hint only, the pipeline sniffs the bytes. */
  mime: string;
  size: number;
}

export interface ReceivedUploads {
  /** The files that were sent, by field. */
  files: Record<string, ReceivedFile | undefined>;
  /** Every other field, as readParams gives them. */
  params: Params;
  /** Removes the temporary files; call it in `finally`. */
  cleanup(): Promise<void>;
}

/** Text fields of an upload form: enough for update_credentials' fields and source[…]. */
const MAX_TEXT_FIELDS = 200;
const MAX_FIELD_BYTES = 64 * 1024;
/** Requests that may carry files past the app's 1 MiB body limit (each file has its own limit here). */
const UPLOAD_ROUTES: readonly { method: string; path: RegExp }[] = [
  { method: "PATCH", path: /^\/api\/v1\/accounts\/update_credentials\/?$/ },
  { method: "POST", path: /^\/api\/v[12]\/media\/?$/ },
  { method: "PUT", path: /^\/api\/v1\/media\/[^/]+\/?$/ },
];

/** Whether a request's body is bounded by receiveUploads' per-file limits rather than the app-wide one. */
export function isUploadRoute(method: string, pathname: string): boolean {
  return UPLOAD_ROUTES.some((r) => r.method === method && r.path.test(pathname));
}

export function isMultipart(c: Context): boolean {
  return (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase() === "multipart/form-data";
}

let busboyModule: Promise<{ default: typeof busboy }> | undefined;

/**
 * Reads a request that may carry files in the fields `limits` names (field → most bytes
 * allowed). A file over its limit → 413, a malformed body → 400; files in other fields are
 * read and thrown away. A request that is not multipart gives its parameters and no files.
 */
export async function receiveUploads(c: Context, limits: Record<string, number>): Promise<ReceivedUploads> {
  if (!isMultipart(c)) return { files: {}, params: await readParams(c), cleanup: async () => {} };
  const body = c.req.raw.body;
  if (!body) throw new ApiError(400, "The request body is not a valid form");
  const dir = await mkdtemp(path.join(tmpdir(), "skein-upload-"));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const files: Record<string, ReceivedFile | undefined> = {};
  const entries: [string, string][] = [];
  const largest = Math.max(1, ...Object.values(limits));
  try {
    // busboy is imported on the first multipart request: an idle server has parsed none.
    const { default: makeParser } = await (busboyModule ??= import("busboy"));
    let parser: busboy.Busboy;
    try {
      parser = makeParser({
        headers: { "content-type": c.req.header("content-type") ?? "" },
        limits: { fields: MAX_TEXT_FIELDS, fieldSize: MAX_FIELD_BYTES, fileSize: largest, files: Object.keys(limits).length + 4, parts: MAX_TEXT_FIELDS + 10 },
      });
    } catch (error) {
      // A multipart Content-Type without a boundary (or with a malformed one): the client's mistake.
      throw new ApiError(400, `The request body is not a valid form (${(error as Error).message.slice(0, 100)})`);
    }
    const writes: Promise<void>[] = [];
    let failure: Error | null = null;
    const fail = (error: Error) => {
      failure ??= error;
    };
    parser.on("field", (name, value, info) => {
      if (info.valueTruncated) fail(new ApiError(422, `Validation failed: ${name.slice(0, 100)} is too long`));
      else entries.push([name, value]);
    });
    const outputs: WriteStream[] = [];
    parser.on("file", (name, stream, info) => {
      const limit = limits[name];
      if (limit === undefined || files[name]) {
        stream.resume();
        return;
      }
      const target = path.join(dir, `${Object.keys(files).length}-${name.replace(/[^a-z0-9_]/gi, "_").slice(0, 40)}`);
      const file: ReceivedFile = { field: name, path: target, filename: (info.filename ?? "").slice(0, 255), mime: (info.mimeType ?? "").slice(0, 100), size: 0 };
      files[name] = file;
      const out = createWriteStream(target);
      outputs.push(out);
      writes.push(new Promise<void>((resolve) => {
        out.on("close", resolve);
        out.on("error", (error) => fail(error));
      }));
      const tooLarge = () => new ApiError(413, `${name} is too large (the limit is ${formatLimit(limit)})`);
      let over = false;
      // The parser's stream is never destroyed (busboy would wait on it for ever): past the limit,
      // its bytes are read and dropped while the rest of the body is parsed.
      stream.on("data", (chunk: Buffer) => {
        if (over) return;
        file.size += chunk.length;
        if (file.size > limit) {
          over = true;
          fail(tooLarge());
          out.destroy();
          stream.resume();
          return;
        }
        if (!out.write(chunk)) {
          stream.pause();
          out.once("drain", () => stream.resume());
        }
      });
      stream.on("limit", () => {
        over = true;
        fail(tooLarge());
        out.destroy();
        // It may be paused waiting for a "drain" the destroyed file will never send.
        stream.resume();
      });
      stream.on("end", () => {
        if (!over) out.end();
      });
      // The part was cut off or malformed: the body is at fault, not the server.
      stream.on("error", (error: Error) => {
        fail(new ApiError(400, `The request body is not a valid form (${error.message.slice(0, 100)})`));
        out.destroy();
      });
    });
    parser.on("partsLimit", () => fail(new ApiError(422, "Too many parameters")));
    parser.on("filesLimit", () => fail(new ApiError(422, "Too many files")));
    parser.on("fieldsLimit", () => fail(new ApiError(422, "Too many parameters")));
    try {
      await pipeline(Readable.fromWeb(body as import("node:stream/web").ReadableStream), parser);
    } catch (error) {
      if (!failure) fail(new ApiError(400, `The request body is not a valid form (${(error as Error).message.slice(0, 100)})`));
      // A body cut off in the middle of a file leaves that file's stream open: its bytes are not wanted.
      for (const out of outputs) out.destroy();
    }
    await Promise.all(writes);
    if (failure) throw failure;
    return { files, params: paramsFromEntries(entries), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function formatLimit(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.floor(bytes / 1024 / 1024)} MB` : `${Math.floor(bytes / 1024)} KB`;
}

/** One file field (the brief's simple shape): the file or null, the other fields, cleanup. */
export async function receiveUpload(c: Context, options: { field: string; maxBytes: number }): Promise<{ file: ReceivedFile | null; params: Params; cleanup(): Promise<void> }> {
  const received = await receiveUploads(c, { [options.field]: options.maxBytes });
  return { file: received.files[options.field] ?? null, params: received.params, cleanup: received.cleanup };
}
