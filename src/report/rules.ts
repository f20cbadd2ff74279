/**
 * Metadata of every rule id a finding can carry, for SARIF's rule table and
 * JUnit: lint rules from their registry (title, why, default severity),
 * probes from their definitions (src/probes/defs), whole-run and coverage
 * checks from the table below.
 */
import type { Severity } from '../findings/types.js';
import { ruleById } from '../lint/registry.js';
import { probeRule, type RunRuleId } from '../probes/ids.js';
import { PROBE_LIST } from '../probes/registry.js';

export interface RuleInfo {
  id: string;
  title: string;
  why: string;
  severity: Severity;
  kind: 'lint' | 'probe' | 'coverage' | 'other';
}

/** SARIF's rule for cells where no check held (results of kind `open`, not findings). */
export const NOT_PROVEN_RULE = 'coverage-not-proven';

/** Whole-run rules of the dynamic half, keyed by their exhaustive id type: a new one without a title does not compile. */
const RUN_RULES: { readonly [K in RunRuleId]: { title: string; why: string; severity: Severity } } = {
  'probe-pooled-context': { title: 'The tenant context outlives its transaction', why: 'A context set at session level survives COMMIT: the next user of a pooled connection inherits the tenant.', severity: 'error' },
  'probe-over-restriction': { title: "An actor did not see all of its own tenant's rows", why: 'Not a leak: a policy stricter than the tenant boundary, or a context that does not match.', severity: 'info' },
  'coverage-vacuous': { title: 'The probes proved nothing', why: 'No world, row or check: a run that probes nothing cannot show isolation.', severity: 'error' },
  'coverage-relation-unprobed': { title: 'A tenant relation was never judged by a read check', why: 'No read check could judge it, so a leak there would go unseen.', severity: 'warning' },
  'coverage-relation-not-proven': { title: 'No check proved anything about a tenant relation', why: 'Every check on it, for every actor, was inconclusive: a relation nothing was proven about is no pass.', severity: 'error' },
  'coverage-unfilled': { title: 'No world could fill a tenant relation', why: 'The database refused every generated row (or no parent row existed): its checks had nothing to show.', severity: 'warning' },
};

const DYNAMIC_RULES: Record<string, { title: string; why: string; severity: Severity }> = {
  ...Object.fromEntries(PROBE_LIST.map((p) => [probeRule(p.id), { title: p.title, why: p.why, severity: p.severity }])),
  ...RUN_RULES,
  [NOT_PROVEN_RULE]: { title: 'No check held for an actor on a relation', why: 'Every check of these probes was inconclusive (nothing of another tenant to touch, an unrelated error): the cell is not proven, never a pass.', severity: 'info' },
};

export function ruleInfo(id: string): RuleInfo {
  const lint = ruleById(id);
  if (lint) return { id, title: lint.title, why: lint.why, severity: lint.severity, kind: 'lint' };
  const dynamic = DYNAMIC_RULES[id];
  if (dynamic) return { id, title: dynamic.title, why: dynamic.why, severity: dynamic.severity, kind: id.startsWith('coverage-') ? 'coverage' : 'probe' };
  return { id, title: id.replace(/-/g, ' '), why: `Findings of the rule ${id}.`, severity: 'warning', kind: 'other' };
}
