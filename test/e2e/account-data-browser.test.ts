// The Export, Import and Delete account pages in a real Chromium (Debian's, headless), driven
// over the DevTools protocol with the `ws` package already in the tree: sign in through the
// redirect, download a CSV from the export page, upload a file with the import page's own form
// and watch its progress, delete the account. A screenshot of each page is kept as a test
// artifact (SKEIN_TEST_ARTIFACTS, default $TMPDIR/skein-artifacts/account-data/).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import WebSocket from "ws";
import { startServer, type TestServer } from "../support/server.ts";
import { freePort } from "../support/postgres-cluster.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { eventually } from "../support/federation-fleet.ts";

const artifacts = path.join(process.env.SKEIN_TEST_ARTIFACTS ?? path.join(os.tmpdir(), "skein-artifacts"), "account-data");
let server: TestServer;
let contract: ContractLog;
let chromium: ChildProcess;
let profile: string;
let page: Page;
let password: string;

/** One browser tab over the DevTools protocol: commands in order, answers by id. */
class Page {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private readonly socket: WebSocket;
  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on("message", (data) => {
      const message = JSON.parse(String(data));
      const waiter = message.id ? this.pending.get(message.id) : undefined;
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
    });
  }

  static async open(url: string): Promise<Page> {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    return new Page(socket);
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<any> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  async evaluate<T>(expression: string): Promise<T> {
    const result = await this.send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
    if (result.exceptionDetails) throw new Error(`${expression}: ${result.exceptionDetails.text}`);
    return result.result.value as T;
  }

  /** Runs `action` (a navigation or a form submission) and waits for the next page to be loaded there. */
  async navigating(action: () => Promise<unknown>, pathname: string): Promise<void> {
    const before = await this.evaluate<number>("performance.timeOrigin");
    await action();
    await eventually(async () => {
      const [origin, where, ready] = await this.evaluate<[number, string, string]>("[performance.timeOrigin, location.pathname, document.readyState]").catch(() => [before, "", ""] as [number, string, string]);
      return origin !== before && where === pathname && ready === "complete";
    }, 20_000, `the browser at ${pathname}`);
  }

  async goto(url: string): Promise<void> {
    await this.navigating(() => this.send("Page.navigate", { url }), new URL(url).pathname);
  }

  async screenshot(name: string): Promise<void> {
    const { data } = await this.send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true });
    fs.mkdirSync(artifacts, { recursive: true });
    fs.writeFileSync(path.join(artifacts, `${name}.png`), Buffer.from(data, "base64"));
  }

  close(): void {
    this.socket.close();
  }
}

before(async () => {
  server = await startServer({ env: { INSTANCE_TITLE: "Browser Test" } });
  contract = installContractCheck(server.url);
  password = await server.createAccount("alice");
  await server.createAccount("mallory");
  profile = fs.mkdtempSync(path.join(os.tmpdir(), "skein-chromium-"));
  const port = await freePort();
  chromium = spawn("chromium", ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", `--user-data-dir=${profile}`, `--remote-debugging-port=${port}`, "--window-size=1100,900", "about:blank"], { stdio: "ignore" });
  const version = await eventually(async () => (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as Promise<{ type: string; webSocketDebuggerUrl: string }[]>, 30_000, "chromium's DevTools endpoint");
  page = await Page.open(version.find((t) => t.type === "page")!.webSocketDebuggerUrl);
  await page.send("Page.enable");
  await page.send("Runtime.enable");
});

after(async () => {
  page?.close();
  chromium?.kill("SIGKILL");
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  assert.deepEqual(contract.violations, []);
  await server?.stop();
});

test("export page: signing in through the redirect, the files listed, a CSV downloaded", async () => {
  await page.navigating(() => page.send("Page.navigate", { url: `${server.url}/settings/export` }), "/auth/sign_in");
  await page.screenshot("sign-in");
  await page.navigating(
    () => page.evaluate(`(() => { document.querySelector("#login").value = "alice"; document.querySelector("#password").value = ${JSON.stringify(password)}; document.querySelector("form[action='/auth/sign_in'] button").click(); return true; })()`),
    "/settings/export",
  );
  const links = await page.evaluate<string[]>(`[...document.querySelectorAll("a[href$='.csv']")].map((a) => a.getAttribute("href"))`);
  assert.deepEqual(links, ["following_accounts", "follower_accounts", "lists", "blocked_accounts", "muted_accounts", "blocked_domains", "bookmarks"].map((n) => `/settings/exports/${n}.csv`));
  assert.equal(await page.evaluate("document.querySelector('nav.settings a[aria-current=page]').textContent"), "Export");
  await page.screenshot("export");
  // The page's own link, fetched by the page (the session cookie goes with it).
  const csv = await page.evaluate<string>(`fetch("/settings/exports/following_accounts.csv").then((r) => r.text())`);
  assert.equal(csv, "Account address,Show boosts,Notify on new posts,Languages\n");

  await page.navigating(() => page.evaluate(`document.querySelector("form[action='/settings/export/archive'] button").click()`), "/settings/export/archive");
  assert.match(await page.evaluate<string>("document.querySelector('[role=status]').textContent"), /being built/);
  await eventually(async () => {
    await page.goto(`${server.url}/settings/export`);
    return page.evaluate<boolean>(`!!document.querySelector("#archives a[href^='/settings/exports/archives/']")`);
  }, 30_000, "the archive's download link");
  await page.screenshot("export-archive-ready");
});

test("import page: a file chosen in the form is uploaded and imported, with its progress shown", async () => {
  await page.goto(`${server.url}/settings/import`);
  await page.screenshot("import");
  // Choose the file as a person would (a File in the input), then submit the page's form.
  await page.navigating(
    () => page.evaluate(`(() => {
      const input = document.querySelector("#data");
      const files = new DataTransfer();
      files.items.add(new File(["mallory\\n"], "blocked_accounts.csv", { type: "text/csv" }));
      input.files = files.files;
      document.querySelector("#type").value = "blocks";
      document.querySelector("form[action='/settings/import'] button").click();
      return true;
    })()`),
    "/settings/import",
  );
  assert.match(await page.evaluate<string>("document.querySelector('[role=status]').textContent"), /being imported/);
  await eventually(async () => {
    await page.goto(`${server.url}/settings/import`);
    return page.evaluate<boolean>(`[...document.querySelectorAll("#imports td")].some((td) => td.textContent === "finished")`);
  }, 30_000, "the import to finish");
  const row = await page.evaluate<string[]>(`[...document.querySelectorAll("#imports tbody tr:first-child td")].map((td) => td.textContent.trim())`);
  assert.deepEqual(row.slice(1), ["merge", "finished", "1 / 1", "1", "0"]);
  await page.screenshot("import-finished");
  const blocked = await page.evaluate<string>(`fetch("/settings/exports/blocked_accounts.csv").then((r) => r.text())`);
  assert.match(blocked, /^mallory@/);
});

test("delete page: the password is asked again; then the account is gone and the browser signed out", async () => {
  await page.goto(`${server.url}/settings/delete`);
  await page.screenshot("delete");
  await page.navigating(
    () => page.evaluate(`(() => { document.querySelector("#password").value = "wrong password"; document.querySelector("form[action='/settings/delete'] button").click(); return true; })()`),
    "/settings/delete",
  );
  assert.match(await page.evaluate<string>("document.querySelector('[role=alert]').textContent"), /password is wrong/);
  await page.screenshot("delete-wrong-password");
  await page.navigating(
    () => page.evaluate(`(() => { document.querySelector("#password").value = ${JSON.stringify(password)}; document.querySelector("form[action='/settings/delete'] button").click(); return true; })()`),
    "/settings/delete",
  );
  assert.match(await page.evaluate<string>("document.querySelector('h1').textContent"), /being deleted/);
  await page.screenshot("deleted");
  await page.navigating(() => page.send("Page.navigate", { url: `${server.url}/settings/export` }), "/auth/sign_in");
});
