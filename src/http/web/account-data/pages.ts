// The settings pages for one's data (Mastodon's Import and export, and Delete account):
//   /settings/export  the CSV files to download, and the archive (request, state, download)
//   /settings/import  upload a CSV (type, merge or overwrite) and watch the imports' progress
//   /settings/delete  delete the account, with the password (and a two-factor code if set up)
// Built on the settings frame (../settings/layout.ts): session guard, navigation, CSRF.
import { html } from "hono/html";
import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { settingsApp, settingsPage, csrfField, readForm, type SettingsEnv } from "../settings/layout.ts";
import { page } from "../layout.ts";
import { clearSessionCookie } from "../cookies.ts";
import { str } from "../../params.ts";
import { clientKey, signInAttempts } from "../../rate-limits.ts";
import { DomainError } from "../../../domain/errors.ts";
import { IMPORT_TYPES, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from "../../../domain/account-data/import-format.ts";

export const accountDataPages = settingsApp();

const EXPORT_LABELS: [string, string][] = [
  ["following_accounts", "Follows"],
  ["follower_accounts", "Followers (to read; followers cannot be imported)"],
  ["lists", "Lists"],
  ["blocked_accounts", "Blocked accounts"],
  ["muted_accounts", "Muted accounts"],
  ["blocked_domains", "Blocked domains"],
  ["bookmarks", "Bookmarks"],
];

const IMPORT_LABELS: Record<string, string> = {
  following: "Follows",
  blocks: "Blocked accounts",
  mutes: "Muted accounts",
  domain_blocks: "Blocked domains",
  bookmarks: "Bookmarks",
  lists: "Lists",
};

/** A domain error's message for the page; anything else is not ours to show. */
function messageOf(error: unknown): string {
  if (error instanceof DomainError) return error.message;
  throw error;
}

async function exportPage(c: Context<SettingsEnv>, notice: string | null, error: string | null) {
  const archives = await c.get("services").accountData.archives.list(c.get("user").account_id);
  return settingsPage(c, {
    active: "export",
    title: "Export",
    notice,
    error,
    body: html`<p>Your data as CSV files, in the formats Mastodon reads and writes: import them here or on another server.</p>
<table>
<thead><tr><th>Data</th><th>File</th></tr></thead>
<tbody>
${EXPORT_LABELS.map(([name, label]) => html`<tr><td>${label}</td><td><a href="/settings/exports/${name}.csv" download>${name}.csv</a></td></tr>`)}
</tbody>
</table>
<h2>Archive</h2>
<p>An archive of your posts and profile in ActivityPub format (actor.json, outbox.json, likes.json, bookmarks.json), as a .tar.gz file. It is built in the background, can be downloaded for 7 days, and can be requested once a week.</p>
<form method="post" action="/settings/export/archive">${csrfField(c)}<button type="submit">Request your archive</button></form>
${archives.length
  ? html`<table id="archives"><thead><tr><th>Requested</th><th>State</th><th>Size</th><th>Until</th><th></th></tr></thead><tbody>
${archives.map((a) => html`<tr><td>${a.created_at.slice(0, 16).replace("T", " ")}</td><td>${a.state}</td><td>${a.state === "ready" ? `${Math.ceil(a.size_bytes / 1024)} KiB` : ""}</td><td>${a.expires_at.slice(0, 10)}</td><td>${a.state === "ready" ? html`<a href="/settings/exports/archives/${a.id}">Download</a>` : ""}</td></tr>`)}
</tbody></table>`
  : ""}`,
  });
}

accountDataPages.get("/export", async (c) => c.html(await exportPage(c, null, null)));

accountDataPages.post("/export/archive", async (c) => {
  await readForm(c);
  try {
    await c.get("services").accountData.archives.request(c.get("user").account_id);
  } catch (error) {
    return c.html(await exportPage(c, null, messageOf(error)), error instanceof DomainError && error.kind === "rate_limited" ? 429 : 422);
  }
  return c.html(await exportPage(c, "Your archive is being built. Reload this page to see when it is ready.", null));
});

async function importPage(c: Context<SettingsEnv>, notice: string | null, error: string | null) {
  const imports = await c.get("services").accountData.imports.recent(c.get("user").account_id);
  return settingsPage(c, {
    active: "import",
    title: "Import",
    notice,
    error,
    body: html`<p>Bring your follows, blocks, mutes, blocked domains, bookmarks or lists from a CSV file exported by Skein or Mastodon (at most ${Math.floor(MAX_IMPORT_BYTES / 1000)} kB and ${MAX_IMPORT_ROWS.toLocaleString("en")} rows). Accounts on other servers are looked up there; rows that cannot be imported are counted and skipped.</p>
<form method="post" action="/settings/import" enctype="multipart/form-data">
  ${csrfField(c)}
  <label for="type">Type of data</label>
  <select id="type" name="type">${IMPORT_TYPES.map((t) => html`<option value="${t}">${IMPORT_LABELS[t]}</option>`)}</select>
  <fieldset><legend>Mode</legend>
    <label class="check"><input type="radio" name="mode" value="merge" checked> Merge: keep what you have and add the file's entries</label>
    <label class="check"><input type="radio" name="mode" value="overwrite"> Overwrite: replace what you have with the file's entries</label>
  </fieldset>
  <label for="data">CSV file</label>
  <input type="file" id="data" name="data" accept=".csv,text/csv" required>
  <button type="submit">Upload</button>
</form>
${imports.length
  ? html`<h2>Recent imports</h2><table id="imports"><thead><tr><th>Type</th><th>Mode</th><th>State</th><th>Rows</th><th>Imported</th><th>Failed</th></tr></thead><tbody>
${imports.map((i) => html`<tr><td>${IMPORT_LABELS[i.type] ?? i.type}${i.filename ? html` <span class="hint">(${i.filename})</span>` : ""}</td><td>${i.mode}</td><td>${i.state}</td><td>${i.processed_rows} / ${i.total_rows}</td><td>${i.imported_rows}</td><td>${i.failed_rows}</td></tr>`)}
</tbody></table>`
  : ""}`,
  });
}

accountDataPages.get("/import", async (c) => c.html(await importPage(c, null, null)));
// The path Mastodon's own pages use.
accountDataPages.get("/imports", (c) => c.redirect("/settings/import", 301));

accountDataPages.post("/import", async (c) => {
  const params = await readForm(c);
  const data = params.data;
  try {
    if (!(data instanceof File) || data.size === 0) throw new DomainError("validation", "Choose a CSV file to upload");
    await c.get("services").accountData.imports.create(c.get("user").account_id, {
      type: str(params, "type", 40),
      mode: str(params, "mode", 40),
      filename: data.name,
      data: new Uint8Array(await data.arrayBuffer()),
    });
  } catch (error) {
    return c.html(await importPage(c, null, messageOf(error)), 422);
  }
  return c.html(await importPage(c, "Your file was uploaded and is being imported. Reload this page to follow its progress.", null));
});

async function deletePage(c: Context<SettingsEnv>, error: string | null) {
  const needsCode = await c.get("services").accountData.deletion.needsCode(c.get("user"));
  return settingsPage(c, {
    active: "delete",
    title: "Delete account",
    error,
    body: html`<p><strong>This cannot be undone.</strong> Your posts, follows, lists, bookmarks and everything else of your account will be deleted, and other servers will be told to delete it too. Your username stays reserved: nobody else can take it.</p>
<p class="hint">Want to keep anything? Take your <a href="/settings/export">exports and archive</a> first.</p>
<form method="post" action="/settings/delete">
  ${csrfField(c)}
  <label for="password">Your password</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required>
  ${needsCode ? html`<label for="code">Two-factor code (or a recovery code)</label><input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>` : ""}
  <button type="submit">Delete my account</button>
</form>`,
  });
}

accountDataPages.get("/delete", async (c) => c.html(await deletePage(c, null)));

accountDataPages.post("/delete", async (c) => {
  const params = await readForm(c);
  const limited = signInAttempts.hit(clientKey(c as unknown as Context<AppEnv>));
  if (limited.retryAfterMs > 0) {
    c.header("Retry-After", String(Math.ceil(limited.retryAfterMs / 1000)));
    return c.html(await deletePage(c, "Too many attempts. Wait a few minutes and try again."), 429);
  }
  const services = c.get("services");
  try {
    await services.accountData.deletion.deleteOwn(c.get("user"), { password: str(params, "password", 1000) ?? "", code: str(params, "code", 100) });
  } catch (error) {
    const status = error instanceof DomainError && error.kind === "unauthorized" ? 401 : 422;
    return c.html(await deletePage(c, messageOf(error)), status);
  }
  clearSessionCookie(c as unknown as Context<AppEnv>);
  return c.html(
    page("Account deleted", services.config.instance.title, html`<h1>Your account is being deleted</h1>
<p>You have been signed out everywhere. Your data is being removed, and the servers that knew your account are being told to delete it.</p>
<p><a href="/">Back to the front page</a></p>`),
  );
});
