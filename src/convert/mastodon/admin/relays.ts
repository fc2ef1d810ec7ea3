// Relay subscription rows → the entity of Skein's /api/v1/admin/relays (Mastodon keeps relays in
// its admin web pages and has no API entity for them).
import type { RelayRow } from "../../../store/relays.ts";

export function toAdminRelay(relay: RelayRow) {
  return { id: relay.id, inbox_url: relay.inbox_url, actor_uri: relay.actor_uri, protocol: relay.protocol, state: relay.state, created_at: relay.created_at, updated_at: relay.updated_at };
}
