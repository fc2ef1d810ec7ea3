// The business layer, assembled once per process over the stores. HTTP handlers, the CLI and
// (later) federation call these; none of them touches the stores directly.
import type { Config } from "../config/config.ts";
import type { Stores } from "../store/stores.ts";
import { AccountService } from "./accounts/account-service.ts";
import { OAuthService } from "./oauth/oauth-service.ts";
import { SessionService } from "./auth/session-service.ts";
import { TwoFactorService } from "./auth/two-factor.ts";
import { InstanceService } from "./instance/instance-service.ts";
import { InstanceTextService } from "./instance/instance-texts.ts";
import { ServerHistory } from "./instance/server-history.ts";
import { CostReports } from "./media/cost-reports.ts";
import { RuleService } from "./instance/rules.ts";
import { InstanceActivityService } from "./instance/activity.ts";
import { AnnouncementService } from "./announcements/announcement-service.ts";
import { AnnualReportService } from "./annual-reports/annual-report-service.ts";
import { EventBus } from "./events.ts";
import { NotificationService } from "./notifications/notification-service.ts";
import { StatusService } from "./statuses/status-service.ts";
import { RelationshipService } from "./relationships/relationship-service.ts";
import { TimelineService } from "./timelines/timeline-service.ts";
import { ListService } from "./lists/list-service.ts";
import { MarkerService } from "./markers/marker-service.ts";
import { TagService } from "./tags/tag-service.ts";
import { AccountNoteService } from "./accounts/account-notes.ts";
import { EndorsementService } from "./accounts/endorsements.ts";
import { FeaturedTagService } from "./accounts/featured-tags.ts";
import { CollectionService } from "./accounts/collections/collection-service.ts";
import { ScheduledStatusService } from "./scheduled/scheduled-statuses.ts";
import { ConversationService } from "./conversations/conversation-service.ts";
import { NotificationGroupService } from "./notifications/notification-groups.ts";
import { loadStatusViews, type StatusView } from "./statuses/status-views.ts";
import type { StatusRow } from "../store/statuses.ts";
import type { FilterContext, UserRole } from "../db/schema.ts";
import { FilterService } from "./filters/filter-service.ts";
import { PollService } from "./polls/poll-service.ts";
import { DiscoveryService } from "./discovery/discovery-service.ts";
import { OutboxSlot } from "./outbox.ts";
import { RemoteLookupSlot } from "./remote-lookup.ts";
import { SearchService } from "./search/search-service.ts";
import { MoveService } from "./accounts/move-service.ts";
import { RemoteStatusService } from "./statuses/remote-statuses.ts";
import { RemotePinService } from "./statuses/remote-pins.ts";
import { RelayService } from "./relays/relay-service.ts";
import { QuoteService } from "./quotes/quote-service.ts";
import { ThreadService } from "./threads/thread-service.ts";
import { RemoteAccountService } from "./accounts/remote-accounts.ts";
import { createModeration, type Moderation } from "./moderation/moderation.ts";
import { NotificationRequestService } from "./notifications/notification-requests.ts";
import type { LimitCheck } from "./moderation/limited-accounts.ts";
import { AccountData } from "./account-data/account-data.ts";
import type { JobSink } from "./account-data/imports.ts";
import { EmailService } from "./mail/email-service.ts";
import { RegistrationService } from "./registration/registration-service.ts";
import { RegistrationSettingsService } from "./registration/registration-settings.ts";
import { InviteService } from "./registration/invite-service.ts";
import { PaymentService } from "./registration/payments/payment-service.ts";
import { directMediaUrls, type MediaUrls } from "./media/media-urls.ts";
import { RemoteMediaCache } from "./media/remote-cache.ts";
import { proxiedMediaUrls } from "./media/proxy-urls.ts";
import { MediaUsage } from "./media/usage.ts";
import { processRemotePreview } from "../media/pipeline.ts";
import { MediaService } from "./media/media-service.ts";
import { srcMediaPipeline } from "./media/media-pipeline.ts";
import { EmojiService } from "./emojis/emoji-service.ts";
import { ProfileImageService } from "./media/profile-images.ts";
import { processEmojiFile, processProfileImageFile } from "./media/profile-pipeline.ts";
import { createMediaStorage, type MediaStorage } from "../storage/index.ts";
import { PushService } from "./push/push-service.ts";
import { PruningService } from "./pruning/prune.ts";
import { TombstoneService } from "./pruning/tombstones.ts";
import { CardService } from "./cards/card-service.ts";
import { cardImageBlurhash } from "./cards/card-image.ts";
import { mediaRejectedFor } from "./moderation/media-policy.ts";

export interface Services {
  config: Config;
  events: EventBus;
  /** Where local actions go out to the fediverse; the federation layer plugs in at start. */
  outbox: OutboxSlot;
  /** Finds accounts and posts on other servers; the federation layer plugs in at start. */
  resolver: RemoteLookupSlot;
  search: SearchService;
  moves: MoveService;
  accounts: AccountService;
  remoteAccounts: RemoteAccountService;
  remoteStatuses: RemoteStatusService;
  /** Pinned posts of remote accounts, from their featured collections. */
  remotePins: RemotePinService;
  /** Relay subscriptions (domain/relays): what fills a small server's federated timeline. */
  relays: RelayService;
  oauth: OAuthService;
  sessions: SessionService;
  /** Two-factor sign-in (TOTP + recovery codes), and whether a role requires it. */
  twoFactor: TwoFactorService;
  instance: InstanceService;
  /** Admin-set texts (privacy policy, terms of service, extended description), rules, weekly activity (domain/instance). */
  instanceTexts: InstanceTextService;
  rules: RuleService;
  instanceActivity: InstanceActivityService;
  /** The figures sampled every minute (queues, deliveries, storage) for the admin console's charts. */
  serverHistory: ServerHistory;
  /** The media cost report for the admin console, measured in the background on request. */
  costReports: CostReports;
  /** Announcements by admins, with reactions (domain/announcements). */
  announcements: AnnouncementService;
  /** Users' annual reports (domain/annual-reports). */
  annualReports: AnnualReportService;
  /** Posts kept for later (scheduled_at) and published by the scheduler's sweep. */
  scheduledStatuses: ScheduledStatusService;
  notifications: NotificationService;
  statuses: StatusService;
  /** Quote posts and interaction policies (domain/quotes); its outbox slot is plugged by federation. */
  quotes: QuoteService;
  /** Whole threads: completing a remote thread when its context is opened (domain/threads). */
  threads: ThreadService;
  relationships: RelationshipService;
  timelines: TimelineService;
  lists: ListService;
  markers: MarkerService;
  tags: TagService;
  /** Profile features (domain/accounts): private notes, endorsements, featured hashtags, collections. */
  accountNotes: AccountNoteService;
  endorsements: EndorsementService;
  featuredTags: FeaturedTagService;
  collections: CollectionService;
  conversations: ConversationService;
  notificationGroups: NotificationGroupService;
  filters: FilterService;
  polls: PollService;
  discovery: DiscoveryService;
  /** Moderators' decisions and the policies they set (domain/moderation). */
  moderation: Moderation;
  /** Filtered notifications, one request per sender (Mastodon 4.3). */
  notificationRequests: NotificationRequestService;
  /** Exports, imports, archives and deleting one's own account (domain/account-data). */
  accountData: AccountData;
  /** Mail: queued sends and the typed mails (confirmation, reset, moderation notices); see domain/mail. */
  emails: EmailService;
  /** Sign-up (POST /api/v1/accounts, /auth/sign_up): the mode and its settings, invites, username blocks. */
  registration: RegistrationService;
  /** Registration fees: checkouts, provider webhooks, the unpaid sweep (domain/registration/payments). */
  payments: PaymentService;
  /** How entities name media files: local ones in the media storage, remote ones through the cache. */
  mediaUrls: MediaUrls;
  /** Local uploads (/api/v1|v2/media): checked, stored, processed in the `media` queue, attached to statuses. */
  media: MediaService;
  /** Custom emojis: local ones (CLI), remote ones from Emoji tags, the catalog converters read. */
  emojis: EmojiService;
  /** Avatars and headers of local accounts (update_credentials, DELETE /api/v1/profile/…). */
  profileImages: ProfileImageService;
  /** Where media files live (DATA_DIR/media or an S3 bucket: storage/index.ts); one instance per process. */
  mediaStorage: MediaStorage;
  /** Remote media through Skein: the signed proxy's files, cached under a hard budget (start() loads its secret). */
  remoteMedia: RemoteMediaCache;
  /** Bytes and requests of media served, per day and kind (flushed every ~10 s and at close()). */
  mediaUsage: MediaUsage;
  /** Web Push subscriptions and the `push` queue's sends (domain/push). */
  push: PushService;
  /** Remote data with limits: the prune (REMOTE_POST_RETENTION, `./skein prune`) and tombstones of deleted remote posts (domain/pruning). */
  pruning: PruningService;
  tombstones: TombstoneService;
  /** Link previews: statuses' cards, fetched on the `cards` queue (domain/cards). */
  cards: CardService;
  /**
   * Loads what is needed to show these statuses to one reader, with the reader's filters
   * applied for `filterContext` (where they are shown; see StatusViewOptions).
   */
  statusViews(rows: readonly StatusRow[], viewerId: string | null, filterContext?: FilterContext): Promise<StatusView[]>;
}

export function createServices(stores: Stores, config: Config, events = new EventBus()): Services {
  // Limits are moderation's (services.moderation.limits); these services consult them late.
  const limits: LimitCheck = { isLimited: (a) => services.moderation.limits.isLimited(a), silencedAtFor: (d) => services.moderation.limits.silencedAtFor(d) };
  // Staff, as Mastodon has it: a highlighted role with moderation permissions (custom roles too).
  const isStaff = (role: UserRole) => {
    const book = services.moderation.roles.book;
    return book.info(role).highlighted && (book.has(role, "manage_reports") || book.has(role, "manage_users"));
  };
  const notifications = new NotificationService(stores, events, limits, isStaff);
  const filters = new FilterService(stores, events);
  const outbox = new OutboxSlot();
  const twoFactor = new TwoFactorService(stores, config, () => services.moderation.roles.book);
  const resolver = new RemoteLookupSlot();
  const mediaStorage = createMediaStorage(config);
  const mediaUsage = new MediaUsage(stores);
  const remoteMedia = new RemoteMediaCache({
    stores,
    config,
    policy: () => services.moderation.policy,
    storage: () => services.mediaStorage,
    previews: async (input, workDir) => (await processRemotePreview(input, workDir)).preview,
    usage: mediaUsage,
  });
  const services: Services = {
    config,
    events,
    outbox,
    resolver,
    search: new SearchService(stores, config, resolver),
    moves: null as unknown as MoveService, // set below: it needs the other services
    accountData: null as unknown as AccountData, // set below: it acts through the other services
    accounts: new AccountService(stores, config, outbox),
    remoteAccounts: new RemoteAccountService(stores, limits),
    remoteStatuses: new RemoteStatusService(stores, events, notifications),
    remotePins: new RemotePinService(stores),
    relays: new RelayService(stores, { origin: config.origin, allowHttp: config.environment === "test" }, outbox, resolver),
    oauth: new OAuthService(stores, { twoFactorRequired: (user) => twoFactor.required(user) }),
    twoFactor,
    sessions: new SessionService(stores, twoFactor),
    instance: new InstanceService(stores, config),
    instanceTexts: new InstanceTextService(stores.settings, config),
    rules: new RuleService(stores),
    instanceActivity: new InstanceActivityService(stores),
    serverHistory: new ServerHistory(stores),
    costReports: new CostReports(stores, () => services.mediaStorage, config.media.prices),
    announcements: new AnnouncementService(stores, events),
    annualReports: new AnnualReportService(stores),
    notifications,
    statuses: new StatusService(stores, config, events, notifications, outbox),
    quotes: new QuoteService(stores, notifications, events),
    threads: new ThreadService(stores),
    relationships: new RelationshipService(stores, notifications, outbox, config, limits),
    timelines: new TimelineService(stores),
    lists: new ListService(stores),
    markers: new MarkerService(stores),
    tags: new TagService(stores),
    accountNotes: new AccountNoteService(stores),
    endorsements: new EndorsementService(stores),
    featuredTags: new FeaturedTagService(stores, outbox),
    collections: new CollectionService(stores),
    conversations: new ConversationService(stores, events),
    notificationGroups: new NotificationGroupService(stores),
    notificationRequests: new NotificationRequestService(stores),
    filters,
    polls: new PollService(stores, events, outbox, config.polls.updateDelaySeconds * 1000),
    discovery: new DiscoveryService(stores),
    moderation: createModeration(stores, config, { outbox, events, relationships: () => services.relationships }),
    emails: new EmailService(stores, config),
    registration: null as unknown as RegistrationService, // set below: it uses accounts and moderation
    payments: new PaymentService(stores, config, {
      mail: (m) => services.emails.send({ ...m, kind: "notice" }),
      // A refund or dispute becomes a report: it lands in the queue moderators already work,
      // can be assigned and resolved, and notifies everyone who handles reports (admin.report).
      report: async (target, comment) => {
        const reporter = await stores.users.firstAdminAccount();
        if (reporter) await services.moderation.reports.create(reporter, { targetAccountId: target, statusIds: [], comment, category: "other", ruleIds: [], forward: false, forwardToDomains: null });
      },
    }),
    // Stored files at the driver's public URL (/system/<key> or the bucket/CDN).
    // Remote files through the signed proxy (domain/media/proxy-urls.ts).
    mediaUrls: proxiedMediaUrls({ ...directMediaUrls(config.origin), stored: (key) => mediaStorage.publicUrl(key) }, remoteMedia.signer),
    mediaStorage,
    remoteMedia,
    mediaUsage,
    push: new PushService(stores, config, {
      vapidPublicKey: () => services.instance.vapidPublicKey(),
      media: () => services.mediaUrls,
      mediaRejected: (domain) => mediaRejectedFor(services.moderation.policy)(domain),
      roles: () => services.moderation.roles.book,
    }),
    pruning: new PruningService(stores, () => services.mediaStorage),
    tombstones: new TombstoneService(stores.tombstones, config.pruning.tombstoneDays),
    emojis: new EmojiService(stores),
    cards: new CardService({ stores, events, localHost: config.localDomain, config: config.cards }),
    profileImages: null as unknown as ProfileImageService, // set below: it updates through accounts
    scheduledStatuses: null as unknown as ScheduledStatusService, // set below: it posts through statuses
    media: new MediaService(stores, config, () => services.mediaStorage, srcMediaPipeline),
    statusViews: async (rows, viewerId, filterContext) => {
      if (rows.length === 0) return [];
      // The reader's filters are read beside the statuses' first queries (loadStatusViews awaits them).
      const matcher = filters.matcherFor(viewerId);
      matcher.catch(() => {}); // A failure is thrown where it is awaited, never left unhandled.
      const views = await loadStatusViews(stores, rows, viewerId, { filterContext, filters: matcher });
      // The emojis these statuses and their authors use, known before the (synchronous) converters ask.
      await services.emojis.catalog.prepareFor(views);
      return views;
    },
  };
  // A card's image is fetched through the media cache, which makes its blurhash possible (domain/cards/card-image.ts).
  services.cards.imageBlurhash = (cardId) => cardImageBlurhash(services.remoteMedia, cardId);
  services.profileImages = new ProfileImageService(stores, services.accounts);
  services.profileImages.ports = { storage: () => services.mediaStorage, process: processProfileImageFile };
  services.emojis.ports = { storage: () => services.mediaStorage, process: processEmojiFile };
  services.remoteAccounts.saveEmojis = (domain, emojis) => services.emojis.saveRemote(domain, emojis);
  services.remoteStatuses.saveEmojis = (domain, emojis) => services.emojis.saveRemote(domain, emojis);
  // Posting attaches uploads and deleting a status removes its files.
  services.statuses.media = services.media;
  services.scheduledStatuses = new ScheduledStatusService(stores, config, services.statuses, services.media);
  services.statuses.quotes = services.quotes;
  services.statuses.emojis = services.emojis.catalog;
  // Writing a post queues it for full-text search (SEARCH_INDEXING=off skips it); the "search-index" sweep indexes it.
  services.statuses.indexer = services.remoteStatuses.indexer = services.search.indexer;
  services.moves = new MoveService(stores, services.accounts, services.relationships, resolver);
  services.accountData = new AccountData(stores, config, {
    resolver,
    moderation: () => services.moderation.accounts,
    // The same JobQueue moderation is given (its port names fewer options than the queue takes).
    jobs: () => services.moderation.enforcement.jobs as JobSink | null,
    actions: () => ({
      follow: (actor, id, options) => services.relationships.follow(actor, id, options),
      unfollow: (actor, id) => services.relationships.unfollow(actor, id),
      block: (actor, id) => services.relationships.block(actor, id),
      unblock: (actor, id) => services.relationships.unblock(actor, id),
      mute: (actor, id, options) => services.relationships.mute(actor, id, options),
      unmute: (actor, id) => services.relationships.unmute(actor, id),
      blockDomain: (actor, domain) => services.moderation.userDomainBlocks.block(actor, domain),
      unblockDomain: (actor, domain) => services.moderation.userDomainBlocks.unblock(actor, domain),
      bookmark: (actor, id, on) => services.statuses.bookmark(actor, id, on),
      createList: (owner, title) => services.lists.create(owner, { title }),
      deleteList: (owner, id) => services.lists.delete(owner, id),
      addToList: (owner, id, accounts) => services.lists.addMembers(owner, id, accounts),
      removeFromList: (owner, id, accounts) => services.lists.removeMembers(owner, id, accounts),
    }),
  });
  // Deleting one's account asks for the two-factor code of a user who set it up.
  services.accountData.deletion.secondFactor = { required: (user) => services.twoFactor.isEnabled(user.id), verify: (user, code) => services.twoFactor.verify(user.id, code) };
  {
    const registrationSettings = new RegistrationSettingsService(stores, config);
    services.registration = new RegistrationService(stores, config, services.accounts, registrationSettings, new InviteService(stores, registrationSettings, () => services.moderation.roles.book), () => services.moderation.signUpBlocks, events);
    services.registration.ports.sendConfirmation = (userId) => services.emails.sendConfirmation(userId);
    services.registration.ports.requirePayment = (userId, email) => services.payments.requireForNewUser(userId, email);
    services.registration.ports.paymentGate = (hasInvite) => services.payments.gateSignUp(hasInvite);
    services.registration.ports.roles = () => services.moderation.roles.book.fresh();
  }
  // Every notification, whoever created it, may be pushed: the push service listens, the notifiers know nothing of it.
  events.subscribe((event) => (event.type === "notification.created" ? services.push.notificationCreated(event.notification) : undefined));
  // Approval, rejection and warning mails of moderators' actions.
  services.moderation.accounts.mail = services.emails;
  return services;
}
