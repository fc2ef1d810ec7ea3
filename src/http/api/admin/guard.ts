// Every admin endpoint asks two things: a token holding the admin scope it needs (granular,
// e.g. admin:write:domain_blocks, or the broader admin:write), and a user whose role grants the
// permission. Mastodon answers a missing scope and a missing permission alike: 403.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { requireScope } from "../../auth.ts";
import type { Permission } from "../../../domain/moderation/roles.ts";

export function requireAdmin(scope: string, permission: Permission): MiddlewareHandler<AppEnv> {
  const scoped = requireScope(scope);
  return async (c, next) => {
    await scoped(c, async () => {});
    const auth = c.get("auth")!;
    if (!auth.user) throw new ApiError(403, "This action is not allowed");
    if (!c.get("services").moderation.roles.book.has(auth.user.role, permission)) throw new ApiError(403, "This action is not allowed");
    return next();
  };
}
