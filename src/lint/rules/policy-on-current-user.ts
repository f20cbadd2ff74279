import type { LintRule, RuleFinding } from '../rule.js';
import { anyAccess, locationKey, objectOf, policyApplies } from '../util.js';

export const policyOnCurrentUser: LintRule = {
  id: 'policy-on-current-user',
  severity: 'warning',
  title: 'A policy decides by current_user while the actor shares one role across tenants',
  pitfalls: [17],
  why: 'When every tenant connects through the same pooled role, current_user is the same for all of them: it cannot tell tenants apart.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const rel of ctx.tenantRelations) {
      for (const policy of rel.policies) {
        if (!policy.readsCurrentUser) continue;
        for (const actor of ctx.actors) {
          if (actor.expect !== 'tenant' || actor.context.rolePerTenant || !policyApplies(policy, actor) || !anyAccess(ctx.privileges(rel, actor))) continue;
          out.push({
            relation: rel.qualifiedName,
            actor: actor.name,
            object: objectOf.policy(policy),
            locate: locationKey.policy(rel.qualifiedName, policy.name),
            message: `policy ${policy.name} on ${rel.qualifiedName} reads current_user, but ${actor.name} uses one role (${actor.role}) for every tenant`,
            fix: 'compare with the tenant context instead, or give each tenant its own role (context.roleTemplate)',
          });
        }
      }
    }
    return out;
  },
};
