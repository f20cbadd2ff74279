import type { LintRule } from '../rule.js';
import { qualified } from '../util.js';

export const tenantIndexNotLeading: LintRule = {
  id: 'tenant-index-not-leading',
  severity: 'warning',
  title: 'No index of a tenant table leads with the tenant column',
  pitfalls: [],
  why: 'Every policy filters by the tenant column: without an index leading with it each query scans all tenants\' rows, and composite keys (tenant_id, id) have nothing to reference.',
  check(ctx) {
    const column = ctx.catalog.tenancy.tenantColumn;
    return ctx.tenantRelations
      .filter((rel) => rel.tenancy?.kind === 'direct' && (rel.kind === 'table' || rel.kind === 'partitioned-table' || rel.kind === 'materialized-view') && rel.partitionOf === null && rel.extension === null)
      .filter((rel) => !rel.indexes.some((ix) => ix.valid && ix.columns[0] === column))
      .map((rel) => ({
        relation: rel.qualifiedName,
        actor: null,
        message: `no index of ${rel.qualifiedName} leads with ${column}${rel.primaryKey ? ` (primary key: ${rel.primaryKey.columns.join(', ')})` : ''}`,
        fix: `make the primary key (${column}, ${rel.primaryKey?.columns.filter((c) => c !== column).join(', ') || 'id'}), or CREATE INDEX ON ${qualified(rel.qualifiedName)} (${column});`,
      }));
  },
};
