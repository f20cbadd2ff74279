/**
 * A check is one relation x actor x probe on one world, whatever its outcome:
 * the three ways below run exactly the same checks.
 *
 * Checks per second on one schema: the engine as shipped against the two ways
 * people test RLS today, on the same worlds and the same checks.
 *   (a) one statement per round trip in a rolled-back transaction (hand-written Jest/pgTAP suites);
 *   (b) a fresh database per case, cloned from a template (per-test-database harnesses).
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { sql, type ConnectionPool, type Transaction } from '@databases/pg';
import type { Catalog } from '../src/catalog/types.js';
import type { ResolvedConfig } from '../src/config/schema.js';
import { openPool } from '../src/db/pool.js';
import { withDatabase } from '../src/db/server.js';
import { buildCases, snapshotStatements, type ProbeCase, type RunnerResult } from '../src/probes/cases.js';
import { installRunner, runWorld, type EngineContext } from '../src/probes/world-run.js';
import { buildExtraRow, buildWorld, worldShapeArbitrary, type WorldShape } from '../src/world/build.js';
import { discoverGenerators } from '../src/world/discover.js';
import { insertWorld } from '../src/world/insert.js';
import { planWorld } from '../src/world/plan.js';

export async function engineContext(db: ConnectionPool, catalog: Catalog, config: ResolvedConfig): Promise<EngineContext> {
  const plan = planWorld(catalog);
  if ('error' in plan) throw new Error(plan.error);
  const discovery = await discoverGenerators(db, catalog, plan);
  return { catalog, config, plan, build: { existing: new Map(), types: new Map(catalog.types.map((t) => [`${t.schema}.${t.name}`, t])), overrides: config.probes.columns, generators: discovery.generators } };
}

export function shapesFor(ex: EngineContext, runs: number, seed: number, tenants?: number): WorldShape[] {
  const p = ex.config.probes;
  const min = tenants ?? p.tenantsPerWorld.min;
  const max = tenants ?? p.tenantsPerWorld.max;
  return fc.sample(worldShapeArbitrary(ex.plan, { minTenants: min, maxTenants: max, maxRows: p.maxRowsPerTable }), { numRuns: runs, seed });
}

export interface Throughput {
  checks: number;
  seconds: number;
  perSecond: number;
}

/** The engine: every world on `connections` pooled connections, one server-side call per world. */
export async function engineThroughput(db: ConnectionPool, ex: EngineContext, shapes: WorldShape[], connections = 2): Promise<Throughput> {
  let checks = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, () =>
      db.task(async (conn) => {
        await installRunner(conn);
        for (let i = next++; i < shapes.length; i = next++) {
          const w = await runWorld(conn, ex, shapes[i]!);
          checks += w.outcomes.length;
        }
      }),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { checks, seconds, perSecond: checks / seconds };
}

/** One case as a hand-written suite runs it: a statement per round trip, a savepoint around it. */
async function caseByRoundTrips(tx: Transaction, c: ProbeCase): Promise<RunnerResult> {
  const result: RunnerResult = { id: c.id, stage: 'context', a: null, b: null, c: null, d: null, code: null, message: null };
  await tx.query(sql`savepoint bench_case`);
  try {
    await tx.query(sql`select set_config('role', ${c.role}, true)`);
    for (const s of c.context) await tx.query(sql.__dangerous__rawValue(s));
    result.stage = 'probe';
    if (c.mode === 'pair') {
      const [row] = await tx.query(sql.__dangerous__rawValue(c.sql));
      const v = Object.values(row ?? {}) as (bigint | null)[];
      [result.a, result.b, result.c, result.d] = [v[0] ?? null, v[1] ?? null, v[2] ?? null, v[3] ?? null];
    } else {
      await tx.query(sql.__dangerous__rawValue(c.sql));
      if (c.judge) {
        result.stage = 'judge';
        await tx.query(sql`select set_config('role', 'none', true)`);
        const [j] = await tx.query(sql.__dangerous__rawValue(c.judge));
        const v = Object.values(j ?? {}) as (bigint | null)[];
        [result.b, result.c] = [v[0] ?? null, v[1] ?? null];
      }
    }
  } catch (e) {
    result.code = (e as { code?: string }).code ?? 'XX000';
    result.message = (e as Error).message;
  } finally {
    await tx.query(sql`rollback to savepoint bench_case`);
  }
  return result;
}

function casesOf(ex: EngineContext, shape: WorldShape, rows: Parameters<typeof buildCases>[0]['rows'], tenants: string[]): ProbeCase[] {
  let extra = 0;
  return buildCases({
    catalog: ex.catalog,
    config: ex.config,
    plan: ex.plan,
    tenants,
    rows,
    rotation: shape.seed,
    extraRow: (relation, tenant) => buildExtraRow(ex.plan, relation, tenant, rows, ex.build, shape.seed, extra++),
  });
}

class Rollback extends Error {}

/** Baseline (a): the same worlds and cases, one statement per round trip. */
export async function roundTripThroughput(db: ConnectionPool, ex: EngineContext, shapes: WorldShape[]): Promise<Throughput> {
  let checks = 0;
  const t0 = performance.now();
  for (const shape of shapes) {
    await db
      .tx(async (tx) => {
        await installRunner(tx);
        const world = buildWorld(ex.plan, shape, ex.build);
        const inserted = await insertWorld(tx, ex.plan, world);
        await tx.query(sql.__dangerous__rawValue(snapshotStatements(ex.catalog, ex.config).join(';\n')));
        for (const c of casesOf(ex, shape, inserted.rows, world.tenants)) {
          await caseByRoundTrips(tx, c);
          checks++;
        }
        throw new Rollback();
      })
      .catch((e: unknown) => {
        if (!(e instanceof Rollback)) throw e;
      });
  }
  const seconds = (performance.now() - t0) / 1000;
  return { checks, seconds, perSecond: checks / seconds };
}

/**
 * Baseline (b): each case in a database of its own, cloned from a migrated
 * template, its world written into it. Measured on the first `maxCases`
 * cases (each costs a CREATE DATABASE).
 */
export async function databasePerCaseThroughput(serverUrl: string, template: string, ex: EngineContext, shape: WorldShape, maxCases: number): Promise<Throughput> {
  const admin = await openPool({ connectionString: serverUrl, poolSize: 1, warm: 1 });
  const world = buildWorld(ex.plan, shape, ex.build);
  const cases = casesOf(ex, shape, world.rows, world.tenants).slice(0, maxCases);
  let checks = 0;
  const t0 = performance.now();
  try {
    for (const c of cases) {
      const name = `tp_bench_case_${randomBytes(4).toString('hex')}`;
      await admin.query(sql`create database ${sql.ident(name)} template ${sql.ident(template)}`);
      const db = await openPool({ connectionString: withDatabase(serverUrl, name), poolSize: 1, warm: 1 });
      try {
        await db
          .tx(async (tx) => {
            await installRunner(tx);
            const inserted = await insertWorld(tx, ex.plan, world);
            void inserted;
            await tx.query(sql.__dangerous__rawValue(snapshotStatements(ex.catalog, ex.config).join(';\n')));
            await caseByRoundTrips(tx, c);
            checks++;
            throw new Rollback();
          })
          .catch((e: unknown) => {
            if (!(e instanceof Rollback)) throw e;
          });
      } finally {
        await db.dispose();
        await admin.query(sql`drop database ${sql.ident(name)} with (force)`);
      }
    }
  } finally {
    await admin.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { checks, seconds, perSecond: checks / seconds };
}
