// The Export, Import and Delete account pages in real Chromium (Debian's, over the DevTools
// protocol: test/support/chromium.ts): sign in through the redirect, download a CSV from the
// export page, upload a file with the import page's own form and watch its progress, delete the
// account. Screenshots of each page are kept in test/artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer, type TestServer } from "../support/server.ts";
import { installContractCheck, type ContractLog } from "../support/openapi.ts";
import { eventually } from "../support/federation-fleet.ts";
import { launchChromium, type Chromium, type ChromiumPage } from "../support/chromium.ts";

let server: TestServer;
let contract: ContractLog;
let chromium: Chromium;
let page: ChromiumPage;
let password: string;
let uploads: string;

before(async () => {
  server = await startServer({ env: { INSTANCE_TITLE: "Browser Test" } });
  contract = installContractCheck(server.url);
  password = await server.createAccount("alice");
  await server.createAccount("mallory");
  uploads = fs.mkdtempSync(path.join(os.tmpdir(), "skein-uploads-"));
  chromium = await launchChromium();
  page = await chromium.newPage();
});

after(async () => {
  await chromium?.close();
  if (uploads) fs.rmSync(uploads, { recursive: true, force: true });
  assert.deepEqual(contract.violations, []);
  await server?.stop();
});

const at = async (p: ChromiumPage) => new URL(await p.url()).pathname;

test("export page: signing in through the redirect, the files listed, a CSV downloaded", async () => {
  await page.goto(`${server.url}/settings/export`);
  assert.equal(await at(page), "/auth/sign_in");
  await page.screenshot("account-data-01-sign-in");
  await page.fill("#login", "alice");
  await page.fill("#password", password);
  await page.click("form[action='/auth/sign_in'] button");
  assert.equal(await at(page), "/settings/export");
  const links = await page.evaluate<string[]>(`[...document.querySelectorAll("a[href$='.csv']")].map((a) => a.getAttribute("href"))`);
  assert.deepEqual(links, ["following_accounts", "follower_accounts", "lists", "blocked_accounts", "muted_accounts", "blocked_domains", "bookmarks"].map((n) => `/settings/exports/${n}.csv`));
  assert.equal(await page.text("nav.settings a[aria-current=page]"), "Export");
  await page.screenshot("account-data-02-export");
  // The page's own link, fetched by the page (the session cookie goes with it).
  const csv = await page.evaluate<string>(`fetch("/settings/exports/following_accounts.csv").then((r) => r.text())`);
  assert.equal(csv, "Account address,Show boosts,Notify on new posts,Languages\n");

  await page.click("form[action='/settings/export/archive'] button");
  assert.equal(await at(page), "/settings/export/archive");
  assert.match(await page.text("[role=status]"), /being built/);
  await eventually(async () => {
    await page.goto(`${server.url}/settings/export`);
    return page.exists("#archives a[href^='/settings/exports/archives/']");
  }, 30_000, "the archive's download link");
  await page.screenshot("account-data-03-export-archive-ready");
});

test("import page: a file chosen in the form is uploaded and imported, with its progress shown", async () => {
  await page.goto(`${server.url}/settings/import`);
  await page.screenshot("account-data-04-import");
  // Choose the file as a person would (through the file input), then submit the page's form.
  const file = path.join(uploads, "blocked_accounts.csv");
  fs.writeFileSync(file, "mallory\n");
  await page.setFiles("#data", [file]);
  await page.select("#type", "blocks");
  await page.click("form[action='/settings/import'] button");
  assert.equal(await at(page), "/settings/import");
  assert.match(await page.text("[role=status]"), /being imported/);
  await eventually(async () => {
    await page.goto(`${server.url}/settings/import`);
    return page.evaluate<boolean>(`[...document.querySelectorAll("#imports td")].some((td) => td.textContent === "finished")`);
  }, 30_000, "the import to finish");
  const row = await page.evaluate<string[]>(`[...document.querySelectorAll("#imports tbody tr:first-child td")].map((td) => td.textContent.trim())`);
  assert.deepEqual(row.slice(1), ["merge", "finished", "1 / 1", "1", "0"]);
  await page.screenshot("account-data-05-import-finished");
  const blocked = await page.evaluate<string>(`fetch("/settings/exports/blocked_accounts.csv").then((r) => r.text())`);
  assert.match(blocked, /^mallory@/);
});

test("delete page: the password is asked again; then the account is gone and the browser signed out", async () => {
  await page.goto(`${server.url}/settings/delete`);
  await page.screenshot("account-data-06-delete");
  await page.fill("#password", "wrong password");
  await page.click("form[action='/settings/delete'] button");
  assert.equal(await at(page), "/settings/delete");
  assert.match(await page.text("[role=alert]"), /password is wrong/);
  await page.screenshot("account-data-07-delete-wrong-password");
  await page.fill("#password", password);
  await page.click("form[action='/settings/delete'] button");
  assert.equal(await at(page), "/settings/delete");
  assert.match(await page.text("h1"), /being deleted/);
  await page.screenshot("account-data-08-deleted");
  await page.goto(`${server.url}/settings/export`);
  assert.equal(await at(page), "/auth/sign_in");
});
