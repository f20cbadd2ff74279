import { problemGroups } from '../policy-analysis.js';
import type { LintRule } from '../rule.js';
import { locationKey, objectOf } from '../util.js';

export const failOpenNullCheck: LintRule = {
  id: 'fail-open-null-check',
  severity: 'error',
  title: 'A policy treats an unset tenant context as "show everything"',
  pitfalls: [7, 8],
  why: "`context IS NULL OR ...`, `context = ''` or `COALESCE(context, tenant_id)` make a session without a tenant (a bug, a missing middleware, a pooled connection) see every tenant. Unset must give no row or an error.",
  check(ctx) {
    const column = ctx.catalog.tenancy.tenantColumn;
    return problemGroups(ctx, 'fail-open').map((g) => ({
      relation: g.relation.qualifiedName,
      actor: g.actor.name,
      object: objectOf.policy(g.policy),
      locate: locationKey.policy(g.relation.qualifiedName, g.policy.name),
      message: `policy ${g.policy.name} on ${g.relation.qualifiedName} fails open in ${g.where.join(' and ')}: with no tenant set, ${g.actor.name} can ${g.commands.join('/').toUpperCase()} every tenant's rows`,
      fix: `drop the NULL/empty branch and compare only: ${column} = nullif(current_setting('${g.actor.context.settings[0] ?? '<setting>'}', true), '')::${g.relation.columns.find((c) => c.name === column)?.type ?? '<type>'} (NULL matches no row)`,
    }));
  },
};
