import type { LintRule } from '../rule.js';
import { accessList, exposedTo, isTopLevelTable, list } from '../util.js';

export const undeclaredGlobalTable: LintRule = {
  id: 'undeclared-global-table',
  severity: 'warning',
  title: 'A table reachable by actors is neither tenant-scoped nor declared global',
  pitfalls: [],
  why: 'A table without the tenant column (or a NOT NULL path to one) is shared by every tenant. If that is on purpose, the config says so; if not, it is missing its tenant column.',
  check(ctx) {
    return ctx.catalog.relations
      .filter((rel) => isTopLevelTable(rel) && rel.tenancy === null && !ctx.globalTable(rel.qualifiedName))
      .flatMap((rel) => {
        const exposed = exposedTo(ctx, rel);
        if (exposed.length === 0) return [];
        return [
          {
            relation: rel.qualifiedName,
            actor: null,
            message: `${rel.qualifiedName} has no tenant column (${ctx.catalog.tenancy.tenantColumns.join(', ')}) and no NOT NULL foreign key to a tenant table, so every tenant shares it; ${list(exposed.map((a) => `${a.name} (${accessList(ctx.privileges(rel, a)).join(', ')})`))} reach it`,
            fix: `if it is global on purpose, add { relation: '${rel.qualifiedName}', reason: '...' } to globalTables; otherwise add a tenant column (NOT NULL, with RLS), or name its tenant column in tenancy.relations`,
          },
        ];
      });
  },
};
