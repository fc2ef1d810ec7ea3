// The server's rules: listed by GET /api/v1/instance/rules and /api/v2/instance, chosen from when
// reporting (a report's rule_ids), set by admins with `./skein rules`. A removed rule is kept for
// the reports that name it, but no longer listed or accepted.
import type { Stores } from "../../store/stores.ts";
import type { InstanceRuleRow } from "../../store/instance-rules.ts";
import { newId, parseId } from "../../util/ids.ts";
import { nowIso } from "../../util/time.ts";
import { notFound, validationFailed } from "../errors.ts";

export const MAX_RULES = 100;
export const MAX_RULE_TEXT = 300;
export const MAX_RULE_HINT = 2000;

export class RuleService {
  private readonly stores: Stores;
  constructor(stores: Stores) {
    this.stores = stores;
  }

  list(): Promise<InstanceRuleRow[]> {
    return this.stores.instanceRules.current();
  }

  async add(text: string, hint = ""): Promise<InstanceRuleRow> {
    text = text.trim();
    hint = hint.trim();
    if (text === "") throw validationFailed("A rule needs a text");
    if (text.length > MAX_RULE_TEXT) throw validationFailed(`A rule's text is at most ${MAX_RULE_TEXT} characters`);
    if (hint.length > MAX_RULE_HINT) throw validationFailed(`A rule's hint is at most ${MAX_RULE_HINT} characters`);
    if ((await this.list()).length >= MAX_RULES) throw validationFailed(`At most ${MAX_RULES} rules`);
    const now = nowIso();
    const row: InstanceRuleRow = { id: newId(), text, hint, position: await this.stores.instanceRules.nextPosition(), created_at: now, updated_at: now, deleted_at: null };
    await this.stores.instanceRules.insert(row);
    return row;
  }

  async remove(id: string): Promise<void> {
    const ruleId = parseId(id);
    if (!ruleId || !(await this.stores.instanceRules.remove(ruleId, nowIso()))) throw notFound("No such rule");
  }

  /** Rules by id, removed ones too (what reports named); ids that are not ids are skipped. */
  byIds(ids: readonly string[]): Promise<InstanceRuleRow[]> {
    return this.stores.instanceRules.byIds([...new Set(ids.map((id) => parseId(id)).filter((id): id is string => id !== null))]);
  }

  /** Checks that every id names a rule in force (for reports). */
  async check(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const valid = ids.map((id) => parseId(id)).filter((id): id is string => id !== null);
    const existing = await this.stores.instanceRules.existing(valid);
    if (ids.some((id) => !existing.has(parseId(id) ?? ""))) throw validationFailed("Validation failed: Rule ids must name rules of this server");
  }
}
