// The audit log: every moderation action, recorded where it is taken, readable by admins.
// `actorId` is the moderator's account; null means the command line or an automatic change
// (a blocklist subscription), which then names itself in `text`.
import type { Stores } from "../../store/stores.ts";
import type { AuditLogFilter, AuditLogRow } from "../../store/moderation/audit-log.ts";
import type { PageRequest } from "../../store/pagination.ts";
import { newId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";

export interface AuditEntry {
  actorId: string | null;
  /** Mastodon's action names: "suspend", "silence", "create" (a domain block), "resolve" (a report)… */
  action: string;
  /** "Account", "DomainBlock", "DomainAllow", "Report", "EmailDomainBlock", "IpBlock"… */
  targetType: string;
  targetId: string | null;
  /** What the target was called (a handle, a domain): kept after the target is gone. */
  humanIdentifier: string;
  text?: string;
}

export class AuditLog {
  private readonly stores: Stores;
  constructor(stores: Stores) {
    this.stores = stores;
  }

  /** Records one action; pass the transaction's stores to make it part of the change itself. */
  async record(entry: AuditEntry, stores: Stores = this.stores): Promise<void> {
    await stores.auditLog.insert({
      id: newId(),
      account_id: entry.actorId,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      human_identifier: entry.humanIdentifier,
      text: entry.text ?? "",
      created_at: nowIso(),
    });
  }

  /** Records many actions in one go (a blocklist applied), inside the caller's transaction. */
  async recordMany(entries: readonly AuditEntry[], stores: Stores = this.stores): Promise<void> {
    const now = nowIso();
    await stores.auditLog.insertMany(entries.map((entry) => ({
      id: newId(),
      account_id: entry.actorId,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      human_identifier: entry.humanIdentifier,
      text: entry.text ?? "",
      created_at: now,
    })));
  }

  list(filter: AuditLogFilter, page: PageRequest): Promise<AuditLogRow[]> {
    return this.stores.auditLog.list(filter, page);
  }
}
