// The business layer, assembled once per process over the stores. HTTP handlers, the CLI and
// (later) federation call these; none of them touches the stores directly.
import type { Config } from "../config/config.ts";
import type { Stores } from "../store/stores.ts";
import { AccountService } from "./accounts/account-service.ts";
import { OAuthService } from "./oauth/oauth-service.ts";
import { SessionService } from "./auth/session-service.ts";
import { InstanceService } from "./instance/instance-service.ts";

export interface Services {
  config: Config;
  accounts: AccountService;
  oauth: OAuthService;
  sessions: SessionService;
  instance: InstanceService;
}

export function createServices(stores: Stores, config: Config): Services {
  return {
    config,
    accounts: new AccountService(stores, config),
    oauth: new OAuthService(stores),
    sessions: new SessionService(stores),
    instance: new InstanceService(stores, config),
  };
}
