import { problemGroups } from '../policy-analysis.js';
import type { LintRule } from '../rule.js';
import { list, locationKey, objectOf, uniq } from '../util.js';

export const policyTrustsForgeableSetting: LintRule = {
  id: 'policy-trusts-forgeable-setting',
  severity: 'error',
  title: 'A policy grants access on a custom setting that is not the tenant context',
  pitfalls: [18],
  why: "Any session can set any custom setting with set_config: `current_setting('app.role') = 'admin'` is a door every actor can open. Only the tenant context set by the trusted layer may decide access.",
  check(ctx) {
    return problemGroups(ctx, 'forgeable').map((g) => {
      const settings = uniq(g.branches.flatMap((b) => b.forgeable));
      return {
        relation: g.relation.qualifiedName,
        actor: g.actor.name,
        object: objectOf.policy(g.policy),
        locate: locationKey.policy(g.relation.qualifiedName, g.policy.name),
        message: `policy ${g.policy.name} on ${g.relation.qualifiedName} grants rows of any tenant on ${list(settings)} in ${g.where.join(' and ')}: ${g.actor.name} can set ${settings.length === 1 ? 'it' : 'them'} itself with set_config`,
        fix: `decide cross-tenant access with a role (a BYPASSRLS platform role, or membership checked with pg_has_role), not a setting; if ${list(settings)} is written only by a trusted layer, list it in tenancy.trustedSettings`,
      };
    });
  },
};
