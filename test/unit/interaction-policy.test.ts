// Interaction policies (domain/quotes/policy.ts): how local policies are announced, how a rule
// applies to an actor, and how another server's interactionPolicy is read.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import { Note } from "@fedify/vocab";
import { approvalNames, decide, localRules, PUBLIC_URI } from "../../src/domain/quotes/policy.ts";
import { fromInteractionPolicy } from "../../src/convert/activitypub/interaction-policy.ts";

const author = { authorUri: "https://a.test/users/alice", followersUri: "https://a.test/users/alice/followers", followingUri: "https://a.test/users/alice/following" };
const stranger = { actorUri: "https://c.test/users/carol", isAuthor: false, follower: false, followed: false, mentioned: false };

test("local policies: what a Note announces per kind and visibility", () => {
  const rules = localRules({ quote: "followers", reply: "nobody" }, "public", author);
  assert.deepEqual(rules.quote, { automatic: [author.followersUri], manual: [] });
  assert.deepEqual(rules.reply, { automatic: [author.authorUri], manual: [] });
  assert.deepEqual(rules.like.automatic, [PUBLIC_URI]);
  // Followers-only posts are quoted and boosted by nobody but their author.
  const privateRules = localRules({ quote: "public", reply: "public" }, "private", author);
  assert.deepEqual(privateRules.quote.automatic, [author.authorUri]);
  assert.deepEqual(privateRules.announce.automatic, [author.authorUri]);
  assert.deepEqual(approvalNames(rules.quote.automatic, author), ["followers"]);
  assert.deepEqual(approvalNames([author.authorUri], author), []);
});

test("decisions: public, followers, following, mentioned, the author, manual approval, no rule", () => {
  const rules = localRules({ quote: "followers", reply: "following" }, "public", author);
  assert.equal(decide(rules.quote, stranger, author, "quote"), "denied");
  assert.equal(decide(rules.quote, { ...stranger, follower: true }, author, "quote"), "automatic");
  assert.equal(decide(rules.reply, { ...stranger, follower: true }, author, "reply"), "denied");
  assert.equal(decide(rules.reply, { ...stranger, followed: true }, author, "reply"), "automatic");
  assert.equal(decide(rules.reply, { ...stranger, mentioned: true }, author, "reply"), "automatic", "GoToSocial: mentioned accounts may always reply");
  assert.equal(decide(rules.quote, { ...stranger, isAuthor: true }, author, "quote"), "automatic");
  assert.equal(decide({ automatic: [], manual: [PUBLIC_URI] }, stranger, author, "quote"), "manual");
  assert.equal(decide({ automatic: [stranger.actorUri], manual: [] }, stranger, author, "reply"), "automatic");
  // Without a rule: replies, likes and boosts are open (as before policies), quotes are not.
  assert.equal(decide(undefined, stranger, author, "reply"), "automatic");
  assert.equal(decide(undefined, stranger, author, "quote"), "denied");
});

test("another server's interactionPolicy is read from its Note (GoToSocial's and Mastodon's JSON), bounded", async () => {
  const note = await Note.fromJsonLd({
    "@context": ["https://www.w3.org/ns/activitystreams", "https://gotosocial.org/ns"],
    type: "Note",
    id: "https://g.test/statuses/1",
    attributedTo: "https://g.test/users/gina",
    content: "hi",
    interactionPolicy: {
      canQuote: { automaticApproval: "https://www.w3.org/ns/activitystreams#Public" },
      canReply: { automaticApproval: ["https://g.test/users/gina/followers"], manualApproval: ["https://www.w3.org/ns/activitystreams#Public"] },
      canLike: { automaticApproval: Array.from({ length: 80 }, (_, i) => `https://x.test/u/${i}`) },
    },
  });
  const parsed = fromInteractionPolicy(note.interactionPolicy);
  assert.deepEqual(parsed?.quote, { automatic: [PUBLIC_URI], manual: [] });
  assert.deepEqual(parsed?.reply, { automatic: ["https://g.test/users/gina/followers"], manual: [PUBLIC_URI] });
  assert.equal(parsed?.like?.automatic.length, 50);
  assert.equal(parsed?.announce, undefined);
  assert.equal(fromInteractionPolicy(null), null);
});
