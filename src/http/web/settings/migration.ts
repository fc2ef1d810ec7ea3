// Settings: moving the account (domain/accounts/move-service.ts). Aliases first: an account that
// moves *here* must be named as an alias of this one. Then the move itself, with the password:
// this account is marked as moved, followers here follow the new account, and followers' servers
// are sent a Move.
import { html } from "hono/html";
import { csrfField, noticeOf, readForm, refusal, settingsApp, settingsPage, doneRedirect, type SettingsContext } from "./layout.ts";
import { str } from "../../params.ts";
import { validationFailed } from "../../../domain/errors.ts";
import type { AccountRow } from "../../../store/accounts.ts";

export const migrationSettingsRoutes = settingsApp();

const PATH = "/settings/migration";
const ALIASES_SAVED = "Your aliases were saved.";
const MOVED = "Your account was moved. Your followers are being moved to the new account.";
const MAX_ALIASES_TEXT = 10 * 2100;
const MAX_INPUT = 2100;

/** An account as people name it (user@example.social, @user, or its URL) → its actor URI. */
async function accountUri(c: SettingsContext, input: string): Promise<string> {
  const text = input.trim();
  if (/^https?:\/\//i.test(text)) return text;
  const services = c.get("services");
  const match = /^@?([A-Za-z0-9_.-]+)(?:@([^\s@/]+))?$/.exec(text);
  if (!match) throw validationFailed(`"${text}" is not an account (user@example.social, or its address)`);
  const [, username, domain] = match;
  if (!domain || domain.toLowerCase() === services.config.localDomain) return (await services.accounts.lookup(username)).uri;
  const account = await services.resolver.accountByHandle(`${username}@${domain}`);
  if (!account) throw validationFailed(`No account ${username}@${domain} was found`);
  return account.uri;
}

async function migrationPage(c: SettingsContext, options: { notice?: string | null; error?: string | null; aliasesText?: string; target?: string } = {}) {
  const services = c.get("services");
  const account: AccountRow = await services.accounts.visible(c.get("user").account_id);
  const aliases = JSON.parse(account.also_known_as ?? "[]") as string[];
  const movedTo = account.moved_to_account_id ? await services.accounts.visible(account.moved_to_account_id).catch(() => null) : null;
  return settingsPage(c, {
    active: "migration",
    title: "Account migration",
    notice: options.notice,
    error: options.error,
    body: html`${movedTo ? html`<p id="moved-to">This account has moved to <a href="${movedTo.url ?? movedTo.uri}">${movedTo.domain ? `${movedTo.username}@${movedTo.domain}` : movedTo.username}</a>.</p>` : ""}
<h2>Moving from another account</h2>
<p>To move an account on another server to this one, name it here first (up to 10), then start the move there. This account's address is <code>${account.uri}</code>.</p>
<form method="post" action="${PATH}/aliases">
  ${csrfField(c)}
  <label for="aliases">Old accounts, one per line (user@example.social or the account's URL)</label>
  <textarea id="aliases" name="aliases">${options.aliasesText ?? aliases.join("\n")}</textarea>
  <button type="submit">Save aliases</button>
</form>
<h2>Moving to another account</h2>
<p>The new account must name this one as an alias first. Then this account is marked as moved, your followers follow the new account, and other servers are told. Posts stay here.</p>
<form method="post" action="${PATH}/move">
  ${csrfField(c)}
  <label for="target">New account (user@example.social or its URL)</label>
  <input type="text" id="target" name="target" value="${options.target ?? ""}" maxlength="${MAX_INPUT}" required>
  <label for="move-password">Password</label>
  <input type="password" id="move-password" name="current_password" autocomplete="current-password" required>
  <button type="submit">Move this account</button>
</form>`,
  });
}

migrationSettingsRoutes.get("/migration", async (c) => c.html(await migrationPage(c, { notice: noticeOf(c, [ALIASES_SAVED, MOVED]) })));

migrationSettingsRoutes.post("/migration/aliases", async (c) => {
  const params = await readForm(c);
  const text = str(params, "aliases", MAX_ALIASES_TEXT) ?? "";
  try {
    const lines = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
    if (lines.length > 10) throw validationFailed("At most 10 aliases");
    const uris: string[] = [];
    for (const line of lines) uris.push(await accountUri(c, line));
    await c.get("services").moves.setAliases(c.get("user"), uris);
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(await migrationPage(c, { error: message, aliasesText: text }), status);
  }
  return doneRedirect(c, PATH, ALIASES_SAVED);
});

migrationSettingsRoutes.post("/migration/move", async (c) => {
  const params = await readForm(c);
  const services = c.get("services");
  const user = c.get("user");
  const target = str(params, "target", MAX_INPUT) ?? "";
  const password = str(params, "current_password", MAX_INPUT) ?? "";
  try {
    // The password before anything is looked up on another server.
    await services.accounts.confirmPassword(user, password);
    await services.moves.move(user, password, await accountUri(c, target));
  } catch (error) {
    const { message, status } = refusal(error);
    return c.html(await migrationPage(c, { error: message, target }), status);
  }
  return doneRedirect(c, PATH, MOVED);
});
