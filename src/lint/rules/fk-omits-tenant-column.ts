import type { LintRule, RuleFinding } from '../rule.js';
import { isTopLevelTable, objectOf, qualified } from '../util.js';

export const fkOmitsTenantColumn: LintRule = {
  id: 'fk-omits-tenant-column',
  severity: 'error',
  title: 'A foreign key between tenant tables does not include the tenant column',
  pitfalls: [12],
  why: 'Foreign keys are checked without RLS: a plain key lets a tenant point its row at another tenant\'s row (and probe which ids exist). A composite key (tenant_id, x) -> (tenant_id, id) makes a cross-tenant reference impossible.',
  check(ctx) {
    const column = ctx.catalog.tenancy.tenantColumn;
    const out: RuleFinding[] = [];
    for (const rel of ctx.tenantRelations) {
      if (rel.tenancy?.kind !== 'direct' || !isTopLevelTable(rel)) continue;
      for (const fk of rel.foreignKeys) {
        if (fk.inherited) continue;
        const target = ctx.relation(fk.references);
        const scope = target?.tenancy;
        if (!target || !scope || scope.kind === 'tenant-table') continue;
        const i = fk.columns.indexOf(column);
        const paired = i >= 0 && fk.referencedColumns[i] === column;
        if (paired) continue;
        const base = { relation: rel.qualifiedName, actor: null, object: objectOf.constraint(rel.qualifiedName, fk.name) };
        if (scope.kind === 'direct') {
          out.push({
            ...base,
            message: `foreign key ${fk.name} (${fk.columns.join(', ')}) -> ${fk.references} (${fk.referencedColumns.join(', ')}) does not pair ${column}: a row of one tenant can reference another tenant's row`,
            fix: `add a unique key (${column}, ${fk.referencedColumns.join(', ')}) on ${qualified(fk.references)} and replace the key with FOREIGN KEY (${[column, ...fk.columns.filter((c) => c !== column)].join(', ')}) REFERENCES ${qualified(fk.references)} (${[column, ...fk.referencedColumns.filter((c) => c !== column)].join(', ')})`,
          });
        } else {
          out.push({
            ...base,
            severity: 'warning',
            message: `foreign key ${fk.name} (${fk.columns.join(', ')}) -> ${fk.references} points at a relation without the tenant column: nothing stops a reference to another tenant's row`,
            fix: `add ${column} to ${qualified(fk.references)} (with a unique key (${column}, ${fk.referencedColumns.join(', ')})) and make the key composite`,
          });
        }
      }
    }
    return out;
  },
};
