import type { Context } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { AppEnv } from "./env.ts";

/** The client's address: the socket's, or the proxy's word for it when TRUST_PROXY is set. */
export function clientIp(c: Context<AppEnv>): string {
  if (c.get("services").config.trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
