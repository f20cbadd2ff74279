/**
 * Tenant-scoped relations are found, not listed:
 * - the tenant table (its key is the tenant), when the schema has one;
 * - relations that carry a tenant column (direct): the per-relation override,
 *   else the first of the configured names the relation has;
 * - tables that reach a tenant relation through foreign keys whose columns
 *   are all NOT NULL (indirect: a comment belongs to a task, which belongs to
 *   a tenant), transitively, with the shortest path kept for the report;
 * - views and materialized views that read tenant relations (derived).
 * Relations declared global in the config are never scoped and never carry
 * tenancy to others; relations outside the scanned schemas are never scoped.
 */
import type { Relation, Tenancy, TenancyHop, TenantScope } from './types.js';

export interface TenancyOptions {
  tenantColumns: readonly string[];
  relationColumns?: Readonly<Record<string, string>> | undefined;
  /** undefined: infer it; null: the schema has none (tenants live elsewhere). */
  tenantTable?: string | null | undefined;
  tenantKey?: string | undefined;
  globalRelations?: readonly string[] | undefined;
}

export function computeTenancy(relations: readonly Relation[], options: TenancyOptions): { tenancy: Tenancy; scopes: Map<string, TenantScope> } {
  const global = new Set(options.globalRelations ?? []);
  const overrides = options.relationColumns ?? {};
  const columnOf = (r: Relation): string | undefined => {
    const override = overrides[r.qualifiedName] ?? (r.partitionOf ? overrides[r.partitionOf] : undefined);
    if (override !== undefined) return r.columns.some((c) => c.name === override) ? override : undefined;
    return options.tenantColumns.find((name) => r.columns.some((c) => c.name === name));
  };
  const { table: tenantTable, key: tenantKey, source } = findTenantTable(relations, options, columnOf);
  const scopes = new Map<string, TenantScope>();
  const scoped = (r: Relation) => r.inScope !== false && !global.has(r.qualifiedName);

  if (tenantTable && !global.has(tenantTable)) scopes.set(tenantTable, { kind: 'tenant-table', column: tenantKey, path: [] });

  for (const r of relations) {
    if (!scoped(r) || scopes.has(r.qualifiedName)) continue;
    const column = columnOf(r);
    if (column) scopes.set(r.qualifiedName, { kind: 'direct', column, path: [] });
  }

  // Breadth-first over NOT NULL foreign keys: each round adds the tables one hop further, so paths are shortest.
  for (let changed = true; changed; ) {
    changed = false;
    const found: Array<[string, TenantScope]> = [];
    for (const r of relations) {
      if (!scoped(r) || scopes.has(r.qualifiedName)) continue;
      if (r.kind !== 'table' && r.kind !== 'partitioned-table' && r.kind !== 'foreign-table') continue;
      const fk = [...r.foreignKeys].sort((a, b) => (a.name < b.name ? -1 : 1)).find((k) => k.notNull && scopes.has(k.references) && !global.has(k.references));
      if (!fk) continue;
      const target = scopes.get(fk.references)!;
      const hop: TenancyHop = { from: r.qualifiedName, to: fk.references, via: fk.name, columns: fk.columns };
      found.push([r.qualifiedName, { kind: 'indirect', column: null, path: [hop, ...target.path] }]);
    }
    for (const [name, scope] of found) scopes.set(name, scope);
    changed = found.length > 0;
  }

  // Views over tenant relations, through views over views.
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of relations) {
      if (scopes.has(r.qualifiedName) || !scoped(r)) continue;
      if (r.kind !== 'view' && r.kind !== 'materialized-view') continue;
      const base = r.dependsOn.find((d) => scopes.has(d));
      if (!base) continue;
      const target = scopes.get(base)!;
      scopes.set(r.qualifiedName, { kind: 'derived', column: null, path: [{ from: r.qualifiedName, to: base, via: 'view', columns: [] }, ...target.path] });
      changed = true;
    }
  }

  const byName = new Map(relations.map((r) => [r.qualifiedName, r]));
  const typeOf = (rel: string | null | undefined, col: string | null | undefined) => (rel && col ? byName.get(rel)?.columns.find((c) => c.name === col)?.type : undefined);
  const firstDirect = relations.find((r) => scopes.get(r.qualifiedName)?.kind === 'direct');
  const tenantType = typeOf(tenantTable, tenantKey) ?? typeOf(firstDirect?.qualifiedName, scopes.get(firstDirect?.qualifiedName ?? '')?.column) ?? 'uuid';

  return {
    tenancy: {
      tenantColumn: options.tenantColumns[0] ?? 'tenant_id',
      tenantColumns: [...options.tenantColumns],
      relationColumns: { ...overrides },
      tenantType,
      tenantTable,
      tenantKey,
      tenantTableSource: source,
      globalRelations: [...global].sort(),
    },
    scopes,
  };
}

/**
 * The configured tenant table, or the relation most single-column foreign
 * keys on a tenant column point at. Its key: configured, else the referenced
 * column, else its single-column primary key.
 */
function findTenantTable(
  relations: readonly Relation[],
  options: TenancyOptions,
  columnOf: (r: Relation) => string | undefined,
): { table: string | null; key: string | null; source: Tenancy['tenantTableSource'] } {
  const byName = new Map(relations.map((r) => [r.qualifiedName, r]));
  const votes = new Map<string, { count: number; key: string }>();
  for (const r of relations) {
    const column = columnOf(r);
    if (!column) continue;
    for (const fk of r.foreignKeys) {
      if (fk.columns.length !== 1 || fk.columns[0] !== column || fk.references === r.qualifiedName) continue;
      const v = votes.get(fk.references) ?? { count: 0, key: fk.referencedColumns[0] ?? '' };
      v.count += 1;
      votes.set(fk.references, v);
    }
  }
  const keyOf = (table: string): string | null => {
    if (options.tenantKey) return options.tenantKey;
    const vote = votes.get(table);
    if (vote?.key) return vote.key;
    const pk = byName.get(table)?.primaryKey;
    return pk && pk.columns.length === 1 ? pk.columns[0]! : null;
  };
  if (options.tenantTable === null) return { table: null, key: null, source: 'none' };
  if (options.tenantTable) return { table: options.tenantTable, key: keyOf(options.tenantTable), source: 'config' };
  const best = [...votes.entries()].sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : 1))[0];
  if (!best) return { table: null, key: null, source: 'none' };
  return { table: best[0], key: keyOf(best[0]), source: 'inferred' };
}
