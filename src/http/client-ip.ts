import type { Context } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { AppEnv } from "./env.ts";

/** The client's address: the socket's, or the proxy's word for it when TRUST_PROXY is set. */
export function clientIp(c: Context<AppEnv>): string {
  if (c.get("services").config.trustProxy) {
    // The last entry is the one our proxy added; earlier ones come from the client and can be forged.
    const forwarded = c.req.header("x-forwarded-for")?.split(",").pop()?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
