import { problemGroups } from '../policy-analysis.js';
import type { LintRule } from '../rule.js';
import { locationKey, objectOf } from '../util.js';

export const permissiveWidening: LintRule = {
  id: 'permissive-widening',
  severity: 'error',
  title: 'A permissive policy admits rows without comparing them with the tenant context',
  pitfalls: [11],
  why: "Permissive policies are ORed: a branch such as `is_public` or `status = 'open'` that does not pin the row to the actor's tenant widens every other policy to all tenants.",
  check(ctx) {
    return problemGroups(ctx, 'unconstrained').map((g) => ({
      relation: g.relation.qualifiedName,
      actor: g.actor.name,
      object: objectOf.policy(g.policy),
      locate: locationKey.policy(g.relation.qualifiedName, g.policy.name),
      message: `policy ${g.policy.name} on ${g.relation.qualifiedName} admits rows of any tenant through ${g.where.join(' and ')}: it does not compare the row with ${g.actor.name}'s tenant context, and permissive policies are ORed (${g.commands.join('/').toUpperCase()})`,
      fix: `AND the branch with the tenant check (${ctx.catalog.tenancy.tenantColumn} = <tenant context>), or add a RESTRICTIVE policy with the tenant check; if the rows are shared on purpose, declare the predicate in sharedRows`,
    }));
  },
};
