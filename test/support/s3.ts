// A real S3-compatible server for tests: s3rver (npm) on 127.0.0.1, a free port, a temporary
// folder, silent. Objects are readable without credentials (s3rver has no ACLs, like a bucket
// with a public-read policy) and the bucket allows cross-origin GET/HEAD, so `fetch(publicUrl)`
// works as it would against a real public bucket. storageDrivers() lets an e2e file run once
// per media driver.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import type { S3Config } from "../../src/config/media-config.ts";

const root = path.resolve(import.meta.dirname, "../..");

// s3rver runs in its own process, with OpenSSL's legacy provider: it makes ListObjectsV2
// continuation tokens with DES, which Node 24's OpenSSL 3 refuses otherwise (every listing of
// more than 1000 objects would fail). It stops when the test process's pipe to it closes.
const CHILD = `
const S3rver = require("s3rver");
const [directory, bucket, cors] = process.argv.slice(1);
const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [cors] }] });
server.run().then(({ port }) => process.stdout.write(JSON.stringify({ port }) + "\\n"));
process.stdin.on("end", () => server.close().finally(() => process.exit(0)));
process.stdin.resume();
`;

const CORS = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export interface TestS3 {
  /** The server's S3_* settings, for startServer({ env }). */
  env: Record<string, string>;
  /** The same as Skein's config.media.s3, for a driver made in the test process. */
  config: S3Config;
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

export async function startS3(bucket = "skein-media"): Promise<TestS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "skein-s3rver-"));
  const child = spawn(process.execPath, ["--openssl-legacy-provider", "-e", CHILD, directory, bucket, CORS], { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (data) => {
      out += data;
      const line = /^(\{.*\})\n/.exec(out);
      if (line) resolve((JSON.parse(line[1]) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code} before it listened`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    env: {
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: "us-east-1",
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: "S3RVER",
      S3_FORCE_PATH_STYLE: "true",
    },
    config: { bucket, endpoint, region: "us-east-1", accessKeyId: "S3RVER", secretAccessKey: "S3RVER", aliasHost: null, forcePathStyle: true },
    endpoint,
    bucket,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.stdin!.end();
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

export interface StorageDriverSetup {
  name: "local" | "s3";
  /** The server environment for this driver (none for local: DATA_DIR/media), and its cleanup. */
  setup(): Promise<{ env: Record<string, string>; stop(): Promise<void> }>;
}

/**
 * Both media drivers, for an e2e file to run its server once with each:
 * `for (const driver of storageDrivers()) describe(driver.name, () => { … driver.setup() … })`.
 */
export function storageDrivers(): StorageDriverSetup[] {
  return [
    { name: "local", setup: async () => ({ env: {}, stop: async () => {} }) },
    {
      name: "s3",
      setup: async () => {
        const s3 = await startS3();
        return { env: s3.env, stop: () => s3.stop() };
      },
    },
  ];
}
