/** What a lint rule is: a stable id, a default severity, why it matters, and a check over the catalog. */
import type { Severity } from '../findings/types.js';
import type { LintContext } from './context.js';
import type { RuleId } from './rule-ids.js';

export interface RuleFinding {
  /** `schema.name`, or null. */
  relation: string | null;
  /** Actor name from the config, or null. */
  actor: string | null;
  /** The exact object (`policy s.t.p`, `function s.f(uuid)`, ...), when finer than the relation. */
  object?: string;
  message: string;
  fix: string;
  /** Overrides the rule's default for this finding (the config's override still wins). */
  severity?: Severity;
  /** Key into the migration locations (see locations.ts); defaults to the relation. */
  locate?: string;
}

export interface LintRule {
  id: RuleId;
  severity: Severity;
  /** One line: what the rule catches. */
  title: string;
  /** Numbers of the pitfalls in shared/README.md this rule covers. */
  pitfalls: number[];
  /** Why it matters, for the docs. */
  why: string;
  check(ctx: LintContext): RuleFinding[];
}
