// The business layer, assembled once per process over the stores. HTTP handlers, the CLI and
// (later) federation call these; none of them touches the stores directly.
import type { Config } from "../config/config.ts";
import type { Stores } from "../store/stores.ts";
import { AccountService } from "./accounts/account-service.ts";
import { OAuthService } from "./oauth/oauth-service.ts";
import { SessionService } from "./auth/session-service.ts";
import { InstanceService } from "./instance/instance-service.ts";
import { EventBus } from "./events.ts";
import { NotificationService } from "./notifications/notification-service.ts";
import { StatusService } from "./statuses/status-service.ts";
import { RelationshipService } from "./relationships/relationship-service.ts";
import { TimelineService } from "./timelines/timeline-service.ts";
import { loadStatusViews, type StatusView } from "./statuses/status-views.ts";
import type { StatusRow } from "../store/statuses.ts";

export interface Services {
  config: Config;
  events: EventBus;
  accounts: AccountService;
  oauth: OAuthService;
  sessions: SessionService;
  instance: InstanceService;
  notifications: NotificationService;
  statuses: StatusService;
  relationships: RelationshipService;
  timelines: TimelineService;
  /** Loads what is needed to show these statuses to one reader. */
  statusViews(rows: readonly StatusRow[], viewerId: string | null): Promise<StatusView[]>;
}

export function createServices(stores: Stores, config: Config, events = new EventBus()): Services {
  const notifications = new NotificationService(stores, events);
  return {
    config,
    events,
    accounts: new AccountService(stores, config),
    oauth: new OAuthService(stores),
    sessions: new SessionService(stores),
    instance: new InstanceService(stores, config),
    notifications,
    statuses: new StatusService(stores, config, events, notifications),
    relationships: new RelationshipService(stores, notifications),
    timelines: new TimelineService(stores),
    statusViews: (rows, viewerId) => loadStatusViews(stores, rows, viewerId),
  };
}
