/**
 * One world, start to finish, inside one transaction that is always rolled
 * back: insert the world, snapshot it, run every check server-side, judge.
 * The common case is one round trip (the inserts, the snapshot and the call to
 * the runner as one multi-statement query); when the database rejects some
 * generated row, the world is written again row by row, dropping (and
 * counting) what it refuses.
 */
import { sql, type Queryable, type Transaction } from '@databases/pg';
import type { Catalog } from '../catalog/types.js';
import { sqlLiteral } from '../config/context.js';
import type { ResolvedConfig } from '../config/schema.js';
import { buildExtraRow, buildWorld, type BuildOptions, type WorldRow, type WorldShape } from '../world/build.js';
import { insertWorld, worldInsertText, type InsertResult } from '../world/insert.js';
import type { WorldPlan } from '../world/plan.js';
import { buildCases, snapshotStatements, type Judgement, type ProbeCase, type RunnerResult } from './cases.js';
import { RUNNER_SQL } from './runner-sql.js';
import { rolledBack } from '../db/rolled-back.js';

export interface EngineContext {
  catalog: Catalog;
  config: ResolvedConfig;
  plan: WorldPlan;
  build: BuildOptions;
}

export interface CaseOutcome {
  case: ProbeCase;
  result: RunnerResult;
  judgement: Judgement;
}

export interface WorldOutcome {
  shape: WorldShape;
  /** Rows the generator could not make (no parent in the tenant), per relation. */
  skipped: ReadonlyMap<string, number>;
  inserted: InsertResult;
  tenants: string[];
  outcomes: CaseOutcome[];
}

type TxSource = { tx<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> };


/** The runner's temporary objects, once per connection (they live as long as the session). */
export async function installRunner(conn: Queryable): Promise<void> {
  await conn.query(sql.__dangerous__rawValue(RUNNER_SQL));
}

export async function runWorld(db: TxSource, ex: EngineContext, shape: WorldShape, only?: ReadonlySet<string>): Promise<WorldOutcome> {
  const world = buildWorld(ex.plan, shape, ex.build);
  const snapshot = snapshotStatements(ex.catalog, ex.config);
  const casesFor = (rows: ReadonlyMap<string, WorldRow[]>) => {
    let extra = 0;
    return buildCases({
      catalog: ex.catalog,
      config: ex.config,
      plan: ex.plan,
      tenants: world.tenants,
      rows,
      rotation: shape.seed,
      extraRow: (relation, tenant) => buildExtraRow(ex.plan, relation, tenant, rows, ex.build, shape.seed, extra++),
      only,
    });
  };
  const judge = (cases: ProbeCase[], results: Record<string, unknown>[], inserted: InsertResult): WorldOutcome => ({
    shape,
    skipped: world.skipped,
    inserted,
    tenants: world.tenants,
    outcomes: results.map((raw) => {
      const result = raw as unknown as RunnerResult;
      const c = cases[result.id]!;
      const judgement: Judgement = result.stage === 'empty' ? { status: 'inconclusive', detail: 'the partition held no row of this world' } : c.evaluate(result);
      return { case: c, result, judgement };
    }),
  });

  // Fast path: everything in one round trip.
  const cases = casesFor(world.rows);
  const call = `select * from pg_temp.tp_run_cases(${sqlLiteral(JSON.stringify(cases.map(wire)))}::jsonb)`;
  const text = [...worldInsertText(ex.plan, world), ...snapshot, call].join(';\n');
  try {
    const results = await rolledBack(db, (tx) => tx.query(sql.__dangerous__rawValue(text)));
    return judge(cases, results, { rows: world.rows, dropped: new Map() });
  } catch {
    // Some generated row was refused: write the world row by row instead.
  }
  return rolledBack(db, async (tx) => {
    const inserted = await insertWorld(tx, ex.plan, world);
    await tx.query(sql.__dangerous__rawValue(snapshot.join(';\n')));
    const slowCases = casesFor(inserted.rows);
    const results = slowCases.length === 0 ? [] : await tx.query(sql`select * from pg_temp.tp_run_cases(${JSON.stringify(slowCases.map(wire))}::jsonb)`);
    return judge(slowCases, results, inserted);
  });
}

const wire = (c: ProbeCase) => ({ id: c.id, role: c.role, context: c.context, mode: c.mode, sql: c.sql, ...(c.judge ? { judge: c.judge } : {}), ...(c.onlyIfRows ? { onlyIfRows: c.onlyIfRows } : {}) });
