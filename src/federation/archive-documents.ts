// The ActivityPub documents of an account archive (domain/account-data/archives.ts), rendered
// exactly as other servers receive them: the actor as the actor dispatcher serves it, each post
// as the Create activity the outbox sends (convert/activitypub's Note, Mastodon's addressing).
import { Create } from "@fedify/vocab";
import type { ArchiveDocuments } from "../domain/account-data/archives.ts";
import type { AccountRow } from "../store/accounts.ts";
import type { StatusRow } from "../store/statuses.ts";
import type { FederationDeps, SkeinFederation } from "./context.ts";
import { actorOf, noteOf } from "./federation.ts";
import { instant } from "../convert/activitypub/time.ts";

export class FederationArchiveDocuments implements ArchiveDocuments {
  private readonly federation: SkeinFederation;
  private readonly deps: FederationDeps;
  constructor(federation: SkeinFederation, deps: FederationDeps) {
    this.federation = federation;
    this.deps = deps;
  }

  private context() {
    return this.federation.createContext(new URL(this.deps.config.origin), undefined);
  }

  async actor(account: AccountRow): Promise<Record<string, unknown>> {
    const ctx = this.context();
    const actor = await actorOf(ctx, account, this.deps);
    return (await actor.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader })) as Record<string, unknown>;
  }

  async create(status: StatusRow): Promise<Record<string, unknown> | null> {
    const note = await noteOf(this.deps, status.id);
    if (!note) return null;
    const ctx = this.context();
    const create = new Create({
      id: new URL(`${status.uri}/activity`),
      actor: note.attributionId,
      object: note,
      published: instant(status.created_at),
      tos: note.toIds,
      ccs: note.ccIds,
    });
    // One @context for the whole outbox.json, as in Mastodon's archives.
    const { "@context": _context, ...json } = (await create.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader })) as Record<string, unknown>;
    return json;
  }
}
