import { problemGroups } from '../policy-analysis.js';
import type { LintRule } from '../rule.js';
import { locationKey, objectOf } from '../util.js';

export const policyAlwaysTrue: LintRule = {
  id: 'policy-always-true',
  severity: 'error',
  title: 'A permissive policy is true for every row (USING (true), WITH CHECK (true), OR true)',
  pitfalls: [6, 9, 10],
  why: "Permissive policies are ORed: one branch that is always true opens every tenant's rows to the roles it applies to (reading with USING, planting or moving rows with WITH CHECK).",
  check(ctx) {
    return problemGroups(ctx, 'constant-true').map((g) => ({
      relation: g.relation.qualifiedName,
      actor: g.actor.name,
      object: objectOf.policy(g.policy),
      locate: locationKey.policy(g.relation.qualifiedName, g.policy.name),
      message: `policy ${g.policy.name} on ${g.relation.qualifiedName} is always true in ${g.where.join(' and ')}: ${g.actor.name} (${g.actor.role}) can ${g.commands.join('/').toUpperCase()} every tenant's rows`,
      fix: `replace the constant with the tenant check (e.g. ${ctx.catalog.tenancy.tenantColumn} = <tenant context>); if these rows are shared on purpose, declare them in sharedRows with a reason and a reviewer`,
    }));
  },
};
