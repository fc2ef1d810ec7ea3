// The report rules decided without a server: which accounts and posts an incoming Flag may make
// a report about (this server's accounts; another server's only for posts replying to ours), that
// a server whose reports are rejected makes none, that a Flag is stored once, and which inboxes
// a forwarded report goes to (the target's server, replied-to servers in forward_to_domains).
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { DomainPolicy } from "../../src/domain/moderation/domain-policy.ts";
import { ReportService } from "../../src/domain/moderation/report-service.ts";
import { AuditLog } from "../../src/domain/moderation/audit-log.ts";
import { SilentOutbox, type Outbox } from "../../src/domain/outbox.ts";
import type { DomainBlockRow } from "../../src/store/moderation/domain-blocks.ts";
import type { ReportRow } from "../../src/store/moderation/reports.ts";
import type { AccountRow } from "../../src/store/accounts.ts";
import type { StatusRow } from "../../src/store/statuses.ts";
import type { Stores } from "../../src/store/stores.ts";

function account(id: string, fields: Partial<AccountRow> = {}): AccountRow {
  return {
    id, username: `user${id}`, domain: null, display_name: "", note: "", fields: "[]", locked: 0, bot: 0, discoverable: 1, indexable: 1,
    uri: `https://here.example/users/user${id}`, url: null, avatar_url: null, header_url: null,
    followers_count: 0, following_count: 0, statuses_count: 0, last_status_at: null, suspended_at: null, created_at: "2020-01-01T00:00:00.000Z",
    updated_at: "2020-01-01T00:00:00.000Z", inbox_url: null, shared_inbox_url: null, followers_url: null, featured_url: null, also_known_as: null,
    fetched_at: null, actor_type: "Person", moved_to_account_id: null, silenced_at: null, sensitized_at: null, suspension_origin: null, avatar_key: null, avatar_static_key: null, header_key: null, header_static_key: null, ...fields,
  } as AccountRow;
}

function status(id: string, accountId: string, fields: Partial<StatusRow> = {}): StatusRow {
  return { id, account_id: accountId, uri: `https://somewhere.example/statuses/${id}`, local: 1, reblog_of_id: null, in_reply_to_account_id: null, ...fields } as StatusRow;
}

/** A ReportService over in-memory rows; `inserted` and `forwarded` record what it did. */
function world(accounts: AccountRow[], statuses: StatusRow[], blocks: Partial<DomainBlockRow>[] = []) {
  const inserted: ReportRow[] = [];
  const notified: string[] = [];
  const forwarded: { inboxes: string[]; statusIds: string[] }[] = [];
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const statusById = new Map(statuses.map((s) => [s.id, s]));
  const settings = new Map<string, string>();
  const stores = {
    accounts: { byId: async (id: string) => byId.get(id), byIds: async (ids: string[]) => ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])) },
    statuses: {
      byIds: async (ids: string[]) => ids.flatMap((id) => (statusById.has(id) ? [statusById.get(id)!] : [])),
      // Everyone sees everything here but posts marked private, which only their author sees.
      readableById: async (id: string, viewer: string) => {
        const s = statusById.get(id);
        return s && ((s as { visibility?: string }).visibility !== "private" || s.account_id === viewer) ? s : undefined;
      },
    },
    reports: {
      insert: async (row: ReportRow) => void inserted.push(row),
      byUri: async (uri: string) => inserted.find((r) => r.uri === uri),
      handlerAccountIds: async () => ["900", "901"],
    },
    notifications: { insert: async (row: { account_id: string }) => void notified.push(row.account_id) },
    auditLog: { insert: async () => undefined },
    domainBlocks: {
      all: async () => blocks.map((b, i) => ({ id: String(i + 1), severity: "noop", reject_media: 0, reject_reports: 0, private_comment: "", public_comment: "", obfuscate: 0, subscription_id: null, created_at: "", updated_at: "", ...b })),
      allAllows: async () => [],
    },
    settings: { get: async (key: string) => settings.get(key), put: async (key: string, value: string) => void settings.set(key, value) },
    // The server has one rule, id 7.
    instanceRules: { existing: async (ids: string[]) => new Set(ids.filter((id) => id === "7")) },
    transaction: async <T>(work: (s: Stores) => Promise<T>) => work(stores),
  } as unknown as Stores;
  const outbox: Outbox = Object.assign(new SilentOutbox(), {
    reportForwarded: async (_r: ReportRow, _t: AccountRow, s: StatusRow[], inboxes: string[]) => void forwarded.push({ inboxes, statusIds: s.map((x) => x.id) }),
  });
  const policy = new DomainPolicy(stores, "blocklist", "here.example");
  const service = new ReportService(stores, new AuditLog(stores), policy, "https://here.example", { outbox });
  return { service, inserted, notified, forwarded };
}

const remoteServer = account("50", { username: "remote.example", domain: "remote.example", uri: "https://remote.example/actor" });

test("a Flag reports the local accounts it names, with only their own posts, and tells the report handlers", async () => {
  const alice = account("1");
  const bob = account("2");
  const { service, inserted, notified } = world([alice, bob, remoteServer], [status("10", "1"), status("11", "2")]);
  const reports = await service.receiveFlag(remoteServer, { uri: "https://remote.example/flags/1", accounts: [alice], statuses: [status("10", "1"), status("11", "2")], content: "rude" });
  assert.equal(reports.length, 2, "alice named, bob's post names bob");
  const aboutAlice = inserted.find((r) => r.target_account_id === "1")!;
  assert.deepEqual(JSON.parse(aboutAlice.status_ids), ["10"]);
  assert.equal(aboutAlice.account_id, "50", "the remote server is the reporter");
  assert.equal(aboutAlice.comment, "rude");
  assert.deepEqual(JSON.parse(inserted.find((r) => r.target_account_id === "2")!.status_ids), ["11"]);
  assert.deepEqual(notified, ["900", "901", "900", "901"]);

  // The same Flag again changes nothing.
  assert.deepEqual(await service.receiveFlag(remoteServer, { uri: "https://remote.example/flags/1", accounts: [alice], statuses: [], content: "rude" }), []);
  assert.equal(inserted.length, 2);
});

test("a Flag about a suspended account, or another server's account that did not reply to ours, makes no report", async () => {
  const gone = account("3", { suspended_at: "2026-01-01T00:00:00.000Z" });
  const stranger = account("4", { domain: "third.example" });
  const local = account("5");
  const replying = status("21", "4", { local: 0, in_reply_to_account_id: "5" });
  const unrelated = status("22", "4", { local: 0, in_reply_to_account_id: null });
  const { service, inserted } = world([gone, stranger, local, remoteServer], [replying, unrelated]);
  assert.deepEqual(await service.receiveFlag(remoteServer, { uri: null, accounts: [gone, stranger], statuses: [unrelated], content: "" }), []);
  assert.equal(inserted.length, 0);
  const made = await service.receiveFlag(remoteServer, { uri: null, accounts: [stranger], statuses: [replying, unrelated], content: "harassing your user" });
  assert.equal(made.length, 1, "a remote account replying to ours can be reported to us");
  assert.deepEqual(JSON.parse(made[0].status_ids), ["21", "22"]);
});

test("a server whose reports are rejected makes none (a block of a parent domain counts)", async () => {
  const alice = account("1");
  const sender = account("60", { domain: "sub.rejected.example" });
  const { service, inserted, notified } = world([alice, sender], [], [{ domain: "rejected.example", reject_reports: 1 }]);
  assert.deepEqual(await service.receiveFlag(sender, { uri: "https://sub.rejected.example/f", accounts: [alice], statuses: [], content: "x" }), []);
  assert.equal(inserted.length, 0);
  assert.equal(notified.length, 0);
});

test("forwarding: the target's server (shared inbox first), and replied-to servers only when named in forward_to_domains", async () => {
  const reporter = account("1");
  const target = account("7", { domain: "b.example", inbox_url: "https://b.example/users/t/inbox", shared_inbox_url: "https://b.example/inbox" });
  const repliedTo = account("8", { domain: "c.example", inbox_url: "https://c.example/users/r/inbox" });
  const post = status("30", "7", { local: 0, in_reply_to_account_id: "8" });
  const { service, forwarded } = world([reporter, target, repliedTo], [post]);
  const base = { targetAccountId: "7", statusIds: ["30"], comment: "", category: undefined, ruleIds: [], forward: true };

  const plain = await service.create(reporter, { ...base, forwardToDomains: null });
  assert.equal(plain.report.forwarded, 1);
  assert.deepEqual(forwarded.pop(), { inboxes: ["https://b.example/inbox"], statusIds: ["30"] });

  await service.create(reporter, { ...base, forwardToDomains: ["B.Example", "c.example"] });
  assert.deepEqual(forwarded.pop()!.inboxes, ["https://b.example/inbox", "https://c.example/users/r/inbox"]);

  const onlyReplied = await service.create(reporter, { ...base, forwardToDomains: ["c.example"] });
  assert.deepEqual(forwarded.pop()!.inboxes, ["https://c.example/users/r/inbox"]);
  assert.equal(onlyReplied.report.forwarded, 1);

  const none = await service.create(reporter, { ...base, forwardToDomains: ["d.example"] });
  assert.equal(none.report.forwarded, 0);
  assert.equal(forwarded.length, 0);
  const notAsked = await service.create(reporter, { ...base, forward: false, forwardToDomains: null });
  assert.equal(notAsked.report.forwarded, 0);
  await assert.rejects(service.create(reporter, { ...base, forwardToDomains: ["https://x.example/path"] }), /not a domain/);
});

test("filing: rule ids make a violation report only with rules that exist; posts must be the target's and visible", async () => {
  const reporter = account("1");
  const target = account("2");
  const hidden = { ...status("40", "2"), visibility: "private" } as StatusRow;
  const { service } = world([reporter, target], [status("41", "2"), status("42", "1"), hidden]);
  const base = { targetAccountId: "2", statusIds: [], comment: "", category: undefined, ruleIds: [], forward: false, forwardToDomains: null };
  assert.equal((await service.create(reporter, base)).report.category, "other");
  await assert.rejects(service.create(reporter, { ...base, ruleIds: ["1"] }), /Rule ids/);
  assert.equal((await service.create(reporter, { ...base, ruleIds: ["7"] })).report.category, "violation");
  await assert.rejects(service.create(reporter, { ...base, category: "nasty" }), /Category/);
  await assert.rejects(service.create(reporter, { ...base, statusIds: ["42"] }), /not a post of the reported account/);
  await assert.rejects(service.create(reporter, { ...base, statusIds: ["40"] }), /not a post of the reported account that you can see/);
  await assert.rejects(service.create(reporter, { ...base, targetAccountId: "99" }), /Record not found/);
  assert.deepEqual(JSON.parse((await service.create(reporter, { ...base, statusIds: ["41", "41"] })).report.status_ids), ["41"]);
});
