// /api/v1/profile (Mastodon 4.2+): removing the avatar or header. Setting them is
// update_credentials' `avatar` and `header` (accounts.ts).
import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { currentUser, requireScope } from "../../auth.ts";
import { ApiError } from "../../errors.ts";
import { toCredentialAccount } from "../../../convert/mastodon/account.ts";
import { convertContext } from "../../render.ts";
import { MediaError } from "../../../media/types.ts";

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
