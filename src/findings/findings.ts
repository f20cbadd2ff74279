/** Building, ordering and judging findings: the same input gives the same output, byte for byte. */
import type { Finding, Severity, Verdict } from './types.js';

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * A stable id: `rule:subject:actor`, where subject is the exact object when
 * there is one (two policies on one table are two findings), else the relation.
 */
export function findingId(rule: string, subject: { relation: string | null; object?: string | undefined }, actor: string | null): string {
  return `${rule}:${subject.object ?? subject.relation ?? '-'}:${actor ?? '-'}`;
}

/** Deterministic order: errors first, then by rule, relation, object, actor, id. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    cmp(a.rule, b.rule) ||
    cmp(a.relation ?? '', b.relation ?? '') ||
    cmp(a.object ?? '', b.object ?? '') ||
    cmp(a.actor ?? '', b.actor ?? '') ||
    cmp(a.id, b.id)
  );
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

/**
 * One finding per id. When two share an id (two rules of one run reporting
 * the same thing), the more severe one is kept, so dedupe never hides an error.
 */
export function dedupeFindings(findings: readonly Finding[]): Finding[] {
  const byId = new Map<string, Finding>();
  for (const f of findings) {
    const seen = byId.get(f.id);
    if (!seen || SEVERITY_RANK[f.severity] < SEVERITY_RANK[seen.severity]) byId.set(f.id, f);
  }
  return sortFindings([...byId.values()]);
}

/** `fail` as soon as one finding is an error; warnings and infos never fail the verdict. */
export function verdictOf(findings: readonly Pick<Finding, 'severity'>[]): Verdict {
  return findings.some((f) => f.severity === 'error') ? 'fail' : 'pass';
}

export function countBySeverity(findings: readonly Pick<Finding, 'severity'>[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
