// The parts of Web Push that need no server: the sealed access token, the payload's wording and
// urgency, the VAPID subject, PUSH_TOKEN_KEY's check (the end-to-end flow is test/e2e/push.test.ts).
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { TokenBox } from "../../src/domain/push/token-box.ts";
import { buildPayload, urgencyOf } from "../../src/domain/push/payload.ts";
import { vapidSubject } from "../../src/domain/push/vapid.ts";
import { loadPushConfig } from "../../src/config/push-config.ts";
import type { AccountRow } from "../../src/store/accounts.ts";
import type { StatusRow } from "../../src/store/statuses.ts";

test("a sealed token opens only with its key and for its subscription", () => {
  const box = new TokenBox(randomBytes(32));
  const sealed = box.seal("the-token", "111");
  assert.ok(!sealed.includes("the-token"));
  assert.equal(box.open(sealed, "111"), "the-token");
  assert.equal(box.open(sealed, "112"), null, "moved to another subscription's row");
  assert.equal(new TokenBox(randomBytes(32)).open(sealed, "111"), null, "another key");
  assert.equal(box.open(sealed.slice(0, -2) + (sealed.endsWith("A") ? "BB" : "AA"), "111"), null, "tampered");
  assert.notEqual(box.seal("the-token", "111"), sealed, "a fresh nonce each time");
});

test("urgency by type: mentions wake the phone, likes and boosts wait", () => {
  assert.equal(urgencyOf("mention"), "high");
  assert.equal(urgencyOf("favourite"), "low");
  assert.equal(urgencyOf("reblog"), "low");
  assert.equal(urgencyOf("follow"), "normal");
  assert.equal(urgencyOf("admin.report"), "normal");
});

test("the payload: title by type, a content warning rather than what it hides, 140 characters at most", () => {
  const from = { display_name: "", username: "bob", note: "<p>I post things</p>" } as AccountRow;
  const base = { accessToken: "t", locale: null, icon: "https://x.example/a.png" };
  const status = { spoiler_text: "", content: "<p>Hello &amp; <b>welcome</b></p>" } as StatusRow;
  const mention = buildPayload({ ...base, notification: { id: "9", type: "mention" }, from, status });
  assert.deepEqual(mention, { access_token: "t", preferred_locale: "en", notification_id: "9", notification_type: "mention", icon: base.icon, title: "You were mentioned by bob", body: "Hello & welcome" });
  const warned = buildPayload({ ...base, notification: { id: "9", type: "favourite" }, from: { ...from, display_name: "Bob B" }, status: { ...status, spoiler_text: "spoilers" } });
  assert.equal(warned.title, "Bob B favorited your post");
  assert.equal(warned.body, "spoilers");
  assert.equal(buildPayload({ ...base, notification: { id: "9", type: "follow" }, from, status: null }).body, "I post things");
  const long = buildPayload({ ...base, locale: "de", notification: { id: "9", type: "status" }, from, status: { ...status, content: "x".repeat(500) } });
  assert.equal([...long.body].length, 140);
  assert.equal(long.preferred_locale, "de");
});

test("the VAPID subject: a deliverable contact address, else the https origin", () => {
  const config = (contactEmail: string, origin: string) => ({ origin, instance: { contactEmail } }) as Parameters<typeof vapidSubject>[0];
  assert.equal(vapidSubject(config("admin@social.example", "https://social.example")), "mailto:admin@social.example");
  assert.equal(vapidSubject(config("admin@localhost", "https://social.example")), "https://social.example");
  assert.equal(vapidSubject(config("admin@127.0.0.1:3000", "http://127.0.0.1:3000")), "mailto:admin@127.0.0.1:3000");
});

test("PUSH_TOKEN_KEY must be a real secret", () => {
  const problems: string[] = [];
  assert.deepEqual(loadPushConfig({}, problems), { tokenKey: null });
  assert.deepEqual(loadPushConfig({ PUSH_TOKEN_KEY: "x".repeat(40) }, problems), { tokenKey: "x".repeat(40) });
  assert.deepEqual(problems, []);
  loadPushConfig({ PUSH_TOKEN_KEY: "short" }, problems);
  assert.equal(problems.length, 1);
});
