/**
 * Every call the bench makes into the engine, in one place: when the engine's
 * API changes (checkIsolation's options and result, the run's preparation,
 * the world builder, the CLI's output), this is the one file to adapt.
 *
 * The engine's own figures go through `checkIsolation`, as the CLI runs it.
 * The baselines and the pgTAP suite run hand-written checks of their own
 * (bench/pgtap/suite.ts) over the engine's worlds: only the world builder is
 * borrowed, below, so that everything compared reads the same rows.
 */
import fc from 'fast-check';
import type { ConnectionPool, Transaction } from '@databases/pg';
import type { Catalog } from '../src/catalog/types.js';
import type { ResolvedConfig } from '../src/config/schema.js';
import { checkIsolation, type IsolationResult } from '../src/engine/isolation.js';
import { prepareRun } from '../src/probes/prepare.js';
import { resolveTenancy } from '../src/tenancy/model.js';
import { worldArbitrary } from '../src/probes/engine.js';
import { buildWorld, type WorldShape } from '../src/world/build.js';
import { insertWorld } from '../src/world/insert.js';

// ---------------------------------------------------------------- the engine, as the CLI runs it

export interface EngineRun {
  /** Checks the engine ran (relation x actor x probe on one world, in each subject slot), whatever their outcome. */
  checks: number;
  /** Of those, the ones that could judge (held or leaked): the report's coverage.checks. */
  conclusive: number;
  worlds: number;
  /** The probes phase, in seconds: what checks/s is computed from. */
  probeSeconds: number;
  /** The engine's phase timings in ms (catalog, lint, probes, shrinking, and whatever else it reports). */
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

/** Held, leaked and inconclusive checks of every cell (the engine leaves out only the ones it did not run). */
function countChecks(r: IsolationResult): number {
  if (r.cells.length === 0) return r.report.coverage.checks;
  return r.cells.reduce((n, c) => n + c.held + c.leaked + c.inconclusive.reduce((m, [, k]) => m + k, 0), 0);
}

/** The config with a fixed number of tenants per world (the pgTAP comparison and the scaling runs). */
export function withTenantsPerWorld(config: ResolvedConfig, tenants: number): ResolvedConfig {
  return { ...config, probes: { ...config.probes, tenantsPerWorld: { min: tenants, max: tenants } } };
}

// ---------------------------------------------------------------- the engine's worlds, for the suites

export interface Worlds {
  /** The worlds the engine samples for (runs, seed): the same shapes, in the same order. */
  shapes(runs: number, seed: number): WorldShape[];
  /** Writes one world into `tx` (rows the database refuses are dropped); returns its tenants. */
  write(tx: Transaction, shape: WorldShape): Promise<{ tenants: string[] }>;
}

/** The engine's own preparation of a run (plan, generators, factories, reference rows) and its world builder. */
export async function engineWorlds(db: ConnectionPool, catalog: Catalog, config: ResolvedConfig): Promise<Worlds> {
  const ex = await prepareRun(db, catalog, config, resolveTenancy(catalog, config));
  const arbitrary = worldArbitrary(ex.world, config);
  return {
    shapes: (runs, seed) => fc.sample(arbitrary, { numRuns: runs, seed }),
    write: async (tx, shape) => {
      const world = buildWorld(ex.world, shape, ex.build);
      await insertWorld(tx, ex.world, world, ex.writer?.(world) ?? null);
      return { tenants: world.tenants };
    },
  };
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
