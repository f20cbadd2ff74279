/**
 * Reviewed exceptions, for any finding (a lint rule's or a probe's): the config's `accept`
 * entries and their older spelling `lint.ignore`. An accepted finding is never dropped: it stays
 * in the report as info, with the reason and the reviewer, so an auditor sees what was accepted
 * and by whom. One function, called by the lint and by the probe engine.
 */
import type { AcceptedFinding, ResolvedConfig } from '../config/schema.js';
import type { Finding } from './types.js';

/**
 * The findings with every one that an entry matches turned into info, its message ending in
 * "(accepted: reason, reviewed by X)". An entry matches on its rule and on each of relation,
 * actor and object it names. Order and ids are kept; the caller sorts.
 */
export function applyAccepted<F extends Finding>(findings: readonly F[], config: Pick<ResolvedConfig, 'accept' | 'lint'>): F[] {
  const entries: readonly AcceptedFinding[] = [...config.accept, ...config.lint.ignore];
  if (entries.length === 0) return [...findings];
  return findings.map((f) => {
    const entry = entries.find((e) => matches(e, f));
    if (!entry) return f;
    const who = entry.reviewedBy === undefined ? '' : `, reviewed by ${entry.reviewedBy}`;
    return { ...f, severity: 'info', message: `${f.message} (accepted: ${entry.reason}${who})` };
  });
}

function matches(e: AcceptedFinding, f: Finding): boolean {
  return (
    e.rule === f.rule &&
    (e.relation === undefined || e.relation === f.relation) &&
    (e.actor === undefined || e.actor === f.actor) &&
    (e.object === undefined || e.object === f.object)
  );
}
