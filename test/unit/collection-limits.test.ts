// Collections hold at most 25 accounts, whether given at creation or added one by one (the
// end-to-end file cannot show the creation case: the description's CustomError422 requires a
// `name` detail, while Mastodon, and Skein, name the attribute that failed).
// skein-test: once (an SQLite file of its own, whatever the suite's database)
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../src/config/config.ts";
import { openDatabase } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { createStores } from "../../src/store/stores.ts";
import { createServices } from "../../src/domain/services.ts";
import { CollectionFieldError, COLLECTION_MAX_ITEMS } from "../../src/domain/accounts/collections/collection-service.ts";

const temporary = fs.mkdtempSync(path.join(os.tmpdir(), "skein-collections-"));
after(() => fs.rmSync(temporary, { recursive: true, force: true }));

test("a collection takes 25 accounts and refuses the 26th, at creation and when adding", async () => {
  const config = loadConfig({ LOCAL_DOMAIN: "social.example", DATA_DIR: path.join(temporary, "data") });
  const database = await openDatabase({ kind: "sqlite", file: path.join(temporary, "unit.sqlite") });
  try {
    await migrateToLatest(database);
    const stores = createStores(database.db);
    const services = createServices(stores, config);
    const owner = (await services.accounts.createLocal({ username: "owner", email: "owner@social.example", password: "a long password 1" })).account;
    const featured: string[] = [];
    for (let i = 0; i < COLLECTION_MAX_ITEMS + 1; i++) {
      const { account } = await services.accounts.createLocal({ username: `member${i}`, email: `member${i}@social.example`, password: "a long password 1" });
      await stores.accounts.update(account.id, { discoverable: 1 });
      featured.push(account.id);
    }
    await assert.rejects(services.collections.create(owner, { name: "Too many" }, featured), (e) => e instanceof CollectionFieldError && e.field === "collection_items");
    assert.equal(await stores.collections.countOf(owner.id), 0, "nothing is created");

    const full = await services.collections.create(owner, { name: "Full" }, featured.slice(0, COLLECTION_MAX_ITEMS));
    assert.equal(full.itemCount, COLLECTION_MAX_ITEMS);
    await assert.rejects(services.collections.addItem(owner, full.collection.id, featured[COLLECTION_MAX_ITEMS]), (e) => e instanceof CollectionFieldError && e.field === "collection_items");
    // Room again once an item is removed.
    await services.collections.removeItem(owner, full.collection.id, full.items[0].id);
    const item = await services.collections.addItem(owner, full.collection.id, featured[COLLECTION_MAX_ITEMS]);
    assert.equal(item.state, "accepted");
  } finally {
    await database.close();
  }
});
