// Password guessing is slowed per client address. Behind a reverse proxy (TRUST_PROXY=true) that
// address comes from X-Forwarded-For, and only its last entry, the one the proxy added, counts:
// entries a client writes itself must not buy it a fresh allowance. Without TRUST_PROXY the
// header is ignored altogether.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../support/server.ts";

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
});

const LIMIT = 25;

async function appOf(server: TestServer): Promise<{ client_id: string; client_secret: string }> {
  const response = await fetch(`${server.url}/api/v1/apps`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_name: "proxy test", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read" }),
  });
  return response.json();
}

async function guess(server: TestServer, app: { client_id: string; client_secret: string }, forwardedFor: string): Promise<number> {
  const response = await fetch(`${server.url}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": forwardedFor },
    body: new URLSearchParams({ grant_type: "password", client_id: app.client_id, client_secret: app.client_secret, username: "nobody", password: "guess" }),
  });
  await response.body?.cancel();
  return response.status;
}

test("behind a trusted proxy, forged X-Forwarded-For entries do not escape the password-guessing limit", async () => {
  const server = await startServer({ env: { TRUST_PROXY: "true" } });
  servers.push(server);
  const app = await appOf(server);
  // As nginx's $proxy_add_x_forwarded_for sends it: whatever the client claimed, then the address it saw.
  for (let i = 0; i < LIMIT; i++) assert.equal(await guess(server, app, `203.0.113.${i}, 198.51.100.7`), 400, `guess ${i + 1}`);
  assert.equal(await guess(server, app, "203.0.113.99, 198.51.100.7"), 429, "the same client is stopped, whatever it claims");
  assert.equal(await guess(server, app, "198.51.100.8"), 400, "another client behind the proxy is not");
});

test("without TRUST_PROXY, X-Forwarded-For is ignored", async () => {
  const server = await startServer();
  servers.push(server);
  const app = await appOf(server);
  for (let i = 0; i < LIMIT; i++) assert.equal(await guess(server, app, `198.51.100.${i}`), 400, `guess ${i + 1}`);
  assert.equal(await guess(server, app, "198.51.100.200"), 429);
});
