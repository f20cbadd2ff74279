import type { LintRule } from '../rule.js';
import { isTopLevelTable, objectOf, qualified } from '../util.js';

export const nullableTenantColumn: LintRule = {
  id: 'nullable-tenant-column',
  severity: 'error',
  title: 'The tenant column is nullable',
  pitfalls: [20],
  why: 'A row with no tenant belongs to nobody and to everybody: policies comparing with the context hide it, fail-open ones show it to all, and it escapes every per-tenant export, deletion and composite key.',
  check(ctx) {
    const column = ctx.catalog.tenancy.tenantColumn;
    return ctx.tenantRelations
      .filter((rel) => rel.tenancy?.kind === 'direct' && isTopLevelTable(rel) && rel.columns.some((c) => c.name === column && !c.notNull))
      .map((rel) => ({
        relation: rel.qualifiedName,
        actor: null,
        object: objectOf.column(rel.qualifiedName, column),
        message: `${rel.qualifiedName}.${column} is nullable: rows without a tenant can be written`,
        fix: `ALTER TABLE ${qualified(rel.qualifiedName)} ALTER COLUMN ${qualified(column)} SET NOT NULL;`,
      }));
  },
};
