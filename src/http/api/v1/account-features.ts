// What accounts say about other accounts, under /api/v1/accounts and /api/v1/endorsements:
// several accounts at once (?id[]=), private notes, endorsements (+ the older pin/unpin), an
// account's featured tags and collections.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { readParams } from "../../params.ts";
import { ApiError } from "../../errors.ts";
import { parseId } from "../../../util/ids.ts";
import { convertContext, renderAccounts, viewerId } from "../../render.ts";
import { offsetPage, pageRequest, setLinkHeader, setOffsetLinks } from "../../pagination.ts";
import { toFeaturedTag, toCollection } from "../../../convert/mastodon/account-features.ts";
import { NOTE_MAX_LENGTH } from "../../../domain/accounts/account-notes.ts";

export const accountFeaturesRoutes = new Hono<AppEnv>();
export const endorsementsRoutes = new Hono<AppEnv>();

/** Mastodon's limit on GET /api/v1/accounts?id[]=. */
const MAX_ACCOUNTS = 40;

function accountId(c: Context<AppEnv>, name = "id"): string {
  const id = parseId(c.req.param(name) ?? "");
  if (!id) throw new ApiError(404, "Record not found");
  return id;
}

async function relationship(c: Context<AppEnv>, targetId: string) {
  return (await c.get("services").relationships.relationships(currentUser(c).account.id, [targetId]))[0];
}

// Several profiles at once (Mastodon 4.3): unknown and suspended accounts are left out.
accountFeaturesRoutes.get("/", async (c) => {
  const raw = c.req.queries("id[]") ?? c.req.queries("id") ?? [];
  if (raw.length > MAX_ACCOUNTS) {
    const message = `At most ${MAX_ACCOUNTS} accounts may be asked for at once`;
    throw new ApiError(422, message, {}, { id: [{ error: "ERR_TOO_MANY", description: message }] });
  }
  const ids = [...new Set(raw.map(parseId).filter((id): id is string => id !== null))];
  const accounts = await c.get("services").accounts.visibleAmong(ids);
  return c.json(renderAccounts(c, accounts));
});

accountFeaturesRoutes.post("/:id/note", requireScope("write:accounts"), async (c) => {
  const params = await readParams(c);
  const comment = params.comment ?? "";
  if (typeof comment !== "string") throw new ApiError(422, "comment must be a string");
  if (comment.length > NOTE_MAX_LENGTH * 2) throw new ApiError(422, `Validation failed: Comment is too long (maximum is ${NOTE_MAX_LENGTH} characters)`);
  const id = accountId(c);
  await c.get("services").accountNotes.set(currentUser(c).account, id, comment);
  return c.json(await relationship(c, id));
});

for (const [path, endorse] of [["endorse", true], ["pin", true], ["unendorse", false], ["unpin", false]] as const) {
  accountFeaturesRoutes.post(`/:id/${path}`, requireScope("write:accounts"), async (c) => {
    const id = accountId(c);
    const service = c.get("services").endorsements;
    await (endorse ? service.endorse(currentUser(c).account, id) : service.unendorse(currentUser(c).account, id));
    return c.json(await relationship(c, id));
  });
}

accountFeaturesRoutes.get("/:id/endorsements", async (c) => {
  const rows = await c.get("services").endorsements.endorsedBy(accountId(c), pageRequest(c, { defaultLimit: 40, maxLimit: 80 }));
  setLinkHeader(c, rows.map((r) => r.relationId));
  return c.json(renderAccounts(c, rows.map((r) => r.account)));
});

endorsementsRoutes.get("/", requireScope("read:accounts"), async (c) => {
  const me = currentUser(c).account;
  const rows = await c.get("services").endorsements.endorsedBy(me.id, pageRequest(c, { defaultLimit: 40, maxLimit: 80 }));
  setLinkHeader(c, rows.map((r) => r.relationId));
  return c.json(renderAccounts(c, rows.map((r) => r.account)));
});

accountFeaturesRoutes.get("/:id/featured_tags", async (c) => {
  const { account, tags } = await c.get("services").featuredTags.ofAccount(accountId(c));
  const ctx = convertContext(c);
  return c.json(tags.map((t) => toFeaturedTag(t, account, ctx)));
});

for (const [path, featuring] of [["collections", false], ["in_collections", true]] as const) {
  accountFeaturesRoutes.get(`/:id/${path}`, async (c) => {
    const page = offsetPage(c, 40, 80);
    const service = c.get("services").collections;
    const views = await (featuring ? service.featuring : service.ofAccount).call(service, accountId(c), viewerId(c), page);
    setOffsetLinks(c, page, views.length);
    const ctx = convertContext(c);
    return c.json({ collections: views.map((v) => toCollection(v, ctx)) });
  });
}
