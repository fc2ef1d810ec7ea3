// The subtle rules of limits and reject_media, decided without a server: which accounts a domain
// silence marks and which marks lifting it clears (a moderator's own limit survives), who counts
// as limited, the notification policy's verdict for a limited sender, and how entities show an
// account and attachments of a server whose media are rejected.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { DomainPolicy } from "../../src/domain/moderation/domain-policy.ts";
import { LimitedAccounts, isLimited } from "../../src/domain/moderation/limited-accounts.ts";
import { mediaRejectedFor, mediaUrlMayBeFetched } from "../../src/domain/moderation/media-policy.ts";
import { policyVerdict } from "../../src/domain/notifications/notification-policy.ts";
import { toAccount, MISSING_AVATAR_PATH } from "../../src/convert/mastodon/account.ts";
import { toMediaAttachment } from "../../src/convert/mastodon/media.ts";
import type { DomainBlockRow } from "../../src/store/moderation/domain-blocks.ts";
import type { AccountRow } from "../../src/store/accounts.ts";
import type { MediaRow } from "../../src/store/media/attachments.ts";
import type { NotificationPolicyRow } from "../../src/store/notification-groups.ts";
import type { Stores } from "../../src/store/stores.ts";

function block(domain: string, fields: Partial<DomainBlockRow> = {}): DomainBlockRow {
  return {
    id: String(1000 + domain.length), domain, severity: "silence", reject_media: 0, reject_reports: 0, private_comment: "",
    public_comment: "", obfuscate: 0, subscription_id: null, created_at: "2026-01-01T00:00:00.000Z", updated_at: "", ...fields,
  };
}

function policyOver(blocks: DomainBlockRow[]) {
  const settings = new Map<string, string>();
  const stores = {
    domainBlocks: { all: async () => blocks, allAllows: async () => [] },
    settings: { get: async (key: string) => settings.get(key), put: async (key: string, value: string) => void settings.set(key, value) },
  } as unknown as Stores;
  return new DomainPolicy(stores, "blocklist", "skein.example");
}

function account(fields: Partial<AccountRow>): AccountRow {
  return {
    id: "1", username: "someone", domain: null, display_name: "", note: "", fields: "[]", locked: 0, bot: 0, discoverable: 1, indexable: 1,
    uri: "https://remote.example/users/someone", url: null, avatar_url: "https://remote.example/a.png", header_url: "https://remote.example/h.png",
    followers_count: 0, following_count: 0, statuses_count: 0, last_status_at: null, suspended_at: null, created_at: "2020-01-01T00:00:00.000Z",
    updated_at: "2020-01-01T00:00:00.000Z", inbox_url: null, shared_inbox_url: null, followers_url: null, featured_url: null, also_known_as: null,
    fetched_at: null, actor_type: "Person", moved_to_account_id: null, silenced_at: null, sensitized_at: null, suspension_origin: null, avatar_key: null, avatar_static_key: null, header_key: null, header_static_key: null, ...fields,
  };
}

test("a domain silence marks its accounts (and its known subdomains') with the block's time, and lifting it clears only that mark", async () => {
  const calls: string[] = [];
  const known = ["quiet.example", "a.quiet.example", "notquiet.example", "other.example"];
  const stores = {
    accountLimits: {
      knownDomains: async () => known,
      silenceDomains: async (domains: string[], at: string) => void calls.push(`silence ${domains.join(",")} ${at}`),
      unsilenceDomains: async (domains: string[], at: string) => void calls.push(`unsilence ${domains.join(",")} ${at}`),
    },
  } as unknown as Stores;
  const limits = new LimitedAccounts(stores, policyOver([]));
  const silence = block("quiet.example");
  await limits.domainPolicyChanged({ domain: "quiet.example", before: null, after: silence });
  await limits.domainPolicyChanged({ domain: "quiet.example", before: silence, after: { ...silence, reject_media: 1 } });
  await limits.domainPolicyChanged({ domain: "quiet.example", before: silence, after: { ...silence, severity: "noop" } });
  await limits.domainPolicyChanged({ domain: "gone.example", before: null, after: block("gone.example", { severity: "suspend" }) });
  assert.deepEqual(calls, [
    "silence quiet.example,a.quiet.example 2026-01-01T00:00:00.000Z",
    // An option changed, the silence did not: nothing to do.
    "unsilence quiet.example,a.quiet.example 2026-01-01T00:00:00.000Z",
  ]);
});

test("lifting a subdomain's silence leaves its accounts under a parent's silence", async () => {
  const calls: string[] = [];
  const known: string[] = [];
  const stores = {
    accountLimits: {
      knownDomains: async () => known,
      silenceDomains: async (domains: string[], at: string) => void calls.push(`silence ${domains.join(",")} ${at}`),
      unsilenceDomains: async (domains: string[], at: string) => void calls.push(`unsilence ${domains.join(",")} ${at}`),
    },
  } as unknown as Stores;
  const parent = block("example.org", { created_at: "2026-02-01T00:00:00.000Z" });
  const policy = policyOver([parent]);
  await policy.changed();
  const limits = new LimitedAccounts(stores, policy);
  await limits.domainPolicyChanged({ domain: "sub.example.org", before: block("sub.example.org"), after: null });
  assert.deepEqual(calls, ["unsilence sub.example.org 2026-01-01T00:00:00.000Z", "silence sub.example.org 2026-02-01T00:00:00.000Z"]);
});

test("limited: a moderator's limit, or a silenced domain or parent; new accounts of a silenced domain start limited", async () => {
  const policy = policyOver([block("quiet.example"), block("loud.example", { severity: "noop", reject_media: 1 })]);
  await policy.changed();
  assert.equal(isLimited(account({ domain: "quiet.example" }), policy), true);
  assert.equal(isLimited(account({ domain: "sub.quiet.example" }), policy), true);
  assert.equal(isLimited(account({ domain: "loud.example" }), policy), false, "reject_media alone is no limit");
  assert.equal(isLimited(account({ domain: null, silenced_at: "2026-01-02T00:00:00.000Z" }), policy), true);
  assert.equal(isLimited(account({ domain: null }), policy), false);
  const limits = new LimitedAccounts({} as Stores, policy);
  assert.equal(await limits.silencedAtFor("sub.quiet.example"), "2026-01-01T00:00:00.000Z");
  assert.equal(await limits.silencedAtFor("loud.example"), null);
  assert.equal(await limits.silencedAtFor(null), null);
});

test("the policy's verdict on a limited sender: filter by default, accept from followed or accepted senders, drop if asked", async () => {
  const policies = new Map<string, NotificationPolicyRow>();
  const follows = new Set<string>();
  const permitted = new Set<string>();
  const stores = {
    notificationGroups: { policy: async (id: string) => policies.get(id) },
    relationships: { find: async (_: string, from: string, to: string) => (follows.has(`${from}>${to}`) ? { id: "f" } : undefined) },
    notificationRequests: { permitted: async (to: string, from: string) => permitted.has(`${to}<${from}`) },
    accounts: { byId: async () => account({ created_at: "2020-01-01T00:00:00.000Z" }) },
    statuses: { byId: async () => undefined },
    users: { byUsername: async () => undefined },
  } as unknown as Stores;
  assert.equal(await policyVerdict(stores, "me", "them", "mention", "s", true), "filter");
  assert.equal(await policyVerdict(stores, "me", "them", "mention", "s", false), "accept", "an ordinary stranger is accepted by default");
  assert.equal(await policyVerdict(stores, "me", "them", "poll", "s", true), "accept", "poll results are never filtered");
  follows.add("me>them");
  assert.equal(await policyVerdict(stores, "me", "them", "favourite", "s", true), "accept", "one hears from those one follows");
  follows.clear();
  permitted.add("me<them");
  assert.equal(await policyVerdict(stores, "me", "them", "follow", null, true), "accept", "an accepted request");
  permitted.clear();
  policies.set("me", { account_id: "me", for_not_following: "filter", for_not_followers: "accept", for_new_accounts: "accept", for_private_mentions: "filter", for_limited_accounts: "drop", updated_at: "" });
  assert.equal(await policyVerdict(stores, "me", "them", "mention", "s", true), "drop", "the strictest rule wins");
  assert.equal(await policyVerdict(stores, "me", "them", "mention", "s", false), "filter", "for_not_following: filter holds a stranger's mention as a request");
  policies.set("me", { ...policies.get("me")!, for_not_following: "drop", for_limited_accounts: "filter" });
  assert.equal(await policyVerdict(stores, "me", "them", "mention", "s", true), "drop", "a drop of another rule beats the limit's filter");
});

test("reject_media: placeholder avatar and header, attachments of type unknown without our URL; local accounts untouched", async () => {
  const policy = policyOver([block("media.example", { severity: "noop", reject_media: 1 }), block("gone.example", { severity: "suspend" })]);
  await policy.changed();
  const rejected = mediaRejectedFor(policy);
  assert.deepEqual([rejected("media.example"), rejected("cdn.media.example"), rejected("gone.example"), rejected("fine.example"), rejected(null)], [true, true, true, false, false]);
  const ctx = { origin: "https://skein.example", mediaRejected: rejected };
  const shown = toAccount(account({ domain: "media.example" }), ctx);
  assert.equal(shown.avatar, `https://skein.example${MISSING_AVATAR_PATH}`);
  assert.equal(shown.avatar_static, shown.avatar);
  assert.match(shown.header, /missing\.png$/);
  assert.equal(toAccount(account({ domain: "fine.example" }), ctx).avatar, "https://remote.example/a.png");

  const media: MediaRow = {
    id: "9", status_id: "8", account_id: "1", type: "image", remote_url: "https://media.example/x.png", url: null, preview_url: null, media_type: "image/png",
    description: "a cat", blurhash: null, width: 10, height: 10, focus_x: null, focus_y: null, position: 0, created_at: "",
    processing: "done", upload_key: null, file_key: null, preview_key: null, file_size: null, preview_size: null, meta: null, remote_preview_url: null, processing_error: null, updated_at: null, scheduled_status_id: null,
  };
  const hidden = toMediaAttachment(media, true);
  assert.deepEqual([hidden.type, hidden.url, hidden.preview_url, hidden.remote_url, hidden.description], ["unknown", null, null, "https://media.example/x.png", "a cat"]);
  assert.equal(toMediaAttachment(media).url, "https://media.example/x.png");

  assert.equal(await mediaUrlMayBeFetched(policy, "https://cdn.media.example/x.png"), false);
  assert.equal(await mediaUrlMayBeFetched(policy, "https://fine.example/x.png"), true);
  assert.equal(await mediaUrlMayBeFetched(policy, "file:///etc/passwd"), false);
  assert.equal(await mediaUrlMayBeFetched(policy, "not a url"), false);
});
