// What the federation layer works with: configuration, the domain services, the stores it reads
// for delivery (follower inboxes, keys), and Fedify's federation object.
import type { Federation } from "@fedify/fedify";
import type { Config } from "../config/config.ts";
import type { Services } from "../domain/services.ts";
import type { Stores } from "../store/stores.ts";

export interface FederationDeps {
  config: Config;
  services: Services;
  stores: Stores;
}

export type SkeinFederation = Federation<void>;
