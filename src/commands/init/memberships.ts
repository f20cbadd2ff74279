/**
 * Principals apart from tenants: a join table with a NOT NULL key to the
 * tenant table and one to a table of its own (the users), unique per pair,
 * which the policies read (in a subquery or through the functions they call).
 * The users table is then the principals, and the join table the memberships.
 */
import type { Catalog, Relation } from '../../catalog/types.js';
import type { ProposedTenancy } from './tenancy.js';
import { inScope, policyFunctions, policyRelations, relationOf, singleKey } from './scope.js';

export interface ProposedMemberships {
  principals: { relation: string; key?: string };
  memberships: { relation: string; principalColumn: string; tenantColumn: string; roleColumn?: string };
  why: string;
  questions: string[];
}

interface Candidate {
  table: Relation;
  tenantColumn: string;
  principalColumn: string;
  principals: Relation;
  principalKey: string;
  /** Policies that read the join table, and through which function. */
  readBy: number;
  via: string[];
}

export function proposeMemberships(catalog: Catalog, tenancy: ProposedTenancy): ProposedMemberships | null {
  if (!tenancy.tenantTable) return null;
  const policies = catalog.relations.filter((r) => inScope(r) && r.tenancy).flatMap((r) => r.policies);
  const candidates: Candidate[] = [];
  for (const table of catalog.relations.filter((r) => inScope(r) && r.kind === 'table' && r.qualifiedName !== tenancy.tenantTable)) {
    const toTenant = table.foreignKeys.find((k) => k.columns.length === 1 && k.notNull && k.references === tenancy.tenantTable && tenancy.tenantColumns.includes(k.columns[0]!));
    if (!toTenant) continue;
    for (const toPrincipal of table.foreignKeys) {
      if (toPrincipal === toTenant || toPrincipal.columns.length !== 1 || !toPrincipal.notNull) continue;
      const principals = relationOf(catalog, toPrincipal.references);
      // Principals are not themselves tenant rows: a users table with a tenant column is the tenant's users.
      if (!principals || principals.tenancy || principals.qualifiedName === table.qualifiedName) continue;
      const pair = [toTenant.columns[0]!, toPrincipal.columns[0]!].sort().join(',');
      const unique = [table.primaryKey, ...table.uniqueConstraints].some((k) => k !== null && [...k.columns].sort().join(',') === pair);
      if (!unique) continue;
      const reading = policies.filter((p) => policyRelations(catalog, [p]).has(table.qualifiedName));
      if (reading.length === 0) continue;
      const via = [...new Set(reading.flatMap((p) => policyFunctions(catalog, [p]).filter((f) => f.relationsReferenced.includes(table.qualifiedName)).map((f) => `${f.schema}.${f.name}()`)))].sort();
      candidates.push({ table, tenantColumn: toTenant.columns[0]!, principalColumn: toPrincipal.columns[0]!, principals, principalKey: toPrincipal.referencedColumns[0]!, readBy: reading.length, via });
    }
  }
  candidates.sort((a, b) => b.readBy - a.readBy || a.table.qualifiedName.localeCompare(b.table.qualifiedName));
  const [best, second] = candidates;
  if (!best) return null;
  const questions: string[] = [];
  if (second) questions.push(`${second.table.qualifiedName} (${second.principalColumn}, ${second.tenantColumn}) also joins ${second.principals.qualifiedName} to tenants: is it the memberships instead?`);
  const roleColumn = roleColumnOf(catalog, best);
  const how = best.via.length > 0 ? `through ${best.via.join(', ')}` : 'in subqueries';
  return {
    principals: { relation: best.principals.qualifiedName, ...(singleKey(best.principals) === best.principalKey ? {} : { key: best.principalKey }) },
    memberships: { relation: best.table.qualifiedName, principalColumn: best.principalColumn, tenantColumn: best.tenantColumn, ...(roleColumn ? { roleColumn } : {}) },
    why: `${best.principals.qualifiedName} are the principals: ${best.table.qualifiedName} joins them to ${tenancy.tenantTable} (one row per ${best.principalColumn} and ${best.tenantColumn}), and ${best.readBy} policies read it ${how}`,
    questions,
  };
}

/** A member's role in the tenant: a text or enum column named like a role, other than the two keys. */
function roleColumnOf(catalog: Catalog, c: Candidate): string | null {
  const enums = new Set(catalog.types.filter((t) => t.kind === 'enum').map((t) => `${t.schema}.${t.name}`));
  const column = c.table.columns.find(
    (col) =>
      col.name !== c.tenantColumn &&
      col.name !== c.principalColumn &&
      !col.isArray &&
      /(^|_)role$/.test(col.name) &&
      (col.category === 'S' || enums.has(`${col.typeSchema}.${col.typeName}`)),
  );
  return column?.name ?? null;
}
