// `./skein start` on a fresh clone: the wrapper fills Node's compile cache first
// (src/cli/warm-cache.ts), so the server compiles no TypeScript itself. A .ts file the fill missed
// is compiled by Node's type stripper, a WebAssembly module that then stays in the server: a fresh
// clone idled at 112 MB instead of 96 (issue 18's target is 100) while `db/dialects/sqlite-notify.ts`
// was missing from the fill. This starts the server through the wrapper with an empty cache and
// Node's compile-cache trace on, and lists any module it had to compile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freshDatabase } from "../support/server.ts";
import { freePort } from "../support/postgres-cluster.ts";

const root = path.resolve(import.meta.dirname, "../..");

test("a server started by ./skein on an empty compile cache compiles none of Skein's TypeScript itself", { timeout: 120_000 }, async () => {
  const database = await freshDatabase();
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "skein-compile-cache-"));
  const port = await freePort();
  const child = spawn(path.join(root, "skein"), ["start"], {
    cwd: root,
    env: {
      ...process.env,
      ...database.env,
      NODE_COMPILE_CACHE: cache,
      NODE_DEBUG_NATIVE: "COMPILE_CACHE",
      PORT: String(port),
      BIND: "127.0.0.1",
      LOCAL_DOMAIN: `127.0.0.1:${port}`,
      LOG_LEVEL: "warning",
      SKEIN_ENV: "test",
      SKEIN_STOP_ON_STDIN_CLOSE: "1",
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let trace = "";
  child.stdout!.on("data", (d) => (trace += d));
  child.stderr!.on("data", (d) => (trace += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 90_000;
    for (;;) {
      assert.equal(child.exitCode, null, `the server exited: ${trace.slice(-2000)}`);
      assert.ok(Date.now() < deadline, "the server answers /health within 90 s");
      if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // What a server loads on its first requests: the client API, and federation (on first use).
    assert.equal((await fetch(`${base}/api/v2/instance`)).status, 200);
    assert.equal((await fetch(`${base}/.well-known/webfinger?resource=acct:nobody@127.0.0.1:${port}`)).status, 404);
  } finally {
    child.stdin!.end();
    child.kill("SIGTERM");
    await exited;
    await database.drop();
    fs.rmSync(cache, { recursive: true, force: true });
  }
  const compiled = [...trace.matchAll(/no transpile cache for StrippedTypeScript (\S+)/g)].map((m) => m[1]);
  assert.ok(/retrieving transpile cache for StrippedTypeScript/.test(trace), "the trace shows the server reading its modules from the cache");
  assert.deepEqual(compiled, [], "modules the server compiled itself (add them to src/cli/warm-cache.ts)");
});
