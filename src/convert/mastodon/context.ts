// The one place converters' context is assembled from the services: the origin, the domain
// policy's reject_media (refreshed by API requests and inboxes), and how media are named.
import type { Services } from "../../domain/services.ts";
import { mediaRejectedFor } from "../../domain/moderation/media-policy.ts";
import type { ConvertContext } from "./account.ts";

export function convertContextOf(services: Services): ConvertContext {
  return { origin: services.config.origin, mediaRejected: mediaRejectedFor(services.moderation.policy), media: services.mediaUrls, emojis: services.emojis.catalog, roles: services.moderation.roles.book };
}
