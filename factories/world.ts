import fc from 'fast-check';
import { REFERENCE_DATE, seededFaker } from './core.js';
import { GLOBAL_TABLES, PICKED_UNIQUE_KEYS, TENANT_TABLES, factories, missingParents, type FactoryContext, type Row } from './registry.js';

/** How many rows of each table a world holds: per tenant, and of the global tables. 0 is allowed. */
export interface WorldShape {
  tenants: Partial<Record<string, number>>[];
  global?: Partial<Record<string, number>>;
}

/** Global rows that already exist in the database (seeded reference data): factories may pick them. */
export type ExistingRows = Partial<Record<string, Row[]>>;

export interface World {
  seed: number;
  tenantIds: string[];
  /** The rows built, per table (not the existing ones); every table of TABLE_ORDER has an entry. */
  rows: Record<string, Row[]>;
  /** Rows a factory could not build: no parent to reference, or a repeated key after a few tries. */
  skipped: Record<string, number>;
}

/** faker's relative dates (birthdates, ...) count from here, so that a seed builds the same rows on any day. */
export { REFERENCE_DATE };
const ATTEMPTS = 5;

/**
 * Builds a multi-tenant world from the registry, table by table in foreign-key
 * order. The same seed and shape give the same rows (ids included).
 */
export function buildWorld(seed: number, shape: WorldShape, o: { existing?: ExistingRows } = {}): World {
  const faker = seededFaker(seed);
  faker.setDefaultRefDate(REFERENCE_DATE);
  let n = 0;
  // Rows by table, then by tenant ('' for global rows).
  const pools = new Map<string, Map<string, Row[]>>();
  const pool = (table: string, tenant: string) => {
    let byTenant = pools.get(table);
    if (!byTenant) pools.set(table, (byTenant = new Map()));
    let rows = byTenant.get(tenant);
    if (!rows) byTenant.set(tenant, (rows = []));
    return rows;
  };
  const seen = new Map<string, Set<string>>();
  const keysOf = (table: string, row: Row) =>
    (PICKED_UNIQUE_KEYS[table] ?? []).filter((k) => !k.when || k.when(row)).map((k, i) => `${i}:${JSON.stringify(k.columns.map((c) => row[c]))}`);
  const remember = (table: string, row: Row) => {
    let s = seen.get(table);
    if (!s) seen.set(table, (s = new Set()));
    for (const k of keysOf(table, row)) s.add(k);
  };
  const isGlobal = (table: string) => (GLOBAL_TABLES as readonly string[]).includes(table);
  for (const [table, rows] of Object.entries(o.existing ?? {})) {
    for (const row of rows ?? []) {
      pool(table, '').push(row);
      remember(table, row);
    }
  }

  const world: World = { seed, tenantIds: [], rows: {}, skipped: {} };
  for (const t of [...GLOBAL_TABLES, ...TENANT_TABLES]) {
    world.rows[t] = [];
    world.skipped[t] = 0;
  }

  const build = (table: string, tenantId: string) => {
    const tenantKey = isGlobal(table) ? '' : tenantId;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const ctx: FactoryContext = {
        faker,
        tenantId,
        n: n++,
        pick: (parent) => {
          const rows = pools.get(parent)?.get(isGlobal(parent) ? '' : tenantId);
          return rows && rows.length > 0 ? faker.helpers.arrayElement(rows) : undefined;
        },
      };
      const row = factories[table]!(ctx);
      if (missingParents(ctx).length > 0) break;
      const s = seen.get(table);
      if (keysOf(table, row).some((k) => s?.has(k))) continue;
      remember(table, row);
      pool(table, tenantKey).push(row);
      world.rows[table]!.push(row);
      return;
    }
    world.skipped[table]!++;
  };

  for (const table of GLOBAL_TABLES) for (let i = 0; i < (shape.global?.[table] ?? 0); i++) build(table, '');
  world.tenantIds = shape.tenants.map(() => faker.string.uuid());
  shape.tenants.forEach((counts, i) => {
    const tenantId = world.tenantIds[i]!;
    for (const table of TENANT_TABLES) {
      const count = table === 'app.tenants' ? 1 : (counts[table] ?? 0);
      for (let k = 0; k < count; k++) build(table, tenantId);
    }
  });
  return world;
}

/**
 * Shapes of 2-5 tenants (by default) with 0..maxPerTable rows of each tenant
 * table and 0..maxGlobal rows of each global table. Shrinks towards fewer
 * tenants and rows; the row values come from the seed.
 */
export function worldShape(o: { minTenants?: number; maxTenants?: number; maxPerTable?: number; maxGlobal?: number } = {}): fc.Arbitrary<WorldShape> {
  const perTenant = Object.fromEntries(
    TENANT_TABLES.filter((t) => t !== 'app.tenants').map((t) => [t, fc.integer({ min: 0, max: o.maxPerTable ?? 3 })]),
  ) as Record<string, fc.Arbitrary<number>>;
  const global = Object.fromEntries(GLOBAL_TABLES.map((t) => [t, fc.integer({ min: 0, max: o.maxGlobal ?? 1 })])) as Record<string, fc.Arbitrary<number>>;
  return fc.record({
    tenants: fc.array(fc.record(perTenant), { minLength: o.minTenants ?? 2, maxLength: o.maxTenants ?? 5 }),
    global: fc.record(global),
  });
}

/**
 * A seed (for the values) and a shape (for the counts): build the world with
 * buildWorld inside the property, so that a counterexample prints as this
 * small pair rather than as every row.
 */
export function worldSpec(o: Parameters<typeof worldShape>[0] = {}): fc.Arbitrary<{ seed: number; shape: WorldShape }> {
  return fc.record({ seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), shape: worldShape(o) });
}
