/**
 * Which relations a world fills, in which order, and how each row finds its
 * tenant and its parents. Built once per run from the catalog and the
 * tenancy model: the principals (a pool of users), the tenant table (when
 * there is one), memberships, session rows, rows of global tables the tenant
 * rows reference when the database has none, and every tenant relation.
 */
import { callNames } from '../catalog/expressions.js';
import type { Catalog, Column, ForeignKey, Func, Relation, TenantScope } from '../catalog/types.js';
import type { TenancyModel } from '../tenancy/model.js';
import { uniqueKeysOf, type UniqueKey } from './unique-keys.js';

/**
 * What a relation is to the world: the tenant table (one row per tenant), tenant data (random rows
 * per tenant), the membership join table (rows from the world's membership matrix), the principals
 * (a pool of users), session rows (one per principal), or a pool of rows of a global table the
 * world needs as parents because the database has none.
 */
export type WorldRole = 'tenant-table' | 'data' | 'membership' | 'principals' | 'session' | 'pool';

export interface PlannedRelation {
  relation: Relation;
  role: WorldRole;
  /** The tenancy of tenant relations; null for principals, sessions and pools. */
  scope: TenantScope | null;
  /** Columns the generator may write (generated columns never; identity ALWAYS with OVERRIDING). */
  columns: Column[];
  /** Foreign keys whose parents the world provides, or existing rows of global relations. */
  parents: PlannedParent[];
  /** Key columns (primary key, else the first unique constraint): values a child may copy. */
  keyColumns: string[];
  /** Unique keys whose values must differ between generated rows (unique-keys.ts). */
  uniqueKeys: UniqueKey[];
  /** 1 when a unique key holds only the tenant column (one row per tenant); else no limit. */
  maxPerTenant: number;
  /**
   * Tables partitioned by range on one column: values of that column that land in each partition in
   * turn, so that every partition, probed directly, holds rows of some world.
   */
  partitionRotation?: { column: string; values: string[] };
  /** A trigger or a column default reads the context: rows are written inside their tenant's context. */
  inContext: boolean;
}

export interface PlannedParent {
  fk: ForeignKey;
  /** In the world, or existing rows of a global relation. */
  source: 'world' | 'existing';
  /** The parent must be in the same tenant as the child (a tenant-scoped parent). */
  sameTenant: boolean;
  /** The parent is the principals relation: prefer a member of the row's tenant. */
  principal: boolean;
}

export interface WorldPlan {
  model: TenancyModel;
  /** In foreign-key order: a parent before its children. */
  relations: PlannedRelation[];
  /** Tenant relations the world cannot fill, with why: a coverage warning in every report. */
  unfillable: Array<{ relation: string; reason: string }>;
}

const INSERTABLE = new Set(['table', 'partitioned-table']);

export interface PlanOptions {
  /** Existing rows of global relations, by relation (what `existing` parents draw from). */
  existing: ReadonlyMap<string, readonly unknown[]>;
  /** Custom settings the actors' contexts write, lower-case: triggers and defaults reading them need the context. */
  contextSettings: ReadonlySet<string>;
}

/** Global relations that world relations reference, and whose existing rows the world may need. */
export function globalParents(catalog: Catalog, model: TenancyModel): string[] {
  const byName = new Map(catalog.relations.map((r) => [r.qualifiedName, r]));
  const out = new Set<string>();
  const visit = (r: Relation) => {
    for (const fk of r.foreignKeys) {
      const parent = byName.get(fk.references);
      if (!parent || parent.tenancy || out.has(parent.qualifiedName) || parent.qualifiedName === model.principals?.relation.qualifiedName) continue;
      out.add(parent.qualifiedName);
      visit(parent);
    }
  };
  for (const r of catalog.relations) if (r.tenancy && r.inScope) visit(r);
  if (model.principals) visit(model.principals.relation);
  for (const s of model.sessions) visit(s.relation);
  return [...out].sort();
}

export function planWorld(catalog: Catalog, model: TenancyModel, o: PlanOptions): WorldPlan {
  const byName = new Map(catalog.relations.map((r) => [r.qualifiedName, r]));
  const functions = new Map(catalog.functions.map((f) => [f.signature, f]));
  const unfillable: WorldPlan['unfillable'] = [];
  const roles = new Map<string, WorldRole>();
  const principalsName = model.principals?.relation.qualifiedName;
  const membershipName = model.memberships?.relation.qualifiedName;
  const sessionNames = new Set(model.sessions.map((s) => s.relation.qualifiedName));

  if (principalsName) roles.set(principalsName, 'principals');
  for (const s of sessionNames) roles.set(s, 'session');
  for (const r of catalog.relations) {
    if (!r.tenancy || !r.inScope || r.partitionOf !== null || r.extension) continue;
    if (!INSERTABLE.has(r.kind)) continue;
    if (roles.has(r.qualifiedName)) continue;
    roles.set(r.qualifiedName, r.qualifiedName === membershipName ? 'membership' : r.tenancy.kind === 'tenant-table' ? 'tenant-table' : 'data');
  }
  if (membershipName && !roles.has(membershipName)) roles.set(membershipName, 'membership');
  // Global parents with no rows to reference: the world writes a few of its own.
  for (const name of globalParents(catalog, model)) {
    const r = byName.get(name);
    if (!r || roles.has(name) || !INSERTABLE.has(r.kind) || (o.existing.get(name)?.length ?? 0) > 0) continue;
    roles.set(name, 'pool');
  }

  const planned = new Map<string, PlannedRelation>();
  for (const [name, role] of roles) {
    const r = byName.get(name)!;
    const parents: PlannedParent[] = [];
    for (const fk of r.foreignKeys) {
      if (fk.inherited) continue;
      const parent = byName.get(fk.references);
      if (!parent) continue;
      const inWorld = roles.has(fk.references);
      parents.push({
        fk,
        source: inWorld ? 'world' : 'existing',
        sameTenant: inWorld && parent.tenancy !== null && r.tenancy !== null,
        principal: fk.references === principalsName,
      });
    }
    const scopeColumn = r.tenancy?.column ?? null;
    planned.set(name, {
      relation: r,
      role,
      scope: role === 'principals' || role === 'session' || role === 'pool' ? null : r.tenancy,
      columns: r.columns.filter((c) => !c.generated),
      parents,
      keyColumns: r.primaryKey?.columns ?? r.uniqueConstraints[0]?.columns ?? [],
      uniqueKeys: uniqueKeysOf(r),
      ...partitionRotation(r, byName),
      maxPerTenant:
        scopeColumn &&
        [r.primaryKey, ...r.uniqueConstraints, ...r.indexes.filter((i) => i.unique && !i.predicate).map((i) => ({ columns: i.columns }))].some(
          (k) => k && k.columns.length > 0 && k.columns.every((c) => c === scopeColumn),
        )
          ? 1
          : Infinity,
      inContext: readsContext(r, functions, o.contextSettings),
    });
  }

  // Topological order over world parents; a cycle is broken at a nullable key (filled with NULL).
  const order: PlannedRelation[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    const p = planned.get(name);
    if (!p || state.has(name)) return;
    state.set(name, 'visiting');
    for (const parent of p.parents) {
      if (parent.source !== 'world' || parent.fk.references === name) continue;
      if (state.get(parent.fk.references) === 'visiting') {
        if (parent.fk.notNull) unfillable.push({ relation: name, reason: `foreign key ${parent.fk.name} closes a NOT NULL cycle` });
        continue;
      }
      visit(parent.fk.references);
    }
    state.set(name, 'done');
    order.push(p);
  };
  const rank: Record<WorldRole, number> = { pool: 0, principals: 1, 'tenant-table': 2, membership: 3, session: 4, data: 5 };
  for (const name of [...planned.keys()].sort((a, b) => rank[planned.get(a)!.role] - rank[planned.get(b)!.role] || (a < b ? -1 : 1))) visit(name);
  const blocked = new Set(unfillable.map((u) => u.relation));
  return { model, relations: order.filter((p) => !blocked.has(p.relation.qualifiedName)), unfillable };
}

/** Does a trigger or a column default of `r` read one of the context's settings (through the functions it calls)? */
function readsContext(r: Relation, functions: ReadonlyMap<string, Func>, settings: ReadonlySet<string>): boolean {
  if (settings.size === 0) return false;
  const reads = (f: Func | undefined) => !!f && f.settings.some((s) => settings.has(s.name));
  if (r.triggers.some((t) => t.timing === 'before' && t.events.includes('insert') && reads(functions.get(t.function)))) return true;
  const byName = new Map<string, Func[]>();
  for (const f of functions.values()) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  return r.columns.some((c) => {
    if (!c.default) return false;
    if (/current_setting\s*\(/i.test(c.default) && [...settings].some((s) => c.default!.toLowerCase().includes(`'${s}'`))) return true;
    return callNames(c.default).some((ref) => (byName.get(ref.name) ?? []).some((f) => (ref.schema === null || ref.schema === f.schema) && reads(f)));
  });
}

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

/** The relations of the plan in a role. */
export const plannedOf = (plan: WorldPlan, role: WorldRole) => plan.relations.filter((p) => p.role === role);
