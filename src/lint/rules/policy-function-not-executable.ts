import { quoteIdent } from '../../sql/text.js';
import type { LintRule, RuleFinding } from '../rule.js';
import { anyAccess, locationKey, objectOf, policyApplies, sqlFunction } from '../util.js';

export const policyFunctionNotExecutable: LintRule = {
  id: 'policy-function-not-executable',
  severity: 'warning',
  title: 'A policy calls a function the actor may not execute',
  pitfalls: [19],
  why: 'Policy expressions run with the querying role\'s rights: a revoked helper makes every query on the table fail with "permission denied for function".',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const rel of ctx.tenantRelations) {
      if (!rel.rls.enabled) continue;
      for (const policy of rel.policies) {
        for (const actor of ctx.actors) {
          if (!actor.exists || !policyApplies(policy, actor) || !anyAccess(ctx.privileges(rel, actor)) || ctx.bypassesRls(actor.role, rel)) continue;
          const denied = policy.functions.map((s) => ctx.func(s)).filter((f) => f !== undefined && !f.executableBy.includes(actor.role));
          for (const f of denied) {
            out.push({
              relation: rel.qualifiedName,
              actor: actor.name,
              object: objectOf.policy(policy),
              locate: locationKey.policy(rel.qualifiedName, policy.name),
              message: `policy ${policy.name} on ${rel.qualifiedName} calls ${f!.signature}, which ${actor.name} (${actor.role}) may not execute: its queries fail`,
              fix: `GRANT EXECUTE ON FUNCTION ${sqlFunction(f!)} TO ${quoteIdent(actor.role)};`,
            });
          }
        }
      }
    }
    return out;
  },
};
