import { quoteIdent, quoteRelation } from '../../sql/text.js';
import type { LintRule } from '../rule.js';
import { tenantColumnOf } from '../util.js';

export const tenantIndexNotLeading: LintRule = {
  id: 'tenant-index-not-leading',
  severity: 'warning',
  title: 'No index of a tenant table leads with the tenant column',
  pitfalls: [],
  why: 'Every policy filters by the tenant column: without an index leading with it each query scans all tenants\' rows, and composite keys (tenant_id, id) have nothing to reference.',
  check(ctx) {
    return ctx.tenantRelations.flatMap((rel) => {
      const column = tenantColumnOf(rel);
      if (rel.tenancy?.kind !== 'direct' || column === null) return [];
      if (!(rel.kind === 'table' || rel.kind === 'partitioned-table' || rel.kind === 'materialized-view') || rel.partitionOf !== null || rel.extension !== null) return [];
      if (rel.indexes.some((ix) => ix.valid && ix.columns[0] === column)) return [];
      const rest = rel.primaryKey?.columns.filter((c) => c !== column) ?? [];
      return [
        {
          relation: rel.qualifiedName,
          actor: null,
          message: `no index of ${rel.qualifiedName} leads with ${column}${rel.primaryKey ? ` (primary key: ${rel.primaryKey.columns.join(', ')})` : ''}`,
          fix: `${rest.length > 0 ? `make the primary key (${[column, ...rest].map(quoteIdent).join(', ')}), or ` : ''}CREATE INDEX ON ${quoteRelation(rel.qualifiedName)} (${quoteIdent(column)});`,
        },
      ];
    });
  },
};
