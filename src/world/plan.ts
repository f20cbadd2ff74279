/**
 * Which relations a world fills, in which order, and how each row finds its
 * tenant and its parents. Built once per run from the catalog.
 */
import type { Catalog, Column, ForeignKey, Relation, TenantScope } from '../catalog/types.js';

export interface PlannedRelation {
  relation: Relation;
  scope: TenantScope;
  /** Columns the generator writes (generated columns never; identity ALWAYS with OVERRIDING). */
  columns: Column[];
  /** Foreign keys whose parents the world provides, or global parents read from the database. */
  parents: PlannedParent[];
  /** Key columns (primary key, else the first unique constraint): values a child may copy. */
  keyColumns: string[];
  /** Unique keys whose values must differ between generated rows. */
  uniqueKeys: string[][];
  /** 1 when a unique key holds only the tenant column (one row per tenant); else no limit. */
  maxPerTenant: number;
  /**
   * Tables partitioned by range on one column: values of that column that land in each partition in
   * turn (each range's lower bound; below them all for a DEFAULT partition), so that every partition,
   * probed directly, holds rows of some world.
   */
  partitionRotation?: { column: string; values: string[] };
}

export interface PlannedParent {
  fk: ForeignKey;
  /** In the world (tenant relations), or existing rows (global relations). */
  source: 'world' | 'existing';
  /** The parent must be in the same tenant as the child (always, for a tenant-scoped parent). */
  sameTenant: boolean;
}

export interface WorldPlan {
  tenantTable: Relation;
  tenantKey: string;
  tenantColumn: string;
  /** In foreign-key order: a parent before its children; the tenant table first. */
  relations: PlannedRelation[];
  /** Tenant relations the world cannot fill (no insertable shape), with why. */
  unfillable: Array<{ relation: string; reason: string }>;
}

const INSERTABLE = new Set(['table', 'partitioned-table']);

function partitionRotation(r: Relation, byName: ReadonlyMap<string, Relation>): { partitionRotation?: { column: string; values: string[] } } {
  const key = r.partitionKey ? /^RANGE \("?([^"(),]+)"?\)$/i.exec(r.partitionKey.trim()) : null;
  if (!key || r.partitions.length === 0) return {};
  const lowers: string[] = [];
  let hasDefault = false;
  for (const name of r.partitions) {
    const bound = byName.get(name)?.partitionBound ?? '';
    if (/^DEFAULT$/i.test(bound.trim())) hasDefault = true;
    const from = /FROM \('((?:[^']|'')*)'\)/i.exec(bound);
    if (from) lowers.push(from[1]!.replaceAll("''", "'"));
  }
  if (lowers.length === 0) return {};
  lowers.sort();
  const values = [...lowers];
  // Below every range lies only the default partition: a moment before the first lower bound.
  const first = Date.parse(lowers[0]!);
  if (hasDefault && !Number.isNaN(first)) values.push(new Date(first - 86_400_000).toISOString());
  return { partitionRotation: { column: key[1]!, values } };
}

export function planWorld(catalog: Catalog): WorldPlan | { error: string } {
  const byName = new Map(catalog.relations.map((r) => [r.qualifiedName, r]));
  const { tenantTable: tenantTableName, tenantKey, tenantColumn } = catalog.tenancy;
  const tenantTable = tenantTableName ? byName.get(tenantTableName) : undefined;
  if (!tenantTable || !tenantKey) return { error: 'no tenant table found: set tenancy.tenantTable in the config' };

  const candidates = catalog.relations.filter((r) => r.tenancy && INSERTABLE.has(r.kind) && r.partitionOf === null);
  const unfillable: WorldPlan['unfillable'] = [];
  const planned = new Map<string, PlannedRelation>();
  for (const r of candidates) {
    const scope = r.tenancy!;
    const parents: PlannedParent[] = [];
    for (const fk of r.foreignKeys) {
      if (fk.inherited) continue;
      const parent = byName.get(fk.references);
      if (!parent) continue;
      if (parent.tenancy) parents.push({ fk, source: 'world', sameTenant: true });
      else parents.push({ fk, source: 'existing', sameTenant: false });
    }
    const keyColumns = r.primaryKey?.columns ?? r.uniqueConstraints[0]?.columns ?? [];
    planned.set(r.qualifiedName, {
      relation: r,
      scope,
      columns: r.columns.filter((c) => !c.generated),
      parents,
      keyColumns,
      uniqueKeys: [r.primaryKey, ...r.uniqueConstraints].filter((k) => k !== null).map((k) => k!.columns),
      ...partitionRotation(r, byName),
      maxPerTenant: [r.primaryKey, ...r.uniqueConstraints, ...r.indexes.filter((i) => i.unique && !i.predicate).map((i) => ({ columns: i.columns }))]
        .some((k) => k && k.columns.length > 0 && k.columns.every((c) => c !== null && c === scope.column))
        ? 1
        : Infinity,
    });
  }

  // Topological order over world parents; a cycle is broken at a nullable key (filled with NULL).
  const order: PlannedRelation[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    const p = planned.get(name);
    if (!p || state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') return;
    state.set(name, 'visiting');
    for (const parent of p.parents) {
      if (parent.source !== 'world' || parent.fk.references === name) continue;
      if (state.get(parent.fk.references) === 'visiting') {
        // Cycle: this key cannot be filled before its parent exists.
        if (parent.fk.notNull) unfillable.push({ relation: name, reason: `foreign key ${parent.fk.name} closes a NOT NULL cycle` });
        continue;
      }
      visit(parent.fk.references);
    }
    state.set(name, 'done');
    order.push(p);
  };
  visit(tenantTable.qualifiedName);
  for (const name of [...planned.keys()].sort()) visit(name);
  const blocked = new Set(unfillable.map((u) => u.relation));
  return { tenantTable, tenantKey, tenantColumn, relations: order.filter((p) => !blocked.has(p.relation.qualifiedName)), unfillable };
}
