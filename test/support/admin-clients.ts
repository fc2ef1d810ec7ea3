// Admin-side helpers for end-to-end tests of the moderation API: tokens with admin scopes for
// users of a given role, validation of admin entities against the contract's schemas (the
// contract has the Admin_* entities but not the admin paths), and a direct look at the audit
// log table, the record a moderator's every change must leave.
import fs from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import pg from "pg";
import SQLite from "better-sqlite3";
import type { TestServer } from "./server.ts";
import { createLocalAccount } from "./accounts.ts";

export interface AdminUser {
  username: string;
  id: string;
  token: string;
  password: string;
}

const ALL_SCOPES = "read write follow admin:read admin:write";
const apps = new Map<string, { clientId: string; clientSecret: string }>();

/** Creates a local account with `role` (as `./skein accounts create` does) and a password-grant token with `scope`. */
export async function adminUser(server: TestServer, username: string, role: "user" | "moderator" | "admin", scope = ALL_SCOPES): Promise<AdminUser> {
  const password = await createLocalAccount(server.env, username, role);
  return { username, ...(await tokenFor(server, username, password, scope)) };
}

/** Another token for an existing account, with other scopes. */
export async function tokenFor(server: TestServer, username: string, password: string, scope: string): Promise<{ id: string; token: string; password: string }> {
  let app = apps.get(server.url);
  if (!app) {
    const res = await fetch(`${server.url}/api/v1/apps`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_name: "admin tests", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: ALL_SCOPES }),
    });
    const body = await res.json();
    app = { clientId: body.client_id, clientSecret: body.client_secret };
    apps.set(server.url, app);
  }
  const res = await fetch(`${server.url}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ grant_type: "password", client_id: app.clientId, client_secret: app.clientSecret, username, password, scope, redirect_uri: "urn:ietf:wg:oauth:2.0:oob" }),
  });
  const body = await res.json();
  if (!body.access_token) throw new Error(`no token for ${username}: ${JSON.stringify(body)}`);
  // A token without read:accounts cannot ask who it is; its id is then unknown ("").
  const me = await fetch(`${server.url}/api/v1/accounts/verify_credentials`, { headers: { Authorization: `Bearer ${body.access_token}` } });
  return { id: me.ok ? (await me.json()).id : "", token: body.access_token, password };
}

const spec = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../../../shared/mastodon-openapi.json"), "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
(addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
ajv.addFormat("iso-639-1", /^[a-z]{2}$/);
ajv.addSchema({ ...spec, $id: "mastodon-openapi" });

/** Problems of `body` against the contract's schema `name` (e.g. "AdminDomainBlock"); empty when valid. */
export function schemaProblems(name: string, body: unknown): string[] {
  const validate = ajv.getSchema(`mastodon-openapi#/components/schemas/${name}`);
  if (!validate) return [`no schema ${name}`];
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${name}${e.instancePath} ${e.message}`);
}

export interface AuditRow {
  account_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  human_identifier: string;
}

/** The audit log rows of `server`, oldest first (read from its database, beside the running server). */
export async function auditRows(server: TestServer): Promise<AuditRow[]> {
  const query = "select account_id, action, target_type, target_id, human_identifier from admin_action_logs order by id";
  if (server.env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: server.env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query(query)).rows.map((row) => ({ ...row, account_id: row.account_id === null ? null : String(row.account_id), target_id: row.target_id === null ? null : String(row.target_id) }));
    } finally {
      await client.end();
    }
  }
  const db = new SQLite(path.join(server.env.DATA_DIR, "skein.sqlite"), { readonly: true });
  try {
    db.defaultSafeIntegers(true);
    return (db.prepare(query).all() as Record<string, unknown>[]).map((row) => ({
      account_id: row.account_id === null ? null : String(row.account_id),
      action: String(row.action),
      target_type: String(row.target_type),
      target_id: row.target_id === null ? null : String(row.target_id),
      human_identifier: String(row.human_identifier),
    }));
  } finally {
    db.close();
  }
}
