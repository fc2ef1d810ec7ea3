// Storing remote actors, below the HTTP layer, over the suite's database. A new sender's first
// activities often arrive together (a reply and a mention, a thread's posts), and each delivery
// stores the sender: every one of them must get the account, or its activity is dropped.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { inProcessRuntime } from "../support/runtime.ts";
import type { Runtime } from "../../src/server/context.ts";
import { RemoteAccountService, type RemoteActor } from "../../src/domain/accounts/remote-accounts.ts";
import type { Stores } from "../../src/store/stores.ts";

let runtime: Runtime;
let close: () => Promise<void>;

function actor(username: string, domain: string, uri = `https://${domain}/users/${username}`): RemoteActor {
  return {
    uri, username, domain, url: null, displayName: username, note: "", fields: [], locked: false, bot: false, group: false,
    discoverable: true, indexable: true, avatarUrl: null, headerUrl: null, inboxUrl: `${uri}/inbox`, sharedInboxUrl: `https://${domain}/inbox`,
    followersUrl: null, featuredUrl: null, alsoKnownAs: [], actorType: "Person", published: null,
  };
}

before(async () => {
  ({ runtime, close } = await inProcessRuntime());
});

after(async () => {
  await close?.();
});

test("twenty deliveries storing one new sender at once all get the same account", async () => {
  const saved = await Promise.all(Array.from({ length: 20 }, () => runtime.services.remoteAccounts.save(actor("carol", "c.test"))));
  const ids = new Set(saved.map((account) => account?.id ?? "none"));
  assert.equal(ids.size, 1, `each delivery's account: ${[...ids].join(", ")}`);
  assert.ok(!ids.has("none"));
});

test("an actor stored by another delivery between this one's two lookups is that account, while another URI with its handle is refused", async () => {
  // The interleaving concurrent deliveries allow, made certain: this delivery looks the actor up
  // by URI and misses; the other delivery stores it; this one then finds its handle taken.
  const other = await runtime.services.remoteAccounts.save(actor("dave", "d.test"));
  assert.ok(other);
  let missed = false;
  const beforeTheOtherCommitted = Object.assign(Object.create(runtime.stores.accounts), {
    byUri: async (uri: string) => (missed ? runtime.stores.accounts.byUri(uri) : ((missed = true), undefined)),
  });
  const service = new RemoteAccountService({ ...runtime.stores, accounts: beforeTheOtherCommitted } as Stores);
  const same = await service.save({ ...actor("dave", "d.test"), displayName: "Dave" });
  assert.ok(missed);
  assert.equal(same?.id, other.id);
  assert.equal(same?.display_name, "Dave", "the newer document is kept");

  // A different actor claiming the handle is still refused (the federation layer may rehome it).
  assert.equal(await runtime.services.remoteAccounts.save(actor("dave", "d.test", "https://d.test/actors/2")), null);
});
