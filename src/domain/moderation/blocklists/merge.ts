// How blocklist subscriptions become domain blocks: what every list last said, merged, compared
// with the blocks the server has. Pure: it reads rows and returns the changes to make, so that
// a refresh, an edit, an approval and an unsubscription all follow the same rules.
//
//   - A list's entry counts if its domain is not among the list's excludes (subdomains
//     included), at the list's maximum severity at most; suspensions always, silences (and
//     noop entries that reject media or reports) only when the list applies silence.
//   - Two lists naming one domain: the higher priority wins; on equal priority the milder
//     severity (BLOCKLIST_TIES=stricter: the stricter), then the older list.
//   - A moderator's block is never changed; "adopt existing" lets a list take over a moderator's
//     block that says the same (it then goes when the list retracts the entry).
//   - A list's block that no list wants any more stays, unless its list removes retracted
//     entries (or excludes the domain now).
//   - A list that creates drafts proposes its changes instead; a moderator approves them.
//   - A subdomain entry under a parent block at least as strict is skipped (Mastodon's rule).
import type { DomainBlockRow } from "../../../store/moderation/domain-blocks.ts";
import type { BlocklistDraftRow, BlocklistSubscriptionRow } from "../../../store/moderation/blocklists.ts";
import type { DomainBlockSeverity } from "../../../db/schema.ts";
import { SEVERITY_RANK } from "../domain-policy.ts";
import { stricterThan, type DomainBlockOperation } from "../domain-block-service.ts";
import { domainAndParents } from "../domain-names.ts";
import type { BlocklistEntry } from "./formats.ts";
import { coveringParent, entryFields, parentsFirst, sameAsEntry } from "./import.ts";

export interface MergeInput {
  subscriptions: readonly BlocklistSubscriptionRow[];
  /** What each list said last, by subscription id. */
  entries: ReadonlyMap<string, readonly BlocklistEntry[]>;
  blocks: readonly DomainBlockRow[];
  /** Blocks a list adopted from the moderators. */
  adopted: ReadonlySet<string>;
  drafts: readonly BlocklistDraftRow[];
  ties: "milder" | "stricter";
  /** A subscription being removed: its blocks go (undo) or stay as the moderators'. */
  removing?: { id: string; undo: boolean };
  /** Domains whose drafts a moderator approved: their change is made now. */
  approved?: ReadonlySet<string>;
}

export interface DraftProposal {
  subscription_id: string;
  domain: string;
  action: "create" | "update" | "remove";
  severity: DomainBlockSeverity;
  reject_media: 0 | 1;
  reject_reports: 0 | 1;
  public_comment: string;
  obfuscate: 0 | 1;
}

export interface MergeResult {
  operations: DomainBlockOperation[];
  /** Moderators' blocks a list takes over now. */
  adopt: { blockId: string; subscriptionId: string }[];
  /** Adopted blocks that are the moderators' again (given back or orphaned). */
  release: string[];
  /** Drafts to add, and ids of drafts no longer proposed. */
  newDrafts: DraftProposal[];
  staleDrafts: string[];
  /** Changes (and new drafts) per subscription, for its status. */
  changesBy: Map<string, number>;
}

interface Wanted {
  sub: BlocklistSubscriptionRow;
  entry: BlocklistEntry;
}

export function excludesOf(sub: Pick<BlocklistSubscriptionRow, "excludes">): Set<string> {
  return new Set(sub.excludes.split("\n").filter(Boolean));
}

/** The entry as this list applies it, or null when the list does not apply it. */
export function applied(sub: BlocklistSubscriptionRow, excludes: ReadonlySet<string>, entry: BlocklistEntry): BlocklistEntry | null {
  if (domainAndParents(entry.domain).some((name) => excludes.has(name))) return null;
  const severity = SEVERITY_RANK[entry.severity] > SEVERITY_RANK[sub.max_severity] ? sub.max_severity : entry.severity;
  // A maximum below suspend says the moderator wants the milder entries.
  const mild = sub.apply_silence === 1 || sub.max_severity !== "suspend";
  if (severity === "silence" && !mild) return null;
  if (severity === "noop" && (!mild || (!entry.reject_media && !entry.reject_reports))) return null;
  return severity === entry.severity ? entry : { ...entry, severity };
}

function better(a: Wanted, b: Wanted, ties: "milder" | "stricter"): boolean {
  if (a.sub.priority !== b.sub.priority) return a.sub.priority > b.sub.priority;
  const rank = SEVERITY_RANK[a.entry.severity] - SEVERITY_RANK[b.entry.severity];
  if (rank !== 0) return ties === "milder" ? rank < 0 : rank > 0;
  const options = Number(a.entry.reject_media) + Number(a.entry.reject_reports) - Number(b.entry.reject_media) - Number(b.entry.reject_reports);
  if (options !== 0) return ties === "milder" ? options < 0 : options > 0;
  return BigInt(a.sub.id) < BigInt(b.sub.id);
}

const noteOf = (sub: Pick<BlocklistSubscriptionRow, "id" | "url">, what = "") => `blocklist subscription ${sub.id} (${sub.url})${what ? `: ${what}` : ""}`;

const flag = (value: boolean): 0 | 1 => (value ? 1 : 0);

export function merge(input: MergeInput): MergeResult {
  const subs = new Map(input.subscriptions.map((sub) => [sub.id, sub]));
  const excludes = new Map(input.subscriptions.map((sub) => [sub.id, excludesOf(sub)]));
  const wanted = new Map<string, Wanted>();
  for (const sub of input.subscriptions) {
    if (input.removing?.id === sub.id) continue;
    for (const raw of input.entries.get(sub.id) ?? []) {
      const entry = applied(sub, excludes.get(sub.id)!, raw);
      if (!entry) continue;
      const current = wanted.get(entry.domain);
      const candidate = { sub, entry };
      if (!current || better(candidate, current, input.ties)) wanted.set(entry.domain, candidate);
    }
  }

  const blocks = new Map(input.blocks.map((row) => [row.domain, row]));
  // The blocks as they will be, for the parent rule: updated as the plan goes, parents first.
  const effective = new Map<string, Pick<DomainBlockRow, "domain" | "severity" | "reject_media" | "reject_reports">>(blocks);
  const result: MergeResult = { operations: [], adopt: [], release: [], newDrafts: [], staleDrafts: [], changesBy: new Map() };
  const proposals = new Map<string, DraftProposal>();
  const count = (subId: string) => result.changesBy.set(subId, (result.changesBy.get(subId) ?? 0) + 1);
  const drafting = (sub: BlocklistSubscriptionRow, domain: string) => sub.create_as_drafts === 1 && !input.approved?.has(domain);
  const propose = (sub: BlocklistSubscriptionRow, action: DraftProposal["action"], domain: string, fields: Pick<DraftProposal, "severity" | "reject_media" | "reject_reports" | "public_comment" | "obfuscate">) =>
    proposals.set(domain, { subscription_id: sub.id, domain, action, ...fields });

  const domains = new Set<string>(wanted.keys());
  for (const row of input.blocks) if (row.subscription_id !== null) domains.add(row.domain);

  for (const { domain } of parentsFirst([...domains].map((d) => ({ domain: d })))) {
    const want = wanted.get(domain);
    const block = blocks.get(domain);
    if (want) {
      const { sub, entry } = want;
      const fields = { severity: entry.severity, reject_media: flag(entry.reject_media), reject_reports: flag(entry.reject_reports), public_comment: entry.public_comment, obfuscate: flag(entry.obfuscate) };
      if (!block) {
        const parent = coveringParent(domain, effective);
        if (parent && !stricterThan({ ...fields, private_comment: "" }, { ...parent, private_comment: "", public_comment: "", obfuscate: 0 })) continue;
        if (drafting(sub, domain)) {
          propose(sub, "create", domain, fields);
          continue;
        }
        result.operations.push({ kind: "create", input: { domain, ...entryFields(entry) }, subscriptionId: sub.id, note: noteOf(sub) });
        effective.set(domain, { domain, ...fields });
        count(sub.id);
      } else if (block.subscription_id === null) {
        // A moderator's block: never changed, only adopted when it says what the list says.
        const same = block.severity === entry.severity && block.reject_media === fields.reject_media && block.reject_reports === fields.reject_reports;
        if (sub.adopt_existing === 1 && same) {
          result.operations.push({ kind: "update", id: block.id, input: {}, subscriptionId: sub.id, note: noteOf(sub, "adopted") });
          result.adopt.push({ blockId: block.id, subscriptionId: sub.id });
          count(sub.id);
        }
      } else if (sameAsEntry(block, entry)) {
        if (block.subscription_id !== sub.id) {
          // Another list now decides (its own went, or a higher priority list said the same).
          result.operations.push({ kind: "update", id: block.id, input: {}, subscriptionId: sub.id, note: noteOf(sub, "now decided by this list") });
          count(sub.id);
        }
      } else if (drafting(sub, domain)) {
        propose(sub, "update", domain, fields);
      } else {
        result.operations.push({ kind: "update", id: block.id, input: entryFields(entry), subscriptionId: sub.id, note: noteOf(sub) });
        effective.set(domain, { domain, ...fields });
        count(sub.id);
      }
      continue;
    }
    if (!block || block.subscription_id === null) continue;
    // A list's block that no list wants now.
    const owner = subs.get(block.subscription_id);
    const adopted = input.adopted.has(block.id);
    const giveBack = (note: string) => {
      result.operations.push({ kind: "update", id: block.id, input: {}, subscriptionId: null, note });
      if (adopted) result.release.push(block.id);
    };
    const remove = (note: string) => {
      result.operations.push({ kind: "remove", id: block.id, note });
      effective.delete(domain);
    };
    if (!owner) {
      giveBack(`blocklist subscription ${block.subscription_id} is gone; the block stays as the moderators'`);
    } else if (input.removing?.id === owner.id) {
      if (!input.removing.undo) giveBack(noteOf(owner, "unsubscribed; the block stays as the moderators'"));
      else if (adopted) giveBack(noteOf(owner, "unsubscribed with undo; the adopted block is the moderators' again"));
      else remove(noteOf(owner, "unsubscribed with undo"));
    } else if (domainAndParents(domain).some((name) => excludes.get(owner.id)!.has(name))) {
      if (adopted) giveBack(noteOf(owner, "excluded; the adopted block is the moderators' again"));
      else remove(noteOf(owner, "excluded"));
      count(owner.id);
    } else if (owner.remove_retracted === 1) {
      if (drafting(owner, domain)) {
        propose(owner, "remove", domain, { severity: block.severity, reject_media: block.reject_media, reject_reports: block.reject_reports, public_comment: block.public_comment, obfuscate: block.obfuscate });
      } else {
        remove(noteOf(owner, "retracted by the list"));
        count(owner.id);
      }
    }
  }

  // Drafts: an unchanged proposal keeps its draft (and a rejection); anything else is replaced.
  const existing = new Map(input.drafts.map((draft) => [draft.domain, draft]));
  for (const draft of input.drafts) {
    const proposal = proposals.get(draft.domain);
    if (!proposal || !sameProposal(draft, proposal)) result.staleDrafts.push(draft.id);
  }
  for (const proposal of proposals.values()) {
    const draft = existing.get(proposal.domain);
    if (draft && sameProposal(draft, proposal)) continue;
    result.newDrafts.push(proposal);
    count(proposal.subscription_id);
  }
  return result;
}

function sameProposal(draft: BlocklistDraftRow, proposal: DraftProposal): boolean {
  return draft.subscription_id === proposal.subscription_id && draft.action === proposal.action && draft.severity === proposal.severity &&
    draft.reject_media === proposal.reject_media && draft.reject_reports === proposal.reject_reports &&
    draft.public_comment === proposal.public_comment && draft.obfuscate === proposal.obfuscate;
}
