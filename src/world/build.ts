/**
 * A world: a few tenants and random rows for every tenant relation. Its
 * shape (tenants, row counts) comes from fast-check and shrinks; its values
 * come from a seeded source, so a shrunk world replays from its seed.
 */
import fc from 'fast-check';
import type { Column, UserType } from '../catalog/types.js';
import type { PlannedRelation, WorldPlan } from './plan.js';
import { fallbackValue, rng, uuid, type Rng } from './values.js';

export interface WorldShape {
  seed: number;
  tenants: number;
  /** counts[i][t]: rows of plan.relations[i] for tenant t (the tenant table's own entry is ignored). */
  counts: number[][];
}

export interface WorldRow {
  tenant: string;
  values: Record<string, unknown>;
}

export interface World {
  shape: WorldShape;
  /** Tenant keys, as text. */
  tenants: string[];
  /** Rows per relation (`schema.name`), in plan order. */
  rows: Map<string, WorldRow[]>;
  /** Rows the generator could not make (no parent in the tenant), per relation. */
  skipped: Map<string, number>;
}

/** A row factory, as a project's factories module provides them (see factories/index.ts). */
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
}

export function worldShapeArbitrary(plan: WorldPlan, o: { minTenants: number; maxTenants: number; maxRows: number }): fc.Arbitrary<WorldShape> {
  return fc.record({
    seed: fc.nat({ max: 2 ** 31 - 1 }),
    tenants: fc.integer({ min: o.minTenants, max: o.maxTenants }),
    counts: fc.tuple(
      ...plan.relations.map(() => fc.array(fc.nat({ max: o.maxRows }), { minLength: o.maxTenants, maxLength: o.maxTenants })),
    ),
  });
}

function tenantKeyValue(col: Column | undefined, r: Rng, i: number, seed: number): string {
  const type = col?.typeName ?? 'uuid';
  if (type === 'uuid') return uuid(r);
  if (/^int|^bigint|^smallint|^numeric/.test(type)) return String(1_000_000 + (seed % 100_000) * 10 + i);
  return `tenant_${seed}_${i}`;
}

export function buildWorld(plan: WorldPlan, shape: WorldShape, o: BuildOptions): World {
  const r = rng(shape.seed);
  const faker = o.factories && o.makeFaker ? o.makeFaker(shape.seed) : undefined;
  const keyCol = plan.tenantTable.columns.find((c) => c.name === plan.tenantKey);
  const tenants = Array.from({ length: shape.tenants }, (_, i) => tenantKeyValue(keyCol, r, i, shape.seed));
  const rows = new Map<string, WorldRow[]>();
  const skipped = new Map<string, number>();
  let n = 0;

  plan.relations.forEach((p, i) => {
    const name = p.relation.qualifiedName;
    const out: WorldRow[] = [];
    rows.set(name, out);
    const isTenantTable = p.scope.kind === 'tenant-table';
    tenants.forEach((tenant, t) => {
      const count = isTenantTable ? 1 : Math.min(p.maxPerTenant, shape.counts[i]?.[t] ?? 0);
      for (let k = 0; k < count; k++) {
        const row = buildRow(p, tenant, n++, r, rows, o, faker);
        // Every partition in turn from a place the seed chooses; the k-th row of every tenant lands in the
        // same partition, so that a partition read directly holds rows of several tenants.
        if (row && p.partitionRotation) {
          const { column, values } = p.partitionRotation;
          row[column] = values[(shape.seed + k) % values.length];
        }
        if (row) out.push({ tenant, values: row });
        else skipped.set(name, (skipped.get(name) ?? 0) + 1);
      }
    });
    uniformColumns(p, out, r, () => n++, o.types);
  });
  return { shape, tenants, rows, skipped };
}

/** One more row of `relation` for `tenant`, against rows already in the world (planted by the write probes). */
export function buildExtraRow(plan: WorldPlan, relation: string, tenant: string, rows: ReadonlyMap<string, WorldRow[]>, o: BuildOptions, seed: number, n: number): Record<string, unknown> | null {
  const p = plan.relations.find((x) => x.relation.qualifiedName === relation);
  if (!p) return null;
  const r = rng(seed ^ (n * 2654435761));
  const faker = o.factories && o.makeFaker ? o.makeFaker(seed + n) : undefined;
  const row = buildRow(p, tenant, 1_000_000 + n, r, rows, o, faker);
  if (!row) return null;
  // The same columns as the world's rows of this relation, so defaults behave alike.
  const like = rows.get(relation)?.[0]?.values;
  if (like) for (const c of Object.keys(like)) if (row[c] === undefined) row[c] = fallbackValue(p.columns.find((x) => x.name === c)!, r, 1_000_000 + n, o.types) ?? null;
  return row;
}

function buildRow(
  p: PlannedRelation,
  tenant: string,
  n: number,
  r: Rng,
  world: ReadonlyMap<string, WorldRow[]>,
  o: BuildOptions,
  faker: unknown,
): Record<string, unknown> | null {
  const name = p.relation.qualifiedName;
  const sameTenant = (table: string) => (world.get(table) ?? []).filter((row) => row.tenant === tenant);
  const pickFrom = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(r() * xs.length)];
  const factory = o.factories?.[name];
  const values: Record<string, unknown> = factory
    ? { ...factory({ faker, tenantId: tenant, n, pick: (table) => pickFrom(sameTenant(table))?.values ?? pickFrom(o.existing.get(table) ?? []) }) }
    : {};

  if (p.scope.kind === 'tenant-table' && p.scope.column) values[p.scope.column] = tenant;
  if (p.scope.kind === 'direct' && p.scope.column) values[p.scope.column] = tenant;

  for (const parent of p.parents) {
    const { fk } = parent;
    const given = fk.columns.every((c) => values[c] !== undefined && values[c] !== null);
    // A factory's choice stands when it is consistent with the tenant; otherwise pick one here.
    if (given && parent.source === 'world' && sameTenant(fk.references).some((row) => fk.referencedColumns.every((rc, j) => String(row.values[rc]) === String(values[fk.columns[j]!])))) continue;
    if (given && parent.source === 'existing') continue;
    const candidates = parent.source === 'world' ? sameTenant(fk.references).map((row) => row.values) : (o.existing.get(fk.references) ?? []);
    // A self-reference may point at an earlier row of the same relation, or stay NULL.
    const parentRow = pickFrom(candidates);
    if (!parentRow) {
      if (fk.notNull) return null;
      for (const c of fk.columns) if (c !== p.scope.column) values[c] = null;
      continue;
    }
    fk.columns.forEach((c, j) => {
      values[c] = parentRow[fk.referencedColumns[j]!];
    });
  }

  for (const col of p.columns) {
    const override = o.overrides?.[`${name}.${col.name}`];
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
  return values;
}

/** One column list per relation: a column some rows set is set in all (json_populate would write NULL, not the default). */
function uniformColumns(p: PlannedRelation, rows: WorldRow[], r: Rng, next: () => number, types: ReadonlyMap<string, UserType>): void {
  const cols = new Set(rows.flatMap((row) => Object.keys(row.values)));
  for (const row of rows) {
    for (const c of cols) {
      if (row.values[c] !== undefined) continue;
      const col = p.columns.find((x) => x.name === c);
      row.values[c] = col && !col.notNull ? null : col ? (fallbackValue(col, r, next(), types) ?? null) : null;
    }
  }
}
