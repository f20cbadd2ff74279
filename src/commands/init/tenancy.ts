/**
 * The tenant table and column(s): the (table, column) pair most single-column
 * foreign keys point at, counted per referencing table, doubled for the usual
 * names, plus the policies that name the column. Tables that lack that column
 * but have a NOT NULL key to the same tenant table under another name add that
 * name to the list (group_id, then owned_by_group). Without any such key there
 * is no tenant table: tenants live in another system.
 */
import type { Catalog, Relation } from '../../catalog/types.js';
import { inScope, relationOf, singleKey, TENANT_COLUMN_NAMES } from './scope.js';

export interface TenantCandidate {
  table: string;
  column: string;
  key: string;
  referencing: number;
  policies: number;
  score: number;
}

export interface ProposedTenancy {
  tenantTable: string | null;
  /** The first tenant column: what messages name. */
  tenantColumn: string;
  /** Every tenant column name, in order of preference (one, unless tables name the tenant differently). */
  tenantColumns: string[];
  tenantKey: string | null;
  excludeSchemas: string[];
  why: string[];
  questions: string[];
}

/** Candidates for (tenant table, tenant column), best first. */
export function tenantCandidates(catalog: Catalog): TenantCandidate[] {
  const pairs = new Map<string, { table: string; column: string; key: string; from: Set<string> }>();
  for (const r of catalog.relations.filter(inScope)) {
    for (const fk of r.foreignKeys) {
      if (fk.columns.length !== 1 || fk.references === r.qualifiedName || fk.inherited) continue;
      const k = `${fk.references}|${fk.columns[0]}`;
      const entry = pairs.get(k) ?? { table: fk.references, column: fk.columns[0]!, key: fk.referencedColumns[0]!, from: new Set<string>() };
      entry.from.add(r.partitionOf ?? r.qualifiedName);
      pairs.set(k, entry);
    }
  }
  const policies = catalog.relations.filter(inScope).flatMap((r) => r.policies);
  const mentions = (column: string) => {
    const word = new RegExp(`(^|[^A-Za-z0-9_])${column}([^A-Za-z0-9_]|$)`);
    return policies.filter((p) => word.test(`${p.using ?? ''} ${p.withCheck ?? ''}`)).length;
  };
  const out: TenantCandidate[] = [...pairs.values()].map((p) => {
    const known = TENANT_COLUMN_NAMES.includes(p.column) ? 2 : 1;
    const policyCount = mentions(p.column);
    return { table: p.table, column: p.column, key: p.key, referencing: p.from.size, policies: policyCount, score: p.from.size * known + policyCount };
  });
  return out.sort((a, b) => b.score - a.score || TENANT_COLUMN_NAMES.indexOf(a.column) - TENANT_COLUMN_NAMES.indexOf(b.column) || a.table.localeCompare(b.table));
}

const isBaseTable = (r: Relation) => (r.kind === 'table' || r.kind === 'partitioned-table') && !r.partitionOf;

export function proposeTenancy(catalog: Catalog, excludeSchemas: string[]): ProposedTenancy {
  const [best, ...rest] = tenantCandidates(catalog);
  if (!best) return withoutTenantTable(catalog, excludeSchemas);
  const questions: string[] = [];
  const second = rest.find((c) => c.table !== best.table);
  if (second && second.score >= best.score * 0.6 && second.column !== best.column) {
    questions.push(`${second.table} (${second.column}, referenced from ${second.referencing} tables) is a close second: is it the tenant instead?`);
  }
  const keyIsPk = singleKey(relationOf(catalog, best.table)) === best.key;
  const why = [`${best.table} is referenced by ${best.column} from ${best.referencing} tables${best.policies > 0 ? `, and ${best.policies} policies compare ${best.column}` : ''}`];
  const more = otherColumnNames(catalog, best, questions);
  for (const m of more) why.push(`${m.tables.join(', ')} name${m.tables.length === 1 ? 's' : ''} the tenant ${m.column} (a NOT NULL key to ${best.table})`);
  return {
    tenantTable: best.table,
    tenantColumn: best.column,
    tenantColumns: [best.column, ...more.map((m) => m.column)],
    tenantKey: keyIsPk ? null : best.key,
    excludeSchemas,
    why,
    questions,
  };
}

/** Names other than the first for the tenant column: NOT NULL single-column keys to the tenant table from tables without an earlier name. */
function otherColumnNames(catalog: Catalog, best: TenantCandidate, questions: string[]): Array<{ column: string; tables: string[] }> {
  const names = [best.column];
  const found = new Map<string, string[]>();
  for (const r of catalog.relations.filter((x) => inScope(x) && isBaseTable(x) && x.qualifiedName !== best.table)) {
    if (r.columns.some((c) => names.includes(c.name))) continue;
    const keys = r.foreignKeys.filter((k) => k.columns.length === 1 && k.notNull && !k.inherited && k.references === best.table && k.referencedColumns[0] === best.key);
    const columns = [...new Set(keys.map((k) => k.columns[0]!))];
    if (columns.length > 1) {
      questions.push(`${r.qualifiedName} has several keys to ${best.table} (${columns.join(', ')}): which one names its tenant? (tenancy.relations: { '${r.qualifiedName}': { tenantColumn: '...' } })`);
      continue;
    }
    if (columns.length === 1) found.set(columns[0]!, [...(found.get(columns[0]!) ?? []), r.qualifiedName]);
  }
  return [...found.entries()].map(([column, tables]) => ({ column, tables: tables.sort() })).sort((a, b) => b.tables.length - a.tables.length || a.column.localeCompare(b.column));
}

/** No foreign key to vote with: the usual column name found in the most tables, and no tenant table unless one is named like it. */
function withoutTenantTable(catalog: Catalog, excludeSchemas: string[]): ProposedTenancy {
  const tables = catalog.relations.filter((r) => inScope(r) && isBaseTable(r));
  const counts = TENANT_COLUMN_NAMES.map((c) => ({ c, n: tables.filter((r) => r.columns.some((col) => col.name === c)).length })).sort((a, b) => b.n - a.n);
  const found = counts[0]!.n > 0;
  const column = found ? counts[0]!.c : 'tenant_id';
  const questions: string[] = [];
  if (!found) questions.push('no column named like a tenant column (tenant_id, org_id, account_id, ...) was found: which column names the tenant?');
  const lookalike = tenantTableLookalike(tables, column);
  if (lookalike) questions.push(`no foreign key points at ${lookalike}, but it is named like the tenant table: if it lists the tenants, set tenantTable to the table with one row per tenant ('${lookalike}')`);
  return {
    tenantTable: null,
    tenantColumn: column,
    tenantColumns: [column],
    tenantKey: null,
    excludeSchemas,
    why: [
      `${column} is the usual tenant column name found in the most tables (${counts[0]!.n})`,
      lookalike
        ? `tenantTable null: no foreign key points at a table of tenants`
        : `tenantTable null: no foreign key from ${column} and no table named like it, so the tenants live in another system; worlds draw tenant ids as values of ${column}'s type`,
    ],
    questions,
  };
}

/** A table named after the tenant column (account_id -> accounts), which no key points at. */
function tenantTableLookalike(tables: readonly Relation[], column: string): string | null {
  const stem = column.replace(/_id$/, '');
  const names = new Set([stem, `${stem}s`, `${stem}es`, ...(stem === 'org' ? ['orgs', 'organizations', 'organisations'] : []), ...(stem === 'tenant' ? ['tenants'] : [])]);
  return tables.find((r) => names.has(r.name) && !r.columns.some((c) => c.name === column))?.qualifiedName ?? null;
}
