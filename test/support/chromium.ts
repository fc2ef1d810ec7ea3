// Real Chromium for tests of the server's HTML pages, driven over the DevTools protocol with
// Node's own WebSocket: Debian's chromium package (/usr/bin/chromium, or CHROMIUM_PATH), headless,
// a throwaway profile. Enough of a driver for forms: open a page, fill fields, click, wait for the
// next page, read text, take a screenshot. No npm dependency.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const EXECUTABLE = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const STEP_TIMEOUT_MS = 20_000;

/** Screenshots of pages, kept after the run (test/artifacts/ is ignored by git). */
export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, "../artifacts");

type Pending = { resolve: (value: any) => void; reject: (error: Error) => void };

export class ChromiumPage {
  private readonly socket: WebSocket;
  private readonly sessionId: string;
  private readonly pending: Map<number, Pending>;
  private readonly listeners: Set<(method: string, params: any) => void>;
  private nextId: () => number;

  constructor(socket: WebSocket, sessionId: string, pending: Map<number, Pending>, listeners: Set<(method: string, params: any) => void>, nextId: () => number) {
    this.socket = socket;
    this.sessionId = sessionId;
    this.pending = pending;
    this.listeners = listeners;
    this.nextId = nextId;
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<any> {
    const id = this.nextId();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params, sessionId: this.sessionId }));
    });
  }

  /** Resolves at the next load event of the page (a navigation or a form submission finished). */
  private nextLoad(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error("the page did not finish loading"));
      }, STEP_TIMEOUT_MS);
      const listener = (method: string) => {
        if (method !== "Page.loadEventFired") return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve();
      };
      this.listeners.add(listener);
    });
  }

  async goto(url: string): Promise<void> {
    const loaded = this.nextLoad();
    await this.send("Page.navigate", { url });
    await loaded;
  }

  /** Evaluates an expression in the page; returns its value. */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const result = await this.send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    if (result.exceptionDetails) throw new Error(`in the page: ${result.exceptionDetails.exception?.description ?? result.exceptionDetails.text}`);
    return result.result.value as T;
  }

  async url(): Promise<string> {
    return this.evaluate<string>("location.href");
  }

  async text(selector = "body"): Promise<string> {
    return this.evaluate<string>(`(document.querySelector(${JSON.stringify(selector)}) ?? (() => { throw new Error("no " + ${JSON.stringify(selector)}) })()).innerText`);
  }

  async exists(selector: string): Promise<boolean> {
    return this.evaluate<boolean>(`document.querySelector(${JSON.stringify(selector)}) !== null`);
  }

  /** Types into a field as a person would: focus, then the characters as key input. */
  async fill(selector: string, value: string): Promise<void> {
    await this.evaluate(`(() => { const el = document.querySelector(${JSON.stringify(selector)}); if (!el) throw new Error("no " + ${JSON.stringify(selector)}); el.focus(); el.select?.(); el.value = ""; })()`);
    if (value !== "") await this.send("Input.insertText", { text: value });
  }

  async setChecked(selector: string, checked: boolean): Promise<void> {
    const now = await this.evaluate<boolean>(`document.querySelector(${JSON.stringify(selector)}).checked`);
    if (now !== checked) await this.click(selector, { navigates: false });
  }

  /** Picks an option of a <select> by its value, firing the change event a person's choice would. */
  async select(selector: string, value: string): Promise<void> {
    await this.evaluate(`(() => { const el = document.querySelector(${JSON.stringify(selector)}); if (!el) throw new Error("no " + ${JSON.stringify(selector)}); el.value = ${JSON.stringify(value)}; el.dispatchEvent(new Event("input", { bubbles: true })); el.dispatchEvent(new Event("change", { bubbles: true })); })()`);
  }

  /** Chooses files (paths on this machine) in an <input type=file>, as the file picker would. */
  async setFiles(selector: string, files: string[]): Promise<void> {
    const { root } = await this.send("DOM.getDocument", { depth: 0 });
    const { nodeId } = await this.send("DOM.querySelector", { nodeId: root.nodeId, selector });
    if (!nodeId) throw new Error(`no ${selector} on ${await this.url()}`);
    await this.send("DOM.setFileInputFiles", { nodeId, files: files.map((f) => path.resolve(f)) });
  }

  /** Clicks the element's centre with the mouse; by default waits for the page it leads to. */
  async click(selector: string, options: { navigates?: boolean } = {}): Promise<void> {
    const box = await this.evaluate<{ x: number; y: number } | null>(`(() => {
      const el = document.querySelector(${JSON.stringify(selector)});
      if (!el) return null;
      el.scrollIntoView({ block: "center" });
      const r = el.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    })()`);
    if (!box) throw new Error(`no ${selector} on ${await this.url()}`);
    const loaded = options.navigates === false ? null : this.nextLoad();
    for (const type of ["mousePressed", "mouseReleased"]) {
      await this.send("Input.dispatchMouseEvent", { type, x: box.x, y: box.y, button: "left", clickCount: 1 });
    }
    await loaded;
  }

  /**
   * A full-page PNG in ARTIFACTS_DIR; returns its path. The pages look the same on both databases,
   * so the PostgreSQL run keeps the SQLite run's pictures instead of capturing them again.
   */
  async screenshot(name: string): Promise<string> {
    const file = path.join(ARTIFACTS_DIR, `${name}.png`);
    if (process.env.SKEIN_TEST_DATABASE === "postgres" && fs.existsSync(file)) return file;
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const { data } = await this.send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true });
    fs.writeFileSync(file, Buffer.from(data, "base64"));
    return file;
  }
}

export interface Chromium {
  newPage(): Promise<ChromiumPage>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  if (!fs.existsSync(EXECUTABLE)) throw new Error(`Chromium is not installed at ${EXECUTABLE} (apt-get install chromium)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "skein-chromium-"));
  const child: ChildProcess = spawn(
    EXECUTABLE,
    [
      "--headless=new",
      "--no-sandbox", // tests run as root, where Chromium's sandbox cannot start
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--remote-debugging-port=0",
      "--window-size=1100,900",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${seen.slice(-1000)}`)), 30_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`Chromium exited (${code}): ${seen.slice(-1000)}`)));
  });
  child.stderr!.resume();

  const socket = new WebSocket(endpoint);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error("cannot connect to Chromium")), { once: true });
  });
  let counter = 0;
  const nextId = () => ++counter;
  const pending = new Map<number, Pending>();
  const listenersBySession = new Map<string, Set<(method: string, params: any) => void>>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data));
    if (message.id !== undefined) {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(`${message.error.message} (${message.error.code})`));
      else waiter?.resolve(message.result);
    } else if (message.sessionId) {
      for (const listener of listenersBySession.get(message.sessionId) ?? []) listener(message.method, message.params);
    }
  });
  const browserSend = (method: string, params: Record<string, unknown> = {}): Promise<any> => {
    const id = nextId();
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  };

  return {
    async newPage() {
      // Each page gets its own browser context: its own cookies, like a separate browser.
      const { browserContextId } = await browserSend("Target.createBrowserContext");
      const { targetId } = await browserSend("Target.createTarget", { url: "about:blank", browserContextId });
      const { sessionId } = await browserSend("Target.attachToTarget", { targetId, flatten: true });
      const listeners = new Set<(method: string, params: any) => void>();
      listenersBySession.set(sessionId, listeners);
      const page = new ChromiumPage(socket, sessionId, pending, listeners, nextId);
      await page.send("Page.enable");
      await page.send("Runtime.enable");
      return page;
    },
    async close() {
      try {
        await Promise.race([browserSend("Browser.close"), new Promise((r) => setTimeout(r, 3000).unref())]);
      } catch {
        // already gone
      }
      socket.close();
      if (child.exitCode === null) {
        await Promise.race([new Promise((r) => child.once("exit", r)), new Promise((r) => setTimeout(r, 5000).unref())]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
