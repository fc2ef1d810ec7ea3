// The moderation services, assembled together: what moderators decide (accounts, reports,
// domain policy, sign-up blocks), the record of it, and the policy every other part consults.
// Each capability is its own file in this folder; this one only wires them.
import type { Config } from "../../config/config.ts";
import type { Stores } from "../../store/stores.ts";
import { AuditLog } from "./audit-log.ts";
import { DomainPolicy } from "./domain-policy.ts";
import { DomainBlockService } from "./domain-block-service.ts";

export interface Moderation {
  /** The domain policy in memory: what a host may do (consulted on every inbox POST and delivery). */
  policy: DomainPolicy;
  domainBlocks: DomainBlockService;
  audit: AuditLog;
}

export function createModeration(stores: Stores, config: Config): Moderation {
  const policy = new DomainPolicy(stores, config.federationMode, config.localDomain);
  const audit = new AuditLog(stores);
  return {
    policy,
    audit,
    domainBlocks: new DomainBlockService(stores, policy, audit),
  };
}
