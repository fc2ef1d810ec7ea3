// /api/v1/profile: the profile as its owner edits it (GET/PATCH, Mastodon 4.6, through the same
// profile update as update_credentials, so followers' servers hear of it), and removing the
// avatar or header (Mastodon 4.2+).
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { ApiError } from "../../errors.ts";
import { toCredentialAccount } from "../../../convert/mastodon/account.ts";
import { convertContext } from "../../render.ts";
import { MediaError } from "../../../media/types.ts";
import { receiveUploads } from "../../uploads.ts";
import { PROFILE_IMAGE_LIMIT } from "../../../domain/media/profile-images.ts";
import { toProfile } from "../../../convert/mastodon/account-features.ts";
import { profileChangesOf } from "./profile-params.ts";

export const profileMediaRoutes = new Hono<AppEnv>();

/** The pipeline's refusals as Mastodon answers them: 413 for a file too large, 422 otherwise. */
export async function profileImageErrors<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof MediaError) throw new ApiError(error.kind === "too_large" ? 413 : 422, `Validation failed: ${error.message}`);
    throw error;
  }
}

for (const kind of ["avatar", "header"] as const) {
  profileMediaRoutes.delete(`/${kind}`, requireScope("write:accounts"), async (c) => {
    const services = c.get("services");
    const updated = await services.profileImages.remove(currentUser(c).user, kind);
    return c.json(toCredentialAccount(updated.account, updated.user, convertContext(c), await services.accounts.followRequestCount(updated.account.id)));
  });
}

profileMediaRoutes.get("/", requireScope("read:accounts"), async (c) => {
  const { user, account } = currentUser(c);
  return c.json(toProfile(account, user, await c.get("services").featuredTags.own(account), convertContext(c)));
});

// What Mastodon 4.6 accepts here that Skein does not keep (attribution_domains, image
// descriptions, hide_collections, show_media, show_media_replies, show_featured) is ignored.
// PUT as well: Mastodon's Rails route takes both, and masto.js sends PUT.
for (const method of ["patch", "put"] as const) profileMediaRoutes[method]("/", requireScope("write:accounts"), async (c) => {
  const { user } = currentUser(c);
  const upload = await receiveUploads(c, { avatar: PROFILE_IMAGE_LIMIT, header: PROFILE_IMAGE_LIMIT });
  try {
    const params = upload.params;
    const services = c.get("services");
    const changes = profileChangesOf(params);
    const files = { avatar: upload.files.avatar?.path, header: upload.files.header?.path };
    const updated = await profileImageErrors(services.profileImages.updateProfile(user, changes, files));
    return c.json(toProfile(updated.account, updated.user, await services.featuredTags.own(updated.account), convertContext(c)));
  } finally {
    await upload.cleanup();
  }
});
