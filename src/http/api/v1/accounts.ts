// /api/v1/accounts: profiles, the signed-in user's own account, relationships between accounts.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { toAccount, toCredentialAccount } from "../../../convert/mastodon/account.ts";
import { bool, int, readParams, str, type Params } from "../../params.ts";
import { ApiError } from "../../errors.ts";
import { parseId } from "../../../util/ids.ts";
import { convertContext, renderAccounts, renderStatuses, viewerId } from "../../render.ts";
import { offsetPage, pageRequest, setLinkHeader } from "../../pagination.ts";
import { toList } from "../../../convert/mastodon/list.ts";
import { receiveUploads } from "../../uploads.ts";
import { PROFILE_IMAGE_LIMIT } from "../../../domain/media/profile-images.ts";
import { profileImageErrors } from "./profile.ts";
import { profileChangesOf } from "./profile-params.ts";

export const accountsRoutes = new Hono<AppEnv>();

function accountId(c: Context<AppEnv>): string {
  const id = parseId(c.req.param("id"));
  if (!id) throw new ApiError(404, "Record not found");
  return id;
}

/** The longest timed mute: ten years (the relationship service refuses longer ones too). */
const MAX_MUTE_SECONDS = 10 * 365 * 86_400;

const flag = (value: string | undefined) => value === "true" || value === "1";

accountsRoutes.get("/verify_credentials", requireScope("read:accounts", "profile"), async (c) => {
  const { user, account } = currentUser(c);
  const services = c.get("services");
  return c.json(toCredentialAccount(account, user, convertContext(c), await services.accounts.followRequestCount(account.id)));
});

accountsRoutes.patch("/update_credentials", requireScope("write:accounts"), async (c) => {
  const { user } = currentUser(c);
  // `avatar` and `header` files (multipart), each streamed to disk under its limit.
  const upload = await receiveUploads(c, { avatar: PROFILE_IMAGE_LIMIT, header: PROFILE_IMAGE_LIMIT });
  try {
    const params = upload.params;
    const source = (params.source ?? {}) as Params;
    if (typeof source !== "object") throw new ApiError(422, "source must be an object");
    const services = c.get("services");
    const changes = {
      ...profileChangesOf(params),
      privacy: str(source, "privacy", 20),
      sensitive: bool(source, "sensitive"),
      language: str(source, "language", 10),
    };
    services.quotes.checkDefaultPolicy(str(source, "quote_policy", 20));
    const files = { avatar: upload.files.avatar?.path, header: upload.files.header?.path };
    const updated = await profileImageErrors(services.profileImages.updateProfile(user, changes, files));
    updated.user.settings = await services.quotes.setDefaultPolicy(updated.user, str(source, "quote_policy", 20));
    return c.json(toCredentialAccount(updated.account, updated.user, convertContext(c), await services.accounts.followRequestCount(updated.account.id)));
  } finally {
    await upload.cleanup();
  }
});

// Moving accounts, with GoToSocial's API (Mastodon offers it only in its web settings).
accountsRoutes.post("/alias", requireScope("write:accounts"), async (c) => {
  const params = await readParams(c);
  const uris = params.also_known_as_uris ?? params["also_known_as_uris[]"] ?? [];
  if (!Array.isArray(uris) || !uris.every((u) => typeof u === "string")) throw new ApiError(422, "also_known_as_uris must be a list of account URIs");
  const services = c.get("services");
  const account = await services.moves.setAliases(currentUser(c).user, uris as string[]);
  return c.json(toCredentialAccount(account, currentUser(c).user, convertContext(c)));
});

accountsRoutes.post("/move", requireScope("write:accounts"), async (c) => {
  const params = await readParams(c);
  const target = str(params, "moved_to_uri", 2000);
  const password = str(params, "password", 1000);
  if (!target || !password) throw new ApiError(422, "moved_to_uri and password are required");
  await c.get("services").moves.move(currentUser(c).user, password, target);
  return c.body(null, 202);
});

accountsRoutes.get("/lookup", async (c) => {
  const acct = c.req.query("acct");
  if (!acct) throw new ApiError(422, "acct is required");
  // Signed-in readers may look up accounts of other servers, fetched on demand.
  const account = await c.get("services").search.lookupAccount(acct, c.get("auth")?.account != null);
  return c.json(toAccount(account, convertContext(c)));
});

accountsRoutes.get("/search", requireScope("read:accounts"), async (c) => {
  const q = (c.req.query("q") ?? "").trim();
  if (!q) return c.json([]);
  const { limit, offset } = offsetPage(c, 40, 80);
  return c.json(renderAccounts(c, await c.get("services").accounts.search(q.slice(0, 100), limit, offset)));
});

accountsRoutes.get("/relationships", requireScope("read:follows"), async (c) => {
  const ids = (c.req.queries("id[]") ?? c.req.queries("id") ?? []).map(parseId).filter((id): id is string => id !== null).slice(0, 100);
  return c.json(await c.get("services").relationships.relationships(currentUser(c).account.id, ids));
});

accountsRoutes.get("/familiar_followers", requireScope("read:follows"), async (c) => {
  const ids = (c.req.queries("id[]") ?? c.req.queries("id") ?? []).map(parseId).filter((id): id is string => id !== null).slice(0, 40);
  return c.json(ids.map((id) => ({ id, accounts: [] })));
});

accountsRoutes.get("/:id", async (c) => {
  const account = await c.get("services").accounts.visible(accountId(c));
  return c.json(toAccount(account, convertContext(c)));
});

accountsRoutes.get("/:id/statuses", async (c) => {
  const rows = await c.get("services").timelines.account(
    accountId(c),
    viewerId(c),
    {
      pinnedOnly: flag(c.req.query("pinned")),
      excludeReplies: flag(c.req.query("exclude_replies")),
      excludeReblogs: flag(c.req.query("exclude_reblogs")),
      onlyMedia: flag(c.req.query("only_media")),
      tagged: c.req.query("tagged")?.replace(/^#/, "") || undefined,
    },
    pageRequest(c),
  );
  setLinkHeader(c, rows.map((r) => r.id));
  return c.json(await renderStatuses(c, rows));
});

for (const kind of ["followers", "following"] as const) {
  accountsRoutes.get(`/:id/${kind}`, async (c) => {
    const rows = await c.get("services").relationships.list(kind, accountId(c), pageRequest(c, { defaultLimit: 40, maxLimit: 80 }));
    setLinkHeader(c, rows.map((r) => r.relationId));
    return c.json(renderAccounts(c, rows.map((r) => r.account)));
  });
}

accountsRoutes.get("/:id/lists", requireScope("read:lists"), async (c) => {
  const lists = await c.get("services").lists.containing(currentUser(c).account.id, accountId(c));
  return c.json(lists.map(toList));
});
accountsRoutes.get("/:id/identity_proofs", (c) => c.json([]));

accountsRoutes.post("/:id/follow", requireScope("write:follows"), async (c) => {
  const params = await readParams(c);
  return c.json(await c.get("services").relationships.follow(currentUser(c).account, accountId(c), { reblogs: bool(params, "reblogs"), notify: bool(params, "notify") }));
});
accountsRoutes.post("/:id/unfollow", requireScope("write:follows"), async (c) => c.json(await c.get("services").relationships.unfollow(currentUser(c).account, accountId(c))));
accountsRoutes.post("/:id/remove_from_followers", requireScope("write:follows"), async (c) =>
  c.json(await c.get("services").relationships.removeFromFollowers(currentUser(c).account, accountId(c))),
);
accountsRoutes.post("/:id/block", requireScope("write:blocks"), async (c) => c.json(await c.get("services").relationships.block(currentUser(c).account, accountId(c))));
accountsRoutes.post("/:id/unblock", requireScope("write:blocks"), async (c) => c.json(await c.get("services").relationships.unblock(currentUser(c).account, accountId(c))));
accountsRoutes.post("/:id/mute", requireScope("write:mutes"), async (c) => {
  const params = await readParams(c);
  // Seconds; 0 (or none) mutes until unmuted.
  const duration = int(params, "duration", { min: 0, max: MAX_MUTE_SECONDS, default: 0 });
  return c.json(await c.get("services").relationships.mute(currentUser(c).account, accountId(c), { notifications: bool(params, "notifications"), durationSeconds: duration }));
});
accountsRoutes.post("/:id/unmute", requireScope("write:mutes"), async (c) => c.json(await c.get("services").relationships.unmute(currentUser(c).account, accountId(c))));
