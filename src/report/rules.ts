/**
 * Metadata of every rule id a finding can carry, for SARIF's rule table and
 * JUnit: lint rules from their registry (title, why, default severity),
 * probes and coverage checks from the table below.
 */
import type { Severity } from '../findings/types.js';
import { ruleById } from '../lint/registry.js';

export interface RuleInfo {
  id: string;
  title: string;
  why: string;
  severity: Severity;
  kind: 'lint' | 'probe' | 'coverage' | 'other';
}

/** SARIF's rule for cells where no check held (results of kind `open`, not findings). */
export const NOT_PROVEN_RULE = 'coverage-not-proven';

const PROBE_RULES: Record<string, { title: string; why: string; severity?: Severity }> = {
  'probe-read': { title: 'An actor read rows of another tenant', why: 'Under its own tenant context the actor saw rows that belong to other tenants: a cross-tenant read, proven on a generated world.' },
  'probe-read-unset': { title: 'Rows are visible with no tenant context set', why: 'With the tenant setting unset the actor still saw tenant rows: the context must fail closed.' },
  'probe-read-empty': { title: 'Rows are visible with an empty tenant context', why: 'An empty tenant setting must match no row; here it widened access.' },
  'probe-read-malformed': { title: 'Rows are visible with a malformed tenant context', why: 'A malformed tenant value must match no row or raise, never widen access.' },
  'probe-read-forged': { title: 'A forged custom setting opened other tenants\' rows', why: 'Any session can set any custom setting; a policy that trusts one can be talked into showing other tenants\' rows.' },
  'probe-read-escalated': { title: 'The actor can SET ROLE past row level security', why: 'A role the actor may switch to bypasses the policies or owns the tables.' },
  'probe-insert': { title: 'An actor inserted a row into another tenant', why: 'An INSERT policy without a tenant-pinning WITH CHECK lets an actor write into other tenants.' },
  'probe-insert-returning': { title: 'INSERT ... RETURNING crossed the tenant boundary', why: 'The row written, or returned, belongs to another tenant.' },
  'probe-update': { title: 'An actor updated another tenant\'s rows', why: 'An UPDATE policy\'s USING is not restricted to the actor\'s tenant.' },
  'probe-delete': { title: 'An actor deleted another tenant\'s rows', why: 'A DELETE policy\'s USING is not restricted to the actor\'s tenant.' },
  'probe-move': { title: 'An actor moved a row into another tenant', why: 'An UPDATE policy without a tenant-pinning WITH CHECK lets a row change tenant.' },
  'probe-steal': { title: 'An actor took over another tenant\'s rows', why: 'An open UPDATE USING lets an actor re-stamp other tenants\' rows as its own.' },
  'probe-reference': { title: 'A row referenced another tenant\'s row', why: 'A foreign key without the tenant column lets a row point into another tenant.' },
  'probe-upsert': { title: 'INSERT ... ON CONFLICT changed another tenant\'s row', why: 'An upsert aimed at another tenant\'s key updated it.' },
  'probe-call': { title: 'A function returned other tenants\' rows', why: 'A callable function (often SECURITY DEFINER) reads past the caller\'s policies.' },
  'probe-call-other-tenant': { title: 'A function served a tenant named in its argument', why: 'A function that trusts a tenant id argument serves any tenant to any caller.' },
  'probe-duplicate-key': { title: 'A duplicate-key error revealed another tenant\'s value', why: 'A unique key without the tenant column answers "does another tenant hold this value?"', severity: 'warning' },
  'probe-pooled-context': { title: 'The tenant context outlives its transaction', why: 'A context set at session level survives COMMIT: the next user of a pooled connection inherits the tenant.' },
  'probe-over-restriction': { title: 'An actor did not see all of its own tenant\'s rows', why: 'Not a leak: a policy stricter than the tenant boundary, or a context that does not match.', severity: 'info' },
  'coverage-vacuous': { title: 'The probes proved nothing', why: 'No world, row or check: a run that probes nothing cannot show isolation.' },
  'coverage-relation-unprobed': { title: 'A tenant relation was never judged by a read check', why: 'No read check could judge it, so a leak there would go unseen.', severity: 'warning' },
  [NOT_PROVEN_RULE]: { title: 'No check held for an actor on a relation', why: 'Every check of these probes was inconclusive (nothing of another tenant to touch, an unrelated error): the cell is not proven, never a pass.', severity: 'info' },
};

export function ruleInfo(id: string): RuleInfo {
  const lint = ruleById(id);
  if (lint) return { id, title: lint.title, why: lint.why, severity: lint.severity, kind: 'lint' };
  const probe = PROBE_RULES[id];
  if (probe) return { id, title: probe.title, why: probe.why, severity: probe.severity ?? 'error', kind: id.startsWith('coverage-') ? 'coverage' : 'probe' };
  return { id, title: id.replace(/-/g, ' '), why: `Findings of the rule ${id}.`, severity: 'warning', kind: 'other' };
}
