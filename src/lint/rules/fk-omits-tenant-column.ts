import { quoteIdent, quoteRelation } from '../../sql/text.js';
import type { LintRule, RuleFinding } from '../rule.js';
import { isTopLevelTable, objectOf, tenantColumnOf } from '../util.js';

const cols = (names: readonly string[]) => names.map(quoteIdent).join(', ');

export const fkOmitsTenantColumn: LintRule = {
  id: 'fk-omits-tenant-column',
  severity: 'error',
  title: 'A foreign key between tenant tables does not include the tenant column',
  pitfalls: [12],
  why: 'Foreign keys are checked without RLS: a plain key lets a tenant point its row at another tenant\'s row (and probe which ids exist). A composite key (tenant_id, x) -> (tenant_id, id) makes a cross-tenant reference impossible.',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const rel of ctx.tenantRelations) {
      // Each side's own tenant column: `group_id` here may pair with `owned_by_group` there.
      const column = tenantColumnOf(rel);
      if (rel.tenancy?.kind !== 'direct' || column === null || !isTopLevelTable(rel)) continue;
      for (const fk of rel.foreignKeys) {
        if (fk.inherited) continue;
        const target = ctx.relation(fk.references);
        const scope = target?.tenancy;
        if (!target || !scope || scope.kind === 'tenant-table') continue;
        const targetColumn = tenantColumnOf(target);
        const i = fk.columns.indexOf(column);
        const paired = i >= 0 && targetColumn !== null && fk.referencedColumns[i] === targetColumn;
        if (paired) continue;
        const base = { relation: rel.qualifiedName, actor: null, object: objectOf.constraint(rel.qualifiedName, fk.name) };
        const others = fk.columns.map((c, j) => [c, fk.referencedColumns[j]!] as const).filter(([c]) => c !== column);
        if (scope.kind === 'direct' && targetColumn !== null) {
          out.push({
            ...base,
            message: `foreign key ${fk.name} (${fk.columns.join(', ')}) -> ${fk.references} (${fk.referencedColumns.join(', ')}) does not pair ${column} with ${fk.references}.${targetColumn}: a row of one tenant can reference another tenant's row`,
            fix: `add a unique key (${cols([targetColumn, ...others.map(([, r]) => r)])}) on ${quoteRelation(fk.references)} and replace the key with FOREIGN KEY (${cols([column, ...others.map(([c]) => c)])}) REFERENCES ${quoteRelation(fk.references)} (${cols([targetColumn, ...others.map(([, r]) => r)])})`,
          });
        } else {
          out.push({
            ...base,
            severity: 'warning',
            message: `foreign key ${fk.name} (${fk.columns.join(', ')}) -> ${fk.references} points at a relation without a tenant column of its own: nothing stops a reference to another tenant's row`,
            fix: `add a tenant column to ${quoteRelation(fk.references)} (e.g. ${quoteIdent(column)}, NOT NULL, with a unique key (${cols([column, ...fk.referencedColumns])})) and make the key composite`,
          });
        }
      }
    }
    return out;
  },
};
