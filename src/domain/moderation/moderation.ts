// The moderation services, assembled together: what moderators decide (accounts, reports,
// domain policy, sign-up blocks), the record of it, and the policy every other part consults.
// Each capability is its own file in this folder; this one only wires them.
import type { Config } from "../../config/config.ts";
import type { Stores } from "../../store/stores.ts";
import { AuditLog } from "./audit-log.ts";
import { DomainPolicy } from "./domain-policy.ts";
import { DomainBlockService } from "./domain-block-service.ts";
import { DomainBlockPreviews } from "./domain-block-preview.ts";
import { AccountModeration } from "./account-moderation.ts";
import { RoleBook } from "./role-book.ts";
import { RoleService } from "./role-service.ts";
import { BlocklistService } from "./blocklists/subscriptions.ts";
import { HttpBlocklistSource } from "./blocklists/fetch.ts";
import { SignUpBlockService } from "./sign-up-blocks.ts";
import { Measures } from "./measures.ts";
import { withEnforcement, type DomainEnforcement } from "./domain-enforcement.ts";
import type { SeveredRelationships } from "./severed-relationships.ts";
import { ReportService } from "./report-service.ts";
import { LimitedAccounts } from "./limited-accounts.ts";
import { UserDomainBlockService, type FollowSevering } from "./user-domain-blocks.ts";
import type { Outbox } from "../outbox.ts";
import type { EventBus } from "../events.ts";

export interface Moderation {
  /** The domain policy in memory: what a host may do (consulted on every inbox POST and delivery). */
  policy: DomainPolicy;
  domainBlocks: DomainBlockService;
  /** What a domain block would sever, before it is made (the admin console's confirmation step). */
  domainBlockPreviews: DomainBlockPreviews;
  audit: AuditLog;
  /** Blocklist import/export and subscriptions (merged into the domain blocks, through domainBlocks). */
  blocklists: BlocklistService;
  /** E-mail domain, canonical e-mail and IP blocks, and the verdict on a sign-up (`check`). */
  signUpBlocks: SignUpBlockService;
  /** The dashboard figures (measures, dimensions) and the known servers. */
  measures: Measures;
  /** Carries out suspensions: severs follows and purges a suspended server's data (durable jobs). */
  enforcement: DomainEnforcement;
  /** What suspensions cut, per local user (notifications, CSV lists). */
  severedRelationships: SeveredRelationships;
  /** Reports from users and other servers, and their triage. */
  reports: ReportService;
  /** Moderators' actions on accounts (admin accounts API, `./skein accounts`). */
  accounts: AccountModeration;
  /** Limited (silenced) accounts and domains: who is limited, domain silences kept on the accounts. */
  limits: LimitedAccounts;
  /** Users' own domain blocks (/api/v1/domain_blocks). */
  userDomainBlocks: UserDomainBlockService;
  /** Roles: custom ones made, edited, deleted and given; `roles.book` answers every permission check. */
  roles: RoleService;
}

/** `ports`: where reports are forwarded and notifications announced (absent: nowhere). */
export function createModeration(stores: Stores, config: Config, ports: { outbox?: Outbox; events?: EventBus; relationships?: () => FollowSevering } = {}): Moderation {
  const policy = new DomainPolicy(stores, config.federationMode, config.localDomain);
  const audit = new AuditLog(stores);
  const book = new RoleBook(stores);
  const reports = new ReportService(stores, audit, policy, config.origin, { ...ports, roles: book });
  const domainBlocks = new DomainBlockService(stores, policy, audit);
  const limits = new LimitedAccounts(stores, policy);
  domainBlocks.onChange((changes) => limits.domainPoliciesChanged(changes));
  const noSevering: FollowSevering = { unfollow: async () => undefined, removeFromFollowers: async () => undefined };
  const relationships = ports.relationships ?? (() => noSevering);
  const accounts = new AccountModeration(stores, audit, reports, ports, config.localDomain, book);
  return withEnforcement(stores, ports.events ?? null, {
    limits,
    userDomainBlocks: new UserDomainBlockService(stores, config.localDomain, relationships, ports.events ?? null),
    policy,
    audit,
    domainBlocks,
    domainBlockPreviews: new DomainBlockPreviews(stores, policy),
    blocklists: new BlocklistService(stores, config, domainBlocks, new HttpBlocklistSource(config)),
    signUpBlocks: new SignUpBlockService(stores, audit),
    measures: new Measures(stores, policy, config.localDomain),
    reports,
    accounts,
    roles: new RoleService(stores, audit, book, accounts),
  });
}
