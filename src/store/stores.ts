// All data access objects over one Kysely executor: the database itself, or a transaction.
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import { AccountStore } from "./accounts.ts";
import { UserStore } from "./users.ts";
import { OAuthStore } from "./oauth.ts";
import { SessionStore } from "./sessions.ts";
import { SettingsStore } from "./settings.ts";
import { PushSubscriptionStore } from "./push.ts";
import { RelayStore } from "./relays.ts";
import { ServerSampleStore } from "./server-samples.ts";
import { StatusStore } from "./statuses.ts";
import { QuoteStore } from "./quotes.ts";
import { ThreadStore } from "./threads.ts";
import { CardStore } from "./cards.ts";
import { ActorKeyStore } from "./actor-keys.ts";
import { ReportStore } from "./moderation/reports.ts";
import { MediaCacheStore } from "./media/cache.ts";
import { MediaUsageStore } from "./media/usage.ts";
import { MediaStore } from "./media/attachments.ts";
import { EmojiStore } from "./media/emojis.ts";
import { RelationshipStore } from "./relationships.ts";
import { StatusRelationStore } from "./status-relations.ts";
import { FeedStore } from "./feeds.ts";
import { NotificationStore } from "./notifications.ts";
import { ListStore } from "./lists.ts";
import { MarkerStore } from "./markers.ts";
import { TagFollowStore } from "./tag-follows.ts";
import { ConversationStore } from "./conversations.ts";
import { NotificationGroupStore } from "./notification-groups.ts";
import { FilterStore } from "./filters.ts";
import { PollStore } from "./polls.ts";
import { DiscoveryStore } from "./discovery.ts";
import { DomainBlockStore } from "./moderation/domain-blocks.ts";
import { AuditLogStore } from "./moderation/audit-log.ts";
import { BlocklistStore } from "./moderation/blocklists.ts";
import { SignUpBlockStore } from "./moderation/sign-up-blocks.ts";
import { RoleStore } from "./moderation/roles.ts";
import { MeasureStore } from "./moderation/measures.ts";
import { AdminAccountStore } from "./moderation/admin-accounts.ts";
import { AccountDomainBlockStore } from "./moderation/account-domain-blocks.ts";
import { AccountLimitStore } from "./moderation/account-limits.ts";
import { NotificationRequestStore } from "./notification-requests.ts";
import { AccountPurgeStore } from "./moderation/account-purge.ts";
import { SeveredRelationshipStore } from "./moderation/severed-relationships.ts";
import { TwoFactorStore } from "./two-factor.ts";
import { AccountExportStore } from "./account-data/export-queries.ts";
import { AccountImportStore } from "./account-data/imports.ts";
import { AccountArchiveStore } from "./account-data/archives.ts";
import { EmailTokenStore } from "./mail/email-tokens.ts";
import { InviteStore, UsernameBlockStore } from "./registration/invites.ts";
import { PaymentStore } from "./registration/payments.ts";
import { AccountNoteStore } from "./account-notes.ts";
import { EndorsementStore } from "./endorsements.ts";
import { FeaturedTagStore } from "./featured-tags.ts";
import { CollectionStore } from "./collections.ts";
import { InstanceRuleStore } from "./instance-rules.ts";
import { AnnouncementStore } from "./announcements.ts";
import { AnnualReportStore } from "./annual-reports.ts";
import { InstanceActivityStore } from "./instance-activity.ts";
import { ScheduledStatusStore } from "./scheduled-statuses.ts";
import { StatusIndexStore } from "./search/status-index.ts";
import { DirectorySearchStore } from "./search/directory-search.ts";
import { RemotePostPruneStore } from "./pruning/remote-posts.ts";
import { RemoteAccountPruneStore } from "./pruning/remote-accounts.ts";
import { TombstoneStore } from "./pruning/tombstones.ts";

export interface Stores {
  accounts: AccountStore;
  users: UserStore;
  oauth: OAuthStore;
  sessions: SessionStore;
  settings: SettingsStore;
  /** Web Push subscriptions, one per access token (domain/push). */
  pushSubscriptions: PushSubscriptionStore;
  /** Relay subscriptions (domain/relays). */
  relays: RelayStore;
  /** The figures sampled every minute for the admin console's charts (domain/instance/server-history.ts). */
  serverSamples: ServerSampleStore;
  statuses: StatusStore;
  actorKeys: ActorKeyStore;
  reports: ReportStore;
  media: MediaStore;
  /** Custom emojis, local and remote. */
  emojis: EmojiStore;
  /** The remote-media cache: its rows, its accounting row, and what a proxied URL names. */
  mediaCache: MediaCacheStore;
  /** Daily served-media counters; what the usage report and the prune ask of the tables. */
  mediaUsage: MediaUsageStore;
  relationships: RelationshipStore;
  statusRelations: StatusRelationStore;
  /** Quote posts and statuses' interaction policies (domain/quotes). */
  quotes: QuoteStore;
  /** Whole threads: replies collections, late parents, completions (domain/threads). */
  threads: ThreadStore;
  /** Link previews: cards per URL, status ↔ card links, link trends (domain/cards). */
  cards: CardStore;
  feeds: FeedStore;
  notifications: NotificationStore;
  lists: ListStore;
  markers: MarkerStore;
  tagFollows: TagFollowStore;
  conversations: ConversationStore;
  notificationGroups: NotificationGroupStore;
  filters: FilterStore;
  polls: PollStore;
  discovery: DiscoveryStore;
  domainBlocks: DomainBlockStore;
  auditLog: AuditLogStore;
  blocklists: BlocklistStore;
  signUpBlocks: SignUpBlockStore;
  /** Custom roles and who holds which role (migration 0039). */
  roles: RoleStore;
  measures: MeasureStore;
  adminAccounts: AdminAccountStore;
  accountDomainBlocks: AccountDomainBlockStore;
  accountLimits: AccountLimitStore;
  notificationRequests: NotificationRequestStore;
  /** Removes everything of some accounts (suspended servers' accounts, purged local accounts). */
  accountPurge: AccountPurgeStore;
  severedRelationships: SeveredRelationshipStore;
  /** Two-factor sign-in: TOTP keys, recovery codes, sign-in challenges. */
  twoFactor: TwoFactorStore;
  /** What exports and archives read (account-data/). */
  accountExports: AccountExportStore;
  accountImports: AccountImportStore;
  accountArchives: AccountArchiveStore;
  /** Single-use e-mailed links (confirmation, password reset, e-mail change). */
  emailTokens: EmailTokenStore;
  /** Registration: invites and the username block list. */
  invites: InviteStore;
  usernameBlocks: UsernameBlockStore;
  /** Registration fees: checkouts and handled provider events. */
  payments: PaymentStore;
  /** Scheduled statuses (0025) and the uploads reserved for them. */
  scheduledStatuses: ScheduledStatusStore;
  /** The full-text index of statuses (issue 15; engine specifics in db/dialects/full-text.ts). */
  statusIndex: StatusIndexStore;
  /** Accounts and hashtags by prefix, ranked (search). */
  directorySearch: DirectorySearchStore;
  /** Remote data with limits (0031): the prune's queries, tombstones and lease (domain/pruning). */
  prunePosts: RemotePostPruneStore;
  pruneAccounts: RemoteAccountPruneStore;
  tombstones: TombstoneStore;
  /** Profile features (migration 0026): private notes, endorsements, featured hashtags, collections and their items. */
  accountNotes: AccountNoteStore;
  endorsements: EndorsementStore;
  featuredTags: FeaturedTagStore;
  collections: CollectionStore;
  /** The server's rules, announcements, annual reports and weekly activity (issue 14). */
  instanceRules: InstanceRuleStore;
  announcements: AnnouncementStore;
  annualReports: AnnualReportStore;
  instanceActivity: InstanceActivityStore;
  /** Runs `work` with stores bound to one transaction; it commits only if `work` resolves. */
  transaction<T>(work: (stores: Stores) => Promise<T>): Promise<T>;
}

export function createStores(db: Kysely<DB>): Stores {
  return {
    accounts: new AccountStore(db),
    users: new UserStore(db),
    oauth: new OAuthStore(db),
    sessions: new SessionStore(db),
    settings: new SettingsStore(db),
    pushSubscriptions: new PushSubscriptionStore(db),
    relays: new RelayStore(db),
    serverSamples: new ServerSampleStore(db),
    statuses: new StatusStore(db),
    actorKeys: new ActorKeyStore(db),
    reports: new ReportStore(db),
    media: new MediaStore(db),
    emojis: new EmojiStore(db),
    mediaCache: new MediaCacheStore(db),
    mediaUsage: new MediaUsageStore(db),
    relationships: new RelationshipStore(db),
    statusRelations: new StatusRelationStore(db),
    quotes: new QuoteStore(db),
    threads: new ThreadStore(db),
    cards: new CardStore(db),
    feeds: new FeedStore(db),
    notifications: new NotificationStore(db),
    lists: new ListStore(db),
    markers: new MarkerStore(db),
    tagFollows: new TagFollowStore(db),
    conversations: new ConversationStore(db),
    notificationGroups: new NotificationGroupStore(db),
    filters: new FilterStore(db),
    polls: new PollStore(db),
    discovery: new DiscoveryStore(db),
    domainBlocks: new DomainBlockStore(db),
    auditLog: new AuditLogStore(db),
    blocklists: new BlocklistStore(db),
    signUpBlocks: new SignUpBlockStore(db),
    roles: new RoleStore(db),
    measures: new MeasureStore(db),
    adminAccounts: new AdminAccountStore(db),
    accountDomainBlocks: new AccountDomainBlockStore(db),
    accountLimits: new AccountLimitStore(db),
    notificationRequests: new NotificationRequestStore(db),
    accountPurge: new AccountPurgeStore(db),
    severedRelationships: new SeveredRelationshipStore(db),
    twoFactor: new TwoFactorStore(db),
    accountExports: new AccountExportStore(db),
    accountImports: new AccountImportStore(db),
    accountArchives: new AccountArchiveStore(db),
    emailTokens: new EmailTokenStore(db),
    invites: new InviteStore(db),
    usernameBlocks: new UsernameBlockStore(db),
    payments: new PaymentStore(db),
    accountNotes: new AccountNoteStore(db),
    endorsements: new EndorsementStore(db),
    featuredTags: new FeaturedTagStore(db),
    collections: new CollectionStore(db),
    instanceRules: new InstanceRuleStore(db),
    announcements: new AnnouncementStore(db),
    annualReports: new AnnualReportStore(db),
    instanceActivity: new InstanceActivityStore(db),
    scheduledStatuses: new ScheduledStatusStore(db),
    statusIndex: new StatusIndexStore(db),
    directorySearch: new DirectorySearchStore(db),
    prunePosts: new RemotePostPruneStore(db),
    pruneAccounts: new RemoteAccountPruneStore(db),
    tombstones: new TombstoneStore(db),
    transaction: (work) =>
      db.isTransaction ? work(createStores(db)) : db.transaction().execute((trx) => work(createStores(trx))),
  };
}
