import { quoteIdent, quoteRelation } from '../../sql/text.js';
import type { LintRule } from '../rule.js';
import { isTopLevelTable, objectOf, tenantColumnOf } from '../util.js';

export const nullableTenantColumn: LintRule = {
  id: 'nullable-tenant-column',
  severity: 'error',
  title: 'The tenant column is nullable',
  pitfalls: [20],
  why: 'A row with no tenant belongs to nobody and to everybody: policies comparing with the context hide it, fail-open ones show it to all, and it escapes every per-tenant export, deletion and composite key.',
  check(ctx) {
    return ctx.tenantRelations.flatMap((rel) => {
      const column = tenantColumnOf(rel);
      if (rel.tenancy?.kind !== 'direct' || column === null || !isTopLevelTable(rel)) return [];
      if (!rel.columns.some((c) => c.name === column && !c.notNull)) return [];
      return [
        {
          relation: rel.qualifiedName,
          actor: null,
          object: objectOf.column(rel.qualifiedName, column),
          message: `${rel.qualifiedName}.${column} is nullable: rows without a tenant can be written`,
          fix: `ALTER TABLE ${quoteRelation(rel.qualifiedName)} ALTER COLUMN ${quoteIdent(column)} SET NOT NULL;`,
        },
      ];
    });
  },
};
