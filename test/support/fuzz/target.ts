// The server a fuzz run attacks, with something in it: a user (token, password, an app, a web
// session) who has posted, been favourited, mentioned and written to, and has lists, filters and
// a followed tag, so requests that name real ids reach the code behind "not found".
import { startServer, type TestServer } from "../server.ts";
import { signUp } from "../clients.ts";
import { FUZZ_TEST_HOSTS, type FuzzTarget } from "./values.ts";

export async function startFuzzTarget(): Promise<{ server: TestServer; target: FuzzTarget }> {
  // Names the fuzzer puts in URLs and accounts resolve to loopback (see values.ts). Behind a
  // trusted proxy, each case can come from a client address of its own (see forwardedFor).
  // Errors only in its log: the warnings thousands of malformed activities earn would bury them.
  const server = await startServer({ env: { SKEIN_TEST_HOSTS: FUZZ_TEST_HOSTS, TRUST_PROXY: "true", LOG_LEVEL: "error" } });
  const user = await signUp(server, "fuzzer");
  const friend = await signUp(server, "friend");

  await friend.client.v1.accounts.$select(user.id).follow();
  await user.client.v1.accounts.$select(friend.id).follow();
  const post = await user.client.v1.statuses.create({ status: "Hello #fuzz" });
  const poll = await user.client.v1.statuses.create({ status: "Which?", poll: { options: ["a", "b"], expiresIn: 86_400 } });
  await friend.client.v1.statuses.$select(post.id).favourite();
  const mention = await friend.client.v1.statuses.create({ status: `@${user.username} hi`, inReplyToId: post.id });
  await friend.client.v1.statuses.create({ status: `@${user.username} just us`, visibility: "direct" });
  const list = await user.client.v1.lists.create({ title: "fuzz list" });
  await user.client.v1.lists.$select(list.id).accounts.create({ accountIds: [friend.id] });
  const filter = await user.client.v2.filters.create({ title: "fuzz filter", context: ["home"], keywordsAttributes: [{ keyword: "fuzz" }] });
  await user.client.v1.tags.$select("fuzz").follow();
  const notifications = await user.client.v1.notifications.list();
  const conversations = await user.client.v1.conversations.list();

  const app = await (await fetch(`${server.url}/api/v1/apps`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_name: "fuzzer", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write follow" }),
  })).json();

  const origin = new URL(server.url);
  const target: FuzzTarget = {
    origin: server.url,
    host: origin.host,
    port: Number(origin.port),
    username: user.username,
    password: user.password,
    accountId: user.id,
    token: user.token,
    clientId: app.client_id,
    clientSecret: app.client_secret,
    session: await webSession(server.url, user.username, user.password),
    ids: {
      account: [user.id, friend.id],
      status: [post.id, poll.id, mention.id],
      poll: [poll.poll!.id],
      list: [list.id],
      filter: [filter.id],
      keyword: filter.keywords.map((k) => k.id),
      notification: notifications.map((n) => n.id),
      conversation: conversations.map((c) => c.id),
      tag: ["fuzz"],
      username: [user.username, friend.username],
      version: ["2.0", "2.1"],
    },
  };
  return { server, target };
}

/** Signs in on the web form (any well-formed CSRF token of ours will do) and returns the session cookie. */
async function webSession(origin: string, login: string, password: string): Promise<string> {
  const csrf = "fuzzcsrf".repeat(4);
  const response = await fetch(`${origin}/auth/sign_in`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: `skein_csrf=${csrf}` },
    body: new URLSearchParams({ authenticity_token: csrf, login, password, return_to: "/" }),
  });
  const session = /skein_session=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1];
  if (response.status !== 303 || !session) throw new Error(`web sign-in failed: ${response.status}`);
  return session;
}
