// The S3-compatible media driver (AWS S3, MinIO, Garage, Ceph, R2, s3rver in tests) over
// @aws-sdk/client-s3. Objects are public-read by the bucket's policy and fetched by clients from
// the bucket or a CDN in front of it (S3_ALIAS_HOST); Skein reads them back only for processing,
// the cache and checks.
//
// - Every request has deadlines (connect, idle socket, whole request), so a dead or hanging S3
//   fails an operation within seconds instead of holding a request or a job forever.
// - Bodies are always sent with a known length, in one PutObject (media stay far below the 5 GB
//   single-PUT limit): bytes as they are, files streamed from disk, and a stream of unknown
//   length spooled to a temporary file first (bounded memory; a failing stream uploads nothing).
//   S3 makes a PUT visible whole or not at all.
// - Checksums only where S3 requires them: S3-compatible servers differ in the newer trailing
//   checksum encodings, and the ETag (MD5 of a single-PUT object) already validates the bytes.
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import type { S3Config } from "../config/media-config.ts";
import {
  RangeNotSatisfiableError,
  assertByteRange,
  type ByteRange,
  type MediaStorage,
  type OpenedObject,
  type PutOptions,
  type StorageKey,
  type StoredObjectInfo,
} from "./media-storage.ts";
import { IMMUTABLE, assertStorageKey, assertStoragePrefix, assertTypeMatchesKey, contentTypeForKey, isStorageKey } from "./keys.ts";

export interface S3Timeouts {
  /** Until the TCP (and TLS) connection is made. */
  connectMs: number;
  /** The longest silence on an open connection, in either direction. */
  idleMs: number;
  /** From sending the request until the response's headers (a 100 MB upload included). */
  requestMs: number;
}

const DEFAULT_TIMEOUTS: S3Timeouts = { connectMs: 5_000, idleMs: 30_000, requestMs: 600_000 };
/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000;
const PUT_ATTEMPTS = 3;

interface S3Error {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}
interface S3Sdk {
  sdk: typeof import("@aws-sdk/client-s3");
  client: S3Client;
  putClient: S3Client;
}

const statusOf = (e: unknown) => (e as S3Error)?.$metadata?.httpStatusCode;
const isNotFound = (e: unknown) => statusOf(e) === 404 || ["NoSuchKey", "NotFound"].includes((e as S3Error)?.name ?? "");
/** Worth another try: the network failed, S3 was busy, or it failed on its side. */
const isTransient = (e: unknown) => {
  const status = statusOf(e);
  return status === undefined || status === 429 || status >= 500;
};

export class S3MediaStorage implements MediaStorage {
  readonly driver = "s3" as const;
  readonly #config: S3Config;
  readonly #clientConfig: S3ClientConfig;
  /** `putClient`: puts retry themselves (a stream cannot be sent twice; a file is opened again per attempt). */
  #loaded: Promise<S3Sdk> | null = null;
  readonly #spoolDir: string;

  /** `spoolDir`: where streams of unknown length wait before upload (default: the OS's temp folder). */
  constructor(config: S3Config, options: { timeouts?: Partial<S3Timeouts>; spoolDir?: string } = {}) {
    this.#config = config;
    this.#spoolDir = options.spoolDir ?? os.tmpdir();
    const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    const clientConfig: S3ClientConfig = {
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      ...(config.accessKeyId && config.secretAccessKey ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } } : {}),
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      requestHandler: {
        connectionTimeout: timeouts.connectMs,
        socketTimeout: timeouts.idleMs,
        requestTimeout: timeouts.requestMs,
        throwOnRequestTimeout: true,
      },
    };
    this.#clientConfig = clientConfig;
  }

  /**
   * The SDK and its clients, loaded on first use: the SDK costs ~0.25 s of CPU and some memory to
   * load, which a process that never touches media (a CLI command, a worker between jobs) need
   * not pay.
   */
  #sdk(): Promise<S3Sdk> {
    return (this.#loaded ??= import("@aws-sdk/client-s3").then((sdk) => ({
      sdk,
      client: new sdk.S3Client({ ...this.#clientConfig, maxAttempts: 3 }),
      putClient: new sdk.S3Client({ ...this.#clientConfig, maxAttempts: 1 }),
    })));
  }

  async put(key: StorageKey, body: Uint8Array | Readable | { file: string }, options: PutOptions): Promise<{ size: number }> {
    assertStorageKey(key);
    assertTypeMatchesKey(key, options.contentType);
    if (body instanceof Uint8Array) {
      await this.#putWithRetries(key, options, () => body, body.byteLength);
      return { size: body.byteLength };
    }
    if (typeof (body as Readable).pipe !== "function") return this.#putFile(key, (body as { file: string }).file, options);
    const spool = path.join(this.#spoolDir, `skein-s3-${randomBytes(12).toString("hex")}`);
    try {
      await fsp.mkdir(this.#spoolDir, { recursive: true });
      await pipeline(body as Readable, fs.createWriteStream(spool, { flags: "wx" }));
      return await this.#putFile(key, spool, options);
    } finally {
      await fsp.rm(spool, { force: true });
    }
  }

  async open(key: StorageKey, range?: ByteRange): Promise<OpenedObject | null> {
    assertStorageKey(key);
    if (range) assertByteRange(range);
    const { sdk, client } = await this.#sdk();
    let out;
    try {
      out = await client.send(
        new sdk.GetObjectCommand({ Bucket: this.#config.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end ?? ""}` } : {}) }),
      );
    } catch (e) {
      if (isNotFound(e)) return null;
      if (statusOf(e) === 416) {
        const info = await this.head(key);
        if (!info) return null;
        throw new RangeNotSatisfiableError(info.size);
      }
      throw e;
    }
    const stream = out.Body as Readable;
    const served = out.ContentRange ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(out.ContentRange) : null;
    const size = served ? Number(served[3]) : Number(out.ContentLength ?? 0);
    return {
      key,
      size,
      contentType: out.ContentType ?? contentTypeForKey(key),
      etag: out.ETag ?? "",
      lastModified: out.LastModified ?? new Date(0),
      stream,
      ...(range && served ? { range: { start: Number(served[1]), end: Number(served[2]) } } : {}),
    };
  }

  async head(key: StorageKey): Promise<StoredObjectInfo | null> {
    assertStorageKey(key);
    const { sdk, client } = await this.#sdk();
    try {
      const out = await client.send(new sdk.HeadObjectCommand({ Bucket: this.#config.bucket, Key: key }));
      return {
        key,
        size: Number(out.ContentLength ?? 0),
        contentType: out.ContentType ?? contentTypeForKey(key),
        etag: out.ETag ?? "",
        lastModified: out.LastModified ?? new Date(0),
      };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async delete(keys: readonly StorageKey[]): Promise<void> {
    for (const key of keys) assertStorageKey(key);
    const { sdk, client } = await this.#sdk();
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const out = await client.send(
        new sdk.DeleteObjectsCommand({ Bucket: this.#config.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      // Deleting a key that is not there succeeds in S3; anything listed here really failed.
      const failed = (out.Errors ?? []).filter((error) => error.Code !== "NoSuchKey");
      if (failed.length > 0) throw new Error(`S3 refused to delete ${failed.length} object(s), e.g. ${failed[0].Key}: ${failed[0].Code} ${failed[0].Message ?? ""}`.trim());
    }
  }

  async *list(prefix: string): AsyncIterable<{ key: StorageKey; size: number }> {
    assertStoragePrefix(prefix);
    const { sdk, client } = await this.#sdk();
    let token: string | undefined;
    do {
      const out = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: this.#config.bucket, ...(prefix ? { Prefix: prefix } : {}), ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of out.Contents ?? []) {
        // A shared bucket may hold other things; only Skein's keys are Skein's.
        if (object.Key && isStorageKey(object.Key)) yield { key: object.Key, size: Number(object.Size ?? 0) };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  publicUrl(key: StorageKey): string {
    assertStorageKey(key);
    const { aliasHost, bucket, region, forcePathStyle } = this.#config;
    if (aliasHost) return `https://${aliasHost}/${key}`;
    const endpoint = this.#config.endpoint ?? `https://s3.${region}.amazonaws.com`;
    if (forcePathStyle) return `${endpoint}/${bucket}/${key}`;
    const url = new URL(endpoint);
    return `${url.protocol}//${bucket}.${url.host}/${key}`;
  }

  /** Stops the clients' keep-alive connections (tests, CLI commands that exit). */
  close(): void {
    void this.#loaded?.then(({ client, putClient }) => {
      client.destroy();
      putClient.destroy();
    });
  }

  async #putFile(key: StorageKey, file: string, options: PutOptions): Promise<{ size: number }> {
    const { size } = await fsp.stat(file);
    await this.#putWithRetries(key, options, () => fs.createReadStream(file), size);
    return { size };
  }

  async #putWithRetries(key: StorageKey, options: PutOptions, body: () => Uint8Array | Readable, size: number): Promise<void> {
    const { sdk, putClient } = await this.#sdk();
    for (let attempt = 1; ; attempt++) {
      const payload = body();
      try {
        await putClient.send(
          new sdk.PutObjectCommand({
            Bucket: this.#config.bucket,
            Key: key,
            Body: payload,
            ContentLength: size,
            ContentType: options.contentType,
            CacheControl: options.cacheControl ?? IMMUTABLE,
          }),
        );
        return;
      } catch (e) {
        if (typeof (payload as Readable).destroy === "function") (payload as Readable).destroy();
        if (attempt >= PUT_ATTEMPTS || !isTransient(e)) throw e;
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
  }
}
