// The typed context every handler sees.
import type { Services } from "../domain/services.ts";
import type { Authenticated } from "../domain/oauth/oauth-service.ts";

export interface AppEnv {
  Variables: {
    services: Services;
    /** The bearer token's holder, or null for anonymous requests. */
    auth: Authenticated | null;
  };
}
