import type { LintRule, RuleFinding } from '../rule.js';
import { locationKey, objectOf } from '../util.js';

export const sharedRowException: LintRule = {
  id: 'shared-row-exception',
  severity: 'info',
  title: 'Rows shared across tenants on purpose (reviewed exception)',
  pitfalls: [],
  why: 'Every exception stays visible in the report, with its reason and reviewer, so that an auditor sees what is shared and who decided it.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const s of ctx.config.sharedRows) {
      const rel = ctx.relation(s.relation);
      if (!rel) continue;
      const policy = s.policy === undefined ? undefined : rel.policies.find((p) => p.name === s.policy);
      if (s.policy !== undefined && !policy) continue;
      out.push({
        relation: rel.qualifiedName,
        actor: null,
        ...(policy ? { object: objectOf.policy(policy), locate: locationKey.policy(rel.qualifiedName, policy.name) } : { object: `predicate ${s.predicate}` }),
        message: `${policy ? `policy ${policy.name}` : `rows where ${s.predicate}`} on ${rel.qualifiedName} ${policy ? 'shares rows' : 'are shared'} across tenants by design, for ${s.access === 'write' ? 'reading and writing' : 'reading only'}: ${s.reason} (reviewed by ${s.reviewedBy})`,
        fix: 'none needed; remove the exception from sharedRows when the sharing ends',
      });
    }
    return out;
  },
};
