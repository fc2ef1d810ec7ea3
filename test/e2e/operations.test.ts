// What an operator sees: /metrics in Prometheus format, `./skein queue status`, and the worker
// role's refusal on SQLite.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { startServer, databaseKind, type TestServer } from "../support/server.ts";
import { tokenFor } from "../support/admin-clients.ts";
import { eventually } from "../support/federation-fleet.ts";

let server: TestServer;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

test("GET /metrics speaks Prometheus' text format", async () => {
  const response = await fetch(`${server.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const body = await response.text();
  assert.match(body, /^# TYPE skein_queue_ready_jobs gauge$/m);
  const rss = /^skein_process_resident_memory_bytes (\d+)$/m.exec(body);
  assert.ok(rss && Number(rss[1]) > 10_000_000, "the resident memory is reported in bytes");
  // The delivery engine's memory: its budget, what it holds, and its threads (none before a delivery).
  assert.match(body, /^skein_memory_target_bytes 536870912$/m, "MEMORY_TARGET's default, 512 MB");
  assert.match(body, /^skein_delivery_limit\{limit="concurrency"\} \d+$/m);
  assert.match(body, /^skein_delivery_limit\{limit="threads"\} \d+$/m);
  // Far below its target, the engine may hold all it is allowed.
  const concurrency = /^skein_delivery_limit\{limit="concurrency"\} (\d+)$/m.exec(body)?.[1];
  assert.equal(/^skein_delivery_allowed (\d+)$/m.exec(body)?.[1], concurrency, "all its deliveries allowed below the target");
  assert.match(body, /^skein_memory_pool_releases_total 0$/m, "far below its target, no memory given back yet");
  assert.match(body, /^skein_delivery_held\{state="in_flight"\} 0$/m);
  assert.match(body, /^skein_delivery_held\{state="waiting"\} 0$/m);
  assert.match(body, /^skein_delivery_threads_running 0$/m, "sender threads start with work to do");
  assert.match(body, /^# TYPE skein_delivery_thread_heap_used_bytes gauge$/m);
  assert.match(body, /^# TYPE skein_delivery_open_connections gauge$/m);
  assert.match(body, /^skein_process_external_memory_bytes \d+$/m);
});

test("federation loads on first use, and the requests that arrive while it loads get their answers", async () => {
  const loaded = async () => /^skein_federation_loaded (\d)$/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1];
  const { token } = await tokenFor(server, "opal", await server.createAccount("opal"), "write");
  assert.equal(await loaded(), "0", "a server nobody federated with has not loaded Fedify");
  const host = new URL(server.url).host;
  const [webfinger, actor, inbox, post] = await Promise.all([
    fetch(`${server.url}/.well-known/webfinger?resource=acct:opal@${host}`),
    fetch(`${server.url}/users/opal`, { headers: { Accept: "application/activity+json" } }),
    // Unsigned: refused by the inbox gate, not by a half-loaded server.
    fetch(`${server.url}/users/opal/inbox`, { method: "POST", headers: { "Content-Type": "application/activity+json" }, body: JSON.stringify({ type: "Follow" }) }),
    // The server's first post, with a link: its preview's HTML parser loads while the stack does
    // (both use htmlparser2: domain/cards/html-parser.ts).
    fetch(`${server.url}/api/v1/statuses`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ status: "read https://preview.invalid/page" }) }),
  ]);
  assert.equal(webfinger.status, 200);
  assert.equal((await webfinger.json()).subject, `acct:opal@${host}`);
  assert.equal(actor.status, 200);
  assert.equal((await actor.json()).preferredUsername, "opal");
  assert.equal(inbox.status, 401, await inbox.text());
  assert.equal(post.status, 200, await post.text());
  assert.equal(await loaded(), "1");
});

test("the admin API, the admin console, the settings and the sign-in pages load on their first request; requests meanwhile wait for them", async () => {
  // None of these groups has been asked for yet in this server (http/lazy-routes.ts).
  const { token } = await tokenFor(server, "warden", await server.createAccount("warden", { admin: true }), "read admin:read");
  const auth = { Authorization: `Bearer ${token}` };
  const [accounts, accountsV2, consolePage, settings, missing, signIn, invite, noAuthPage] = await Promise.all([
    fetch(`${server.url}/api/v1/admin/accounts?username=warden`, { headers: auth }),
    fetch(`${server.url}/api/v2/admin/accounts?username=warden`, { headers: auth }),
    fetch(`${server.url}/admin`, { redirect: "manual" }),
    fetch(`${server.url}/settings/profile`, { redirect: "manual" }),
    fetch(`${server.url}/api/v1/admin/no-such-thing`, { headers: auth }),
    fetch(`${server.url}/auth/sign_in`),
    fetch(`${server.url}/invite/no-such-code`),
    fetch(`${server.url}/auth/no-such-page`, { headers: { Accept: "text/html" } }),
  ]);
  assert.equal(accounts.status, 200, await accounts.clone().text());
  assert.deepEqual((await accounts.json()).map((a: { username: string }) => a.username), ["warden"]);
  assert.equal(accountsV2.status, 200);
  assert.deepEqual((await accountsV2.json()).map((a: { username: string }) => a.username), ["warden"]);
  // Signed out: both groups' own guards answer, sending the browser to sign in.
  assert.equal(consolePage.status, 303);
  assert.match(consolePage.headers.get("location") ?? "", /^\/auth\/sign_in/);
  assert.equal(settings.status, 303);
  assert.equal(settings.headers.get("location"), "/auth/sign_in?return_to=%2Fsettings%2Fprofile");
  // A path the admin API does not have goes on to the routes after it: the API's ordinary 404.
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { error: "Record not found" });
  // The sign-in form, an invite link, and an /auth path no page has: for a browser, the site's page saying so.
  assert.equal(signIn.status, 200);
  assert.match(await signIn.text(), /name="password"/);
  assert.equal(invite.status, 404);
  assert.match(await invite.text(), /This invite does not exist/);
  assert.equal(noAuthPage.status, 404);
  assert.match(await noAuthPage.text(), /There is nothing at this address/);
  // Without a token the admin API refuses as before.
  assert.equal((await fetch(`${server.url}/api/v1/admin/accounts`)).status, 401);
});

test("requests over MEMORY_TARGET's bound wait their turn, are shown waiting in /metrics, and all complete", async () => {
  const { token } = await tokenFor(server, "quill", await server.createAccount("quill"), "read write");
  const gauge = async (name: string) => Number(new RegExp(`^${name}\\{lane="api"\\} (\\d+)$`, "m").exec(await (await fetch(`${server.url}/metrics`)).text())?.[1]);
  const limit = await gauge("skein_http_requests_limit");
  assert.equal(limit, 64, "64 API requests at once under the default 512 MB");
  // As many posts as the bound allows, each with a body still on its way: each holds its place in a handler.
  const bodies: ReadableStreamDefaultController<Uint8Array>[] = [];
  const posts = Array.from({ length: limit }, (_, i) =>
    fetch(`${server.url}/api/v1/statuses`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: new ReadableStream<Uint8Array>({
        start: (c) => {
          bodies[i] = c;
          c.enqueue(new TextEncoder().encode(`{"status":"held post ${i}`));
        },
      }),
      duplex: "half",
    } as RequestInit),
  );
  await eventually(async () => (await gauge("skein_http_requests_running")) === limit || null, 20_000, "every slot taken");
  // One more, and another server fetching an actor meanwhile: the first waits, the second has its own lane.
  const more = fetch(`${server.url}/api/v1/accounts/verify_credentials`, { headers: { Authorization: `Bearer ${token}` } });
  await eventually(async () => (await gauge("skein_http_requests_waiting")) === 1 || null, 20_000, "the request over the bound waiting");
  const actor = await fetch(`${server.url}/users/quill`, { headers: { Accept: "application/activity+json" } });
  assert.equal(actor.status, 200);
  for (const body of bodies) {
    body.enqueue(new TextEncoder().encode(`"}`));
    body.close();
  }
  const answers = await Promise.all(posts);
  assert.deepEqual([...new Set(answers.map((a) => a.status))], [200]);
  const texts = (await Promise.all(answers.map((a) => a.json()))).map((s: { content: string }) => s.content).sort();
  assert.equal(texts.length, limit);
  assert.match(texts[0], /held post/);
  const waited = await more;
  assert.equal(waited.status, 200);
  assert.equal((await waited.json()).username, "quill");
  assert.equal(await gauge("skein_http_requests_waiting"), 0);
});

test("./skein queue status reads the queue beside the running server", async () => {
  const result = await server.cli(["queue", "status"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /QUEUE\s+READY[\s\S]*deliveries/);
  const usage = await server.cli(["queue", "purge"]);
  assert.equal(usage.code, 2);
});

test("./skein worker: refused on SQLite; on PostgreSQL it runs beside the server and stops on SIGTERM", async () => {
  if (databaseKind === "sqlite") {
    const result = await server.cli(["worker"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /separate workers need PostgreSQL/);
    return;
  }
  const child = spawn(process.execPath, [path.resolve(import.meta.dirname, "../../src/cli/main.ts"), "worker", "--concurrency", "4"], {
    env: { ...process.env, ...server.env, LOG_LEVEL: "info" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const deadline = Date.now() + 30_000;
  while (!/worker running: up to 4 deliveries at once/.test(stderr)) {
    assert.ok(child.exitCode === null && Date.now() < deadline, `the worker did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGTERM");
  const code = await new Promise((r) => child.once("exit", r));
  assert.equal(code, 0);
});
