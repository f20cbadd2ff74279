import type { LintRule } from '../rule.js';
import { anyAccess, isTopLevelTable, list, tenantCheckSql } from '../util.js';

export const rlsWithoutPolicy: LintRule = {
  id: 'rls-without-policy',
  severity: 'warning',
  title: 'Row level security is on but no policy exists, while actors hold privileges',
  pitfalls: [],
  why: 'With no policy RLS denies every row: actors granted privileges see nothing. Not a leak, but usually a missing policy.',
  check(ctx) {
    return ctx.tenantRelations
      .filter((rel) => isTopLevelTable(rel) && rel.rls.enabled && rel.policies.length === 0)
      .flatMap((rel) => {
        const actors = ctx.actors.filter((a) => a.exists && anyAccess(ctx.privileges(rel, a)) && !ctx.bypassesRls(a.role, rel));
        if (actors.length === 0) return [];
        return [
          {
            relation: rel.qualifiedName,
            actor: null,
            message: `${rel.qualifiedName} has row level security but no policy: ${list(actors.map((a) => a.name))} hold privileges on it and see no row`,
            fix: `create the policies ${list(actors.map((a) => a.role))} need (FOR SELECT/INSERT/UPDATE/DELETE ... TO role USING (${tenantCheckSql(ctx, rel)})), or revoke their privileges`,
          },
        ];
      });
  },
};
