import type { Relation } from '../../catalog/types.js';
import { quoteIdent } from '../../sql/text.js';
import type { LintRule } from '../rule.js';
import { isTopLevelTable, objectOf, tenantColumnOf } from '../util.js';

// Defaults that draw a random uuid: a key made only of those cannot be guessed, so a duplicate-key error reveals nothing.
const RANDOM_UUID = /\b(gen_random_uuid|uuid_generate_v4|uuidv4|uuidv7)\s*\(/i;

export const uniqueOmitsTenantColumn: LintRule = {
  id: 'unique-omits-tenant-column',
  severity: 'warning',
  title: 'A unique key of a tenant table does not include the tenant column',
  pitfalls: [13],
  why: 'Uniqueness is checked across all tenants, beneath RLS: a duplicate-key error (or ON CONFLICT DO UPDATE on a hidden row) tells one tenant that another tenant has that value.',
  check(ctx) {
    return ctx.tenantRelations
      .filter((rel) => rel.tenancy?.kind === 'direct' && isTopLevelTable(rel))
      .flatMap((rel) => {
        const column = tenantColumnOf(rel) ?? '';
        return rel.indexes
          .filter((ix) => ix.unique && !ix.columns.includes(column) && !randomSurrogate(rel, ix.columns))
          .map((ix) => ({
            relation: rel.qualifiedName,
            actor: null,
            object: ix.constraint ? objectOf.constraint(rel.qualifiedName, ix.constraint) : objectOf.index(rel, ix.name),
            message: `${ix.primary ? 'primary key' : 'unique key'} ${ix.constraint ?? ix.name} on ${rel.qualifiedName} (${ix.keys.join(', ')})${ix.predicate ? ` where ${ix.predicate}` : ''} is unique across tenants: a duplicate-key error reveals another tenant's value`,
            fix: `make it unique per tenant: (${[quoteIdent(column), ...ix.keys].join(', ')}); if the value is globally unique by design, accept it (accept: [{ rule, relation, reason, reviewedBy }])`,
          }));
      });
  },
};

function randomSurrogate(rel: Relation, columns: Array<string | null>): boolean {
  return columns.length > 0 && columns.every((name) => {
    const col = rel.columns.find((c) => c.name === name);
    return col !== undefined && col.default !== null && RANDOM_UUID.test(col.default);
  });
}
