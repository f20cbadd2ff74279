/**
 * Every call the bench makes into the engine, in one place: when the engine's
 * API changes (runProbes/checkIsolation options, ProbeRun fields, the case and
 * world builders), this is the one file to adapt.
 *
 * The engine's own figures go through `checkIsolation`, as the CLI runs it.
 * The round-trip baselines need the engine's worlds and checks themselves (the
 * same statements, sent one per round trip), so they reach into the world and
 * case builders: those imports are the fragile part, and they are all below.
 */
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { sql, type ConnectionPool, type Queryable, type Transaction } from '@databases/pg';
import { tsImport } from 'tsx/esm/api';
import type { Catalog } from '../src/catalog/types.js';
import type { ResolvedConfig } from '../src/config/schema.js';
import { checkIsolation, type IsolationResult } from '../src/engine/isolation.js';
import { buildCases, snapshotStatements, type ProbeCase, type RunnerResult } from '../src/probes/cases.js';
import { installRunner, type EngineContext } from '../src/probes/world-run.js';
import { buildExtraRow, buildWorld, worldShapeArbitrary, type BuildOptions, type RowFactory, type WorldRow, type WorldShape } from '../src/world/build.js';
import { discoverGenerators } from '../src/world/discover.js';
import { insertWorld } from '../src/world/insert.js';
import { planWorld } from '../src/world/plan.js';

// ---------------------------------------------------------------- the engine, as the CLI runs it

export interface EngineRun {
  /** Checks the engine ran (relation x actor x probe on one world), whatever their outcome. */
  checks: number;
  /** Of those, the ones that could judge (pass or fail): the report's coverage.checks. */
  conclusive: number;
  worlds: number;
  /** The probes phase, in seconds: what checks/s is computed from. */
  probeSeconds: number;
  /** The engine's phase timings in ms (catalog, lint, probes, and whatever else it reports). */
  timings: Record<string, number>;
  failingCells: number;
  findings: { error: number; warning: number; info: number };
  verdict: string;
}

export interface EngineRunOptions {
  runs: number;
  seed: number;
  lint?: boolean;
}

/** One `checkIsolation` call, its checks counted. */
export async function runEngine(db: ConnectionPool, config: ResolvedConfig, o: EngineRunOptions): Promise<EngineRun> {
  const result = await checkIsolation(db, config, { runs: o.runs, seed: o.seed, lint: o.lint ?? false });
  const timings = result.timings;
  const findings = { error: 0, warning: 0, info: 0 };
  for (const f of result.report.findings) findings[f.severity]++;
  return {
    checks: countChecks(result),
    conclusive: result.report.coverage.checks,
    worlds: result.report.coverage.worlds,
    probeSeconds: (timings.probes ?? 0) / 1000,
    timings,
    failingCells: result.report.matrix.filter((m) => m.status === 'fail').length,
    findings,
    verdict: result.report.verdict,
  };
}

function countChecks(r: IsolationResult): number {
  if (r.cells.length === 0) return r.report.coverage.checks;
  return r.cells.reduce((n, c) => n + c.pass + c.fail + c.inconclusive.reduce((m, [, k]) => m + k, 0), 0);
}

/** The config with a fixed number of tenants per world (the pgTAP comparison and the scaling runs). */
export function withTenantsPerWorld(config: ResolvedConfig, tenants: number): ResolvedConfig {
  return { ...config, probes: { ...config.probes, tenantsPerWorld: { min: tenants, max: tenants } } };
}

// ---------------------------------------------------------------- the engine's worlds and checks, for the baselines

export interface Worlds {
  /** The worlds the engine samples for (runs, seed): the same shapes, in the same order. */
  shapes(runs: number, seed: number): WorldShape[];
  /** Writes one world into `tx` (rows the database refuses are dropped); returns its tenants. */
  write(tx: Transaction, shape: WorldShape): Promise<{ tenants: string[] }>;
  /** Writes one world, then runs its checks as a hand-written suite does: one statement per round trip. Returns how many ran. */
  roundTrips(tx: Transaction, shape: WorldShape): Promise<number>;
  /** The checks of one world, to run one at a time (the database-per-case baseline)... */
  cases(shape: WorldShape): PreparedCase[];
  /** ...each after writing the world into a fresh database. */
  runCase(tx: Transaction, shape: WorldShape, c: PreparedCase): Promise<void>;
}

/** One check, opaque outside this module. */
export type PreparedCase = ProbeCase;

/** What runProbes prepares before its first world (plan, generators, factories, reference rows), rebuilt here. */
export async function engineWorlds(db: ConnectionPool, catalog: Catalog, config: ResolvedConfig): Promise<Worlds> {
  const plan = planWorld(catalog);
  if ('error' in plan) throw new Error(plan.error);
  const discovery = await discoverGenerators(db, catalog, plan);
  const factories = config.probes.factories ? await importFactories(config.probes.factories) : undefined;
  const build: BuildOptions = {
    ...(factories ? { factories: factories.factories, makeFaker: factories.seededFaker } : {}),
    existing: await existingParents(db, plan),
    types: new Map(catalog.types.map((t) => [`${t.schema}.${t.name}`, t])),
    overrides: config.probes.columns,
    generators: discovery.generators,
  };
  const ex: EngineContext = { catalog, config, plan, build };
  const { tenantsPerWorld, maxRowsPerTable } = config.probes;
  const arbitrary = worldShapeArbitrary(plan, { minTenants: tenantsPerWorld.min, maxTenants: tenantsPerWorld.max, maxRows: maxRowsPerTable });
  const snapshot = snapshotStatements(catalog, config).join(';\n');

  const casesOf = (shape: WorldShape, rows: ReadonlyMap<string, WorldRow[]>, tenants: string[]) => {
    let extra = 0;
    return buildCases({
      catalog,
      config,
      plan,
      tenants,
      rows,
      rotation: shape.seed,
      extraRow: (relation, tenant) => buildExtraRow(plan, relation, tenant, rows, build, shape.seed, extra++),
    });
  };
  const prepare = async (tx: Transaction, shape: WorldShape) => {
    await installRunner(tx);
    const world = buildWorld(plan, shape, build);
    const inserted = await insertWorld(tx, plan, world);
    await tx.query(sql.__dangerous__rawValue(snapshot));
    return { world, inserted };
  };
  return {
    shapes: (runs, seed) => fc.sample(arbitrary, { numRuns: runs, seed }),
    write: async (tx, shape) => {
      const world = buildWorld(plan, shape, build);
      await insertWorld(tx, plan, world);
      return { tenants: world.tenants };
    },
    roundTrips: async (tx, shape) => {
      const { world, inserted } = await prepare(tx, shape);
      const cases = casesOf(shape, inserted.rows, world.tenants);
      for (const c of cases) await caseByRoundTrips(tx, c);
      return cases.length;
    },
    cases: (shape) => {
      const world = buildWorld(plan, shape, build);
      return casesOf(shape, world.rows, world.tenants);
    },
    runCase: async (tx, shape, c) => {
      await prepare(tx, shape);
      await caseByRoundTrips(tx, c);
    },
  };
}

/** One check as a hand-written suite runs it: role, context, statement and judge each a round trip, a savepoint around them. */
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

async function importFactories(file: string): Promise<{ factories: Record<string, RowFactory>; seededFaker: (seed: number) => unknown }> {
  const mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { factories: Record<string, RowFactory>; seededFaker: (seed: number) => unknown };
  return { factories: mod.factories, seededFaker: mod.seededFaker };
}

/** As runProbes reads them: up to 50 rows of each global table tenant rows reference. */
async function existingParents(db: Queryable, plan: Exclude<ReturnType<typeof planWorld>, { error: string }>): Promise<Map<string, Record<string, unknown>[]>> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const p of plan.relations) {
    for (const parent of p.parents) {
      if (parent.source !== 'existing' || out.has(parent.fk.references)) continue;
      const dot = parent.fk.references.indexOf('.');
      const cols = sql.join(parent.fk.referencedColumns.map((c) => sql.ident(c)), ', ');
      out.set(parent.fk.references, await db.query(sql`select ${cols} from ${sql.ident(parent.fk.references.slice(0, dot), parent.fk.references.slice(dot + 1))} limit 50`));
    }
  }
  return out;
}

// ---------------------------------------------------------------- the CLI, as a user runs it

/**
 * Lines of the CLI's plain (non-terminal) stderr the bench timestamps, to cut
 * a gate into phases the run file does not time: the server is up (and the
 * reset begins), the isolation check begins, shrinking begins. A marker never
 * seen leaves its phase unmeasured, never guessed.
 */
export const CLI_MARKERS = {
  serverReady: /^server: /,
  checkStarts: /^catalog\.\.\./,
  shrinkingStarts: /shrinking/,
} as const;

/** What the run file (reports/isolation-report.run.json) says of the engine's phases, in ms. */
export interface RunFileTimings {
  catalog: number;
  lint: number;
  probes: number;
  /** The engine's own shrinking timing, when it reports one. */
  shrinking: number | null;
}

export function runFileTimings(run: { timings?: Record<string, number> }): RunFileTimings {
  const t = run.timings ?? {};
  return { catalog: t.catalog ?? 0, lint: t.lint ?? 0, probes: t.probes ?? 0, shrinking: t.shrinking ?? t.shrink ?? null };
}
