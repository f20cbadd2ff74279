/**
 * A world: a few tenants, a few principals with zero, one or several
 * memberships, and random rows for every tenant relation. Its shape (counts)
 * comes from fast-check and shrinks; its values come from a seeded source, so
 * a shrunk world replays from its seed.
 */
import fc from 'fast-check';
import type { Column, UserType } from '../catalog/types.js';
import { tenantRoleName } from '../tenancy/adapters/role-per-tenant.js';
import type { PlannedRelation, WorldPlan } from './plan.js';
import { fallbackValue, rng, typedKey, type Rng } from './values.js';

export interface WorldShape {
  seed: number;
  tenants: number;
  /** Principals in the world (0 without a principals model). */
  principals: number;
  /** memberships[p][t]: principal p is a member of tenant t. */
  memberships: boolean[][];
  /** counts[i][t]: rows of the i-th data relation for tenant t. */
  counts: number[][];
}

export interface WorldRow {
  /** The tenant the row belongs to; null for principals, sessions and pools. */
  tenant: string | null;
  values: Record<string, unknown>;
}

export interface World {
  shape: WorldShape;
  /** Tenant keys, as text. */
  tenants: string[];
  /** Principal keys, as text. */
  principals: string[];
  memberships: Array<{ principal: string; tenant: string }>;
  /** principal -> the key of its session row. */
  sessions: Map<string, string>;
  /** tenant -> its login role (role per tenant). */
  tenantRoles: Map<string, string>;
  /** Rows per relation (`schema.name`), in plan order. */
  rows: Map<string, WorldRow[]>;
  /** Rows the generator could not make (no parent in the tenant), per relation. */
  skipped: Map<string, number>;
}

/** A row factory, as a project's factories module provides them. */
export interface FactoryContext {
  faker: unknown;
  tenantId: string;
  n: number;
  pick(table: string): Record<string, unknown> | undefined;
}
export type RowFactory = (ctx: FactoryContext) => Record<string, unknown>;

export interface BuildOptions {
  factories?: Readonly<Record<string, RowFactory>> | undefined;
  /** Makes the object factories receive as `faker`, from the world's seed. */
  makeFaker?: ((seed: number) => unknown) | undefined;
  /** Existing rows of global parents (reference data), keyed by relation. */
  existing: ReadonlyMap<string, Record<string, unknown>[]>;
  types: ReadonlyMap<string, UserType>;
  /** Per-column overrides: `schema.table.column` -> a value or a list to pick from. */
  overrides?: Readonly<Record<string, unknown>> | undefined;
  /** Generators for constrained columns, found against the database (see discover.ts). */
  generators?: ReadonlyMap<string, (n: number, r: Rng) => unknown> | undefined;
  /** Tenants that already exist (role per tenant with `reuse`): worlds draw from them instead of creating tenants. */
  existingTenants?: readonly string[] | undefined;
  /** Their login roles, by tenant. */
  existingTenantRoles?: ReadonlyMap<string, string> | undefined;
  /** Patches that make rows pass CHECKs over several columns, per relation (see row-checks.ts). */
  patches?: ReadonlyMap<string, ReadonlyArray<{ apply(row: Record<string, unknown>, n: number, r: Rng): void }>> | undefined;
  /** The columns every row of a relation carries (the same in every world, so the runner's statements are static). */
  columns?: ReadonlyMap<string, readonly string[]> | undefined;
}

export interface ShapeBounds {
  minTenants: number;
  maxTenants: number;
  minPrincipals: number;
  maxPrincipals: number;
  maxRows: number;
}

export const dataRelations = (plan: WorldPlan) => plan.relations.filter((p) => p.role === 'data');

export function worldShapeArbitrary(plan: WorldPlan, o: ShapeBounds): fc.Arbitrary<WorldShape> {
  const hasPrincipals = plan.model.principals !== null;
  const maxP = hasPrincipals ? o.maxPrincipals : 0;
  return fc.record({
    seed: fc.nat({ max: 2 ** 31 - 1 }),
    tenants: fc.integer({ min: o.minTenants, max: o.maxTenants }),
    principals: hasPrincipals ? fc.integer({ min: o.minPrincipals, max: o.maxPrincipals }) : fc.constant(0),
    memberships: fc.array(fc.array(fc.boolean(), { minLength: o.maxTenants, maxLength: o.maxTenants }), { minLength: maxP, maxLength: maxP }),
    counts: fc.tuple(...dataRelations(plan).map(() => fc.array(fc.nat({ max: o.maxRows }), { minLength: o.maxTenants, maxLength: o.maxTenants }))),
  });
}

/** Everything a row builder needs to know about the world built so far. */
interface Building {
  plan: WorldPlan;
  o: BuildOptions;
  r: Rng;
  faker: unknown;
  world: World;
  next: () => number;
}

export function buildWorld(plan: WorldPlan, shape: WorldShape, o: BuildOptions): World {
  const r = rng(shape.seed);
  const faker = o.factories && o.makeFaker ? o.makeFaker(shape.seed) : undefined;
  const model = plan.model;
  const tenantKey = model.tenantTable?.columns.find((c) => c.name === model.tenantKey);
  const tenants = o.existingTenants
    ? pickTenants(o.existingTenants, shape.tenants, shape.seed)
    : Array.from({ length: shape.tenants }, (_, i) => typedKey(tenantKey?.type ?? model.tenantType, r, i, shape.seed, 'tenant'));
  const principalKey = model.principals?.relation.columns.find((c) => c.name === model.principals!.key);
  const principals = Array.from({ length: shape.principals }, (_, i) => typedKey(principalKey?.type ?? 'uuid', r, i, shape.seed, 'principal'));
  const memberships: World['memberships'] = [];
  principals.forEach((p, i) => tenants.forEach((t, j) => shape.memberships[i]?.[j] && memberships.push({ principal: p, tenant: t })));
  const roleTemplate = model.actors.find((a) => a.adapter.tenantRoles && !a.adapter.tenantRoles.reuse)?.adapter.tenantRoles;
  const tenantRoles = new Map(
    o.existingTenantRoles ? tenants.map((t) => [t, o.existingTenantRoles!.get(t)!]) : roleTemplate ? tenants.map((t) => [t, tenantRoleName(roleTemplate.template, t)]) : [],
  );
  const world: World = { shape, tenants, principals, memberships, sessions: new Map(), tenantRoles, rows: new Map(), skipped: new Map() };
  let n = 0;
  const b: Building = { plan, o, r, faker, world, next: () => n++ };
  const data = dataRelations(plan);

  for (const p of plan.relations) {
    const name = p.relation.qualifiedName;
    const out: WorldRow[] = [];
    world.rows.set(name, out);
    const add = (tenant: string | null, values: Record<string, unknown> | null) => {
      if (values) out.push({ tenant, values });
      else world.skipped.set(name, (world.skipped.get(name) ?? 0) + 1);
    };
    switch (p.role) {
      case 'pool':
        for (let k = 0; k < 3; k++) add(null, buildRow(b, p, null, {}));
        break;
      case 'principals':
        for (const principal of principals) add(null, buildRow(b, p, null, { [model.principals!.key]: principal }));
        break;
      case 'tenant-table':
        if (o.existingTenants) break;
        for (const tenant of tenants) {
          const fixed: Record<string, unknown> = {};
          for (const a of model.actors) if (a.adapter.tenantRoles?.column) fixed[a.adapter.tenantRoles.column] = tenantRoles.get(tenant);
          add(tenant, buildRow(b, p, tenant, fixed));
        }
        break;
      case 'membership': {
        const m = model.memberships!;
        memberships.forEach((ms, k) => {
          const fixed: Record<string, unknown> = { [m.principalColumn]: ms.principal, [m.tenantColumn]: ms.tenant };
          if (m.roleColumn && m.roles.length > 0) fixed[m.roleColumn] = m.roles[k % m.roles.length];
          add(ms.tenant, buildRow(b, p, ms.tenant, fixed));
        });
        break;
      }
      case 'session': {
        const s = model.sessions.find((x) => x.relation.qualifiedName === name)!;
        for (const principal of principals) {
          const row = buildRow(b, p, null, { [s.principalColumn]: principal });
          if (row) world.sessions.set(principal, String(row[s.key]));
          add(null, row);
        }
        break;
      }
      case 'data': {
        const i = data.indexOf(p);
        tenants.forEach((tenant, t) => {
          const count = Math.min(p.maxPerTenant, shape.counts[i]?.[t] ?? 0);
          for (let k = 0; k < count; k++) {
            const row = buildRow(b, p, tenant, {});
            // Every partition in turn from a place the seed chooses; the k-th row of every tenant lands in the
            // same partition, so that a partition read directly holds rows of several tenants.
            if (row && p.partitionRotation) row[p.partitionRotation.column] = p.partitionRotation.values[(shape.seed + k) % p.partitionRotation.values.length];
            add(tenant, row);
          }
        });
        break;
      }
    }
    normalizeColumns(p, out, r, b.next, o);
  }
  return world;
}

/** Makes extra rows for one world (the write probes plant them): one random source and one faker per world. */
export function extraRowMaker(plan: WorldPlan, world: World, o: BuildOptions): (relation: string, tenant: string, salt: number) => Record<string, unknown> | null {
  const byName = new Map(plan.relations.map((p) => [p.relation.qualifiedName, p]));
  const r = rng(world.shape.seed ^ 0x5bd1e995);
  const faker = o.factories && o.makeFaker ? o.makeFaker(world.shape.seed ^ 0x5bd1e995) : undefined;
  let n = 1_000_000;
  const b: Building = { plan, o, r, faker, world, next: () => n++ };
  return (relation, tenant, salt) => {
    const p = byName.get(relation);
    if (!p) return null;
    n = 1_000_000 + salt * 100;
    const row = buildRow(b, p, tenant, {});
    if (!row) return null;
    const rows = [{ tenant, values: row }];
    normalizeColumns(p, rows, r, () => n++, o);
    return rows[0]!.values;
  };
}

function pickTenants(existing: readonly string[], count: number, seed: number): string[] {
  const start = seed % Math.max(1, existing.length);
  return Array.from({ length: Math.min(count, existing.length) }, (_, i) => existing[(start + i) % existing.length]!);
}

/**
 * A row that collides with no row of the world on a unique key: when random parents collide (a
 * link table's (tenant, photo, tag)), other parents are drawn a few times before the row is given up
 * (and counted). A collision would send the whole world down the slow, row-by-row path.
 */
function buildRow(b: Building, p: PlannedRelation, tenant: string | null, fixed: Record<string, unknown>): Record<string, unknown> | null {
  const existing = b.world.rows.get(p.relation.qualifiedName) ?? [];
  const keys = p.uniqueKeys;
  const clash = (row: Record<string, unknown>) =>
    keys.some(
      (k) =>
        k.columns.every((c) => row[c] !== null && row[c] !== undefined) &&
        (k.applies?.(row) ?? true) &&
        existing.some((x) => (k.applies?.(x.values) ?? true) && k.columns.every((c) => String(x.values[c]) === String(row[c]))),
    );
  for (let attempt = 0; attempt < 6; attempt++) {
    const row = buildOnce(b, p, tenant, fixed);
    if (!row || keys.length === 0 || !clash(row)) return row;
  }
  return null;
}

/** A relation's column overrides, looked up once per run (a key per column per row was 10% of building a world). */
function overridesOf(o: BuildOptions, p: PlannedRelation): ReadonlyMap<string, unknown> | undefined {
  const all = o.overrides;
  if (!all) return undefined;
  let byRelation = overrideCache.get(all);
  if (!byRelation) overrideCache.set(all, (byRelation = new WeakMap()));
  let mine = byRelation.get(p);
  if (mine === undefined) {
    const name = p.relation.qualifiedName;
    const found = p.columns.map((c) => [c.name, all[`${name}.${c.name}`]] as const).filter(([, value]) => value !== undefined);
    byRelation.set(p, (mine = found.length ? new Map(found) : null));
  }
  return mine ?? undefined;
}
const overrideCache = new WeakMap<object, WeakMap<PlannedRelation, ReadonlyMap<string, unknown> | null>>();

function buildOnce(b: Building, p: PlannedRelation, tenant: string | null, fixed: Record<string, unknown>): Record<string, unknown> | null {
  const { o, r, world, plan } = b;
  const name = p.relation.qualifiedName;
  const n = b.next();
  const rowsOf = (table: string) => world.rows.get(table) ?? [];
  const sameTenant = (table: string) => rowsOf(table).filter((row) => row.tenant === tenant);
  const pickFrom = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(r() * xs.length)];
  const members = tenant === null ? [] : world.memberships.filter((m) => m.tenant === tenant).map((m) => m.principal);
  const principalRows = (table: string) => {
    const key = plan.model.principals!.key;
    const all = rowsOf(table);
    const preferred = all.filter((row) => members.includes(String(row.values[key])));
    return preferred.length > 0 ? preferred : all;
  };
  const factory = o.factories?.[name];
  const values: Record<string, unknown> = factory
    ? {
        ...factory({
          faker: b.faker,
          tenantId: tenant ?? '',
          n,
          pick: (table) => pickFrom(tenant === null ? rowsOf(table) : sameTenant(table))?.values ?? pickFrom(o.existing.get(table) ?? []),
        }),
      }
    : {};
  Object.assign(values, fixed);
  if (tenant !== null && p.scope?.column && (p.scope.kind === 'direct' || p.scope.kind === 'tenant-table')) values[p.scope.column] = tenant;

  for (const parent of p.parents) {
    const { fk } = parent;
    if (fk.columns.every((c) => c in fixed)) continue;
    const given = fk.columns.every((c) => values[c] !== undefined && values[c] !== null);
    const candidates =
      parent.source === 'existing'
        ? (o.existing.get(fk.references) ?? [])
        : parent.principal
          ? principalRows(fk.references).map((row) => row.values)
          : (parent.sameTenant ? sameTenant(fk.references) : rowsOf(fk.references)).map((row) => row.values);
    // A factory's choice stands when it names one of the candidates.
    if (given && candidates.some((row) => fk.referencedColumns.every((rc, j) => String(row[rc]) === String(values[fk.columns[j]!])))) continue;
    if (given && parent.source === 'existing') continue;
    const parentRow = pickFrom(candidates);
    if (!parentRow) {
      if (fk.notNull) return null;
      for (const c of fk.columns) if (c !== p.scope?.column && !(c in fixed)) values[c] = null;
      continue;
    }
    fk.columns.forEach((c, j) => {
      if (!(c in fixed)) values[c] = parentRow[fk.referencedColumns[j]!];
    });
  }

  const overrides = overridesOf(o, p);
  for (const col of p.columns) {
    if (col.name in fixed) continue;
    const override = overrides?.get(col.name);
    if (override !== undefined) {
      values[col.name] = Array.isArray(override) ? pickFrom(override) : override;
      continue;
    }
    if (values[col.name] !== undefined) continue;
    // Boolean flags (is_public, is_deleted...) often decide what a policy shows: vary them even when they have a default.
    if (col.typeName === 'bool' && !col.isArray) {
      values[col.name] = r() < 0.5;
      continue;
    }
    // Keys are written explicitly so children can copy them; other columns only when required.
    const required = col.notNull && col.default === null && col.identity === null;
    if (required || p.keyColumns.includes(col.name)) {
      const discovered = o.generators?.get(`${name}.${col.name}`);
      const v = discovered ? discovered(n, r) : fallbackValue(col, r, n, o.types);
      if (v !== undefined) values[col.name] = v;
    }
  }
  for (const patch of o.patches?.get(name) ?? []) patch.apply(values, n, r);
  return values;
}

/**
 * Every row of a relation carries the same columns, in every world: the runner's statements that
 * plant rows name them statically. A column some rows lack is filled (NULL where nullable), one
 * outside the relation's list is dropped (json_populate would write NULL, not the default).
 */
function normalizeColumns(p: PlannedRelation, rows: WorldRow[], r: Rng, next: () => number, o: BuildOptions): void {
  const fixed = o.columns?.get(p.relation.qualifiedName);
  const cols = fixed ? new Set(fixed) : new Set(rows.flatMap((row) => Object.keys(row.values)));
  for (const row of rows) {
    for (const c of Object.keys(row.values)) if (!cols.has(c)) delete row.values[c];
    for (const c of cols) {
      if (row.values[c] !== undefined) continue;
      const col = p.columns.find((x) => x.name === c);
      row.values[c] = fill(col, r, next, o.types);
    }
  }
}

function fill(col: Column | undefined, r: Rng, next: () => number, types: ReadonlyMap<string, UserType>): unknown {
  if (!col || !col.notNull) return null;
  return fallbackValue(col, r, next(), types) ?? null;
}

/** The columns a relation's rows carry: what its factory writes and what the builder always writes. */
export function plannedColumns(p: PlannedRelation, factory: RowFactory | undefined, faker: unknown, extra: readonly string[] = []): string[] {
  const cols = new Set<string>(extra);
  if (factory) {
    try {
      for (const k of Object.keys(factory({ faker, tenantId: '00000000-0000-4000-8000-000000000000', n: 0, pick: () => undefined }))) cols.add(k);
    } catch {
      // A factory that needs a parent to run: its columns show up in the first world instead.
    }
  }
  if (p.scope?.column && (p.scope.kind === 'direct' || p.scope.kind === 'tenant-table')) cols.add(p.scope.column);
  for (const parent of p.parents) for (const c of parent.fk.columns) cols.add(c);
  for (const c of p.columns) {
    const required = c.notNull && c.default === null && c.identity === null;
    if (required || p.keyColumns.includes(c.name) || (c.typeName === 'bool' && !c.isArray)) cols.add(c.name);
  }
  if (p.partitionRotation) cols.add(p.partitionRotation.column);
  const known = new Set(p.columns.map((c) => c.name));
  return [...cols].filter((c) => known.has(c));
}
