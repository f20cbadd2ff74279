/**
 * The bench's sections, each a function returning plain data for
 * bench/results.json. Each figure is a median (and range) of several runs
 * after a warm-up, and what is compared is measured in alternation, in the
 * same run, so that the machine's load hits both sides alike.
 */
import path from 'node:path';
import { sql, type ConnectionPool } from '@databases/pg';
import { introspect } from '../src/catalog/introspect.js';
import { catalogOptions } from '../src/catalog/options.js';
import type { ResolvedConfig } from '../src/config/schema.js';
import { startEmbedded, stopEmbedded, type EmbeddedServer } from '../src/db/embedded/server.js';
import { openPool } from '../src/db/pool.js';
import { withDatabase } from '../src/db/server.js';
import { resetDatabase } from '../src/migrate/index.js';
import { engineWorlds } from './engine-api.js';
import { cliLoadMs, ensureStopped, GATE_PHASES, runGate, type GateRun } from './gate.js';
import { comparePgTap } from './pgtap/compare.js';
import { copyProject, projectRoot } from './project-copy.js';
import { createSyntheticSchema, syntheticConfig } from './scaling.js';
import { plantedLeaksSql } from './shrinking.js';
import { buildSuite, commitFixture } from './suite.js';
import { stat, type Stat } from './stats.js';
import { databasePerCaseThroughput, engineThroughput, roundTripThroughput } from './throughput.js';
import { measureWatchLatency } from './watch-latency.js';

export interface BenchContext {
  config: ResolvedConfig;
  /** Measured runs after the warm-up, for the quick sections... */
  runs: number;
  /** ...and for the 100-world gates. */
  gateRuns: number;
  log: (line: string) => void;
  /** The embedded server the in-process sections share (started on first use). */
  server(): Promise<EmbeddedServer>;
}

export const SEED = 11;
export const GATE_WORLDS = 100;
export const ENGINE_WORLDS = 40;
export const PER_CASE_CHECKS = 6;
/** Worlds of the hand-written suites' fixture (the round trips and pgTAP): the engine's first ones. */
export const SUITE_WORLDS = 10;
export const PLANTED_TABLES = 20;
/**
 * Scaling: a short run and a longer one (about as many checks at every size), the difference being the
 * worlds' own cost. At least 24 worlds: at 200 tables a run's fixed cost is ~6 s, and the 6 worlds'
 * difference that 8 gave (~1.5 s) moved 2x from one bench run to the next.
 */
export const SCALING_FEW = 2;
export const scalingMany = (tables: number) => Math.max(24, Math.round(1600 / tables));

/** `warm-up + runs` rounds of `fn`, the warm-up's result dropped. */
async function rounds<T>(runs: number, log: (line: string) => void, what: string, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i <= runs; i++) {
    log(`${what}: round ${i}/${runs}${i === 0 ? ' (warm-up)' : ''}`);
    const r = await fn(i);
    if (i > 0) out.push(r);
  }
  return out;
}

/** A scratch database on the shared server, dropped afterwards. */
async function scratch<T>(serverUrl: string, name: string, fn: (db: ConnectionPool, url: string) => Promise<T>, template?: string): Promise<T> {
  const admin = await openPool({ connectionString: serverUrl, poolSize: 1, warm: 1 });
  await admin.query(sql`drop database if exists ${sql.ident(name)} with (force)`);
  await admin.query(template ? sql`create database ${sql.ident(name)} template ${sql.ident(template)}` : sql`create database ${sql.ident(name)}`);
  const url = withDatabase(serverUrl, name);
  const db = await openPool({ connectionString: url, poolSize: 4 });
  try {
    return await fn(db, url);
  } finally {
    await db.dispose();
    await admin.query(sql`drop database if exists ${sql.ident(name)} with (force)`);
    await admin.dispose();
  }
}

const TEMPLATE = 'tp_bench_template';
async function referenceTemplate(server: EmbeddedServer): Promise<void> {
  await resetDatabase({ projectRoot, serverUrl: server.url, database: TEMPLATE });
}

const phaseStats = (runs: GateRun[]) =>
  Object.fromEntries(
    GATE_PHASES.map((p) => {
      const xs = runs.map((r) => r.phases[p]).filter((x): x is number => x !== null);
      return [p, xs.length === runs.length ? stat(xs) : null];
    }),
  );

/** `n` gates of 100 worlds in the copy, after a warm-up gate without probes (it initialises the copy's server: initdb). */
async function gates(cx: BenchContext, dir: string, what: string, each?: (g: GateRun) => void): Promise<{ runs: GateRun[]; warmUp: GateRun }> {
  cx.log(`${what}: warm-up gate (no probes; initialises the copy's server)`);
  const warmUp = await runGate(dir, 1, ['--no-probes']);
  const runs: GateRun[] = [];
  for (let i = 1; i <= cx.gateRuns; i++) {
    cx.log(`${what}: gate ${i}/${cx.gateRuns} (${GATE_WORLDS} worlds)`);
    const g = await runGate(dir, GATE_WORLDS);
    each?.(g);
    runs.push(g);
  }
  return { runs, warmUp };
}

/** `npm run gate` from a stopped server, 100 worlds, on the reference schema. */
export async function gateSection(cx: BenchContext) {
  const copy = copyProject();
  const cliLoad: number[] = [];
  try {
    const { runs, warmUp } = await gates(cx, copy.dir, 'gate', (g) => {
      if (g.verdict !== 'pass') throw new Error(`the gate failed on the reference schema (${g.failingCells} failing cells)`);
    });
    for (let i = 0; i < cx.gateRuns; i++) cliLoad.push(await cliLoadMs(copy.dir));
    return {
      worlds: GATE_WORLDS,
      checks: runs[0]!.checks,
      total: stat(runs.map((r) => r.totalMs)),
      phases: phaseStats(runs),
      cliLoad: stat(cliLoad),
      /** The warm-up's start: a fresh clone's first gate, initdb included. */
      firstStartMs: warmUp.phases.start,
    };
  } finally {
    await ensureStopped(copy.dir);
    copy.remove();
  }
}

/** A 100-world gate on the reference schema with leaks planted on many tables: the share of the run spent shrinking. */
export async function shrinkingSection(cx: BenchContext) {
  const copy = copyProject(plantedLeaksSql(cx.config, PLANTED_TABLES));
  try {
    const { runs } = await gates(cx, copy.dir, 'shrinking');
    const engineMs = (r: GateRun) => (r.phases.catalog ?? 0) + (r.phases.lint ?? 0) + (r.phases.probes ?? 0) + (r.phases.shrinking ?? 0);
    const measured = runs.every((r) => r.phases.shrinking !== null);
    return {
      worlds: GATE_WORLDS,
      plantedTables: PLANTED_TABLES,
      failingCells: runs[0]!.failingCells,
      checks: runs[0]!.checks,
      measured,
      run: stat(runs.map(engineMs)),
      shrinking: measured ? stat(runs.map((r) => r.phases.shrinking!)) : null,
      /** Shrinking over the engine's run (catalog + lint + probes, shrinking included). */
      share: measured ? stat(runs.map((r) => r.phases.shrinking! / engineMs(r))) : null,
      /** Microseconds per check, probing only (shrinking excluded): compare with the clean gate's. */
      usPerCheck: stat(runs.map((r) => ((r.phases.probes ?? 0) * 1000) / r.checks)),
      total: stat(runs.map((r) => r.totalMs)),
    };
  } finally {
    await ensureStopped(copy.dir);
    copy.remove();
  }
}

/** The engine against a hand-written suite sent one statement per round trip and a database per case, on the reference schema. */
export async function throughputSection(cx: BenchContext) {
  const server = await cx.server();
  await referenceTemplate(server);
  return scratch(
    server.url,
    'tp_bench_ref',
    (engineDb) =>
      scratch(
        server.url,
        'tp_bench_suite',
        async (suiteDb) => {
          const catalog = await introspect(suiteDb, catalogOptions(cx.config));
          const worlds = await engineWorlds(suiteDb, catalog, cx.config);
          const suite = await buildSuite(suiteDb, catalog, cx.config, await commitFixture(suiteDb, worlds, SUITE_WORLDS, SEED));
          const first = worlds.shapes(1, SEED)[0]!;
          const rows = await rounds(cx.runs, cx.log, 'throughput', async () => ({
            engine: await engineThroughput(engineDb, cx.config, ENGINE_WORLDS, SEED),
            roundTrip: await roundTripThroughput(suiteDb, suite),
            perCase: await databasePerCaseThroughput(server.url, TEMPLATE, worlds, first, suite, PER_CASE_CHECKS),
          }));
          const engine = stat(rows.map((r) => r.engine.perSecond));
          const roundTrip = stat(rows.map((r) => r.roundTrip.perSecond));
          const databasePerCase = stat(rows.map((r) => r.perCase.perSecond));
          return {
            relations: catalog.relations.filter((r) => r.tenancy).length,
            actors: cx.config.actors.length,
            engineWorlds: ENGINE_WORLDS,
            engineChecks: rows[0]!.engine.checks,
            roundTripWorlds: SUITE_WORLDS,
            roundTripChecks: suite.checks,
            engine,
            roundTrip,
            databasePerCase,
            ratioRoundTrip: engine.median / roundTrip.median,
            ratioDatabasePerCase: engine.median / databasePerCase.median,
          };
        },
        TEMPLATE,
      ),
    TEMPLATE,
  );
}

export async function pgtapSection(cx: BenchContext) {
  return comparePgTap({ projectRoot, config: cx.config, runs: cx.runs, worlds: SUITE_WORLDS, seed: SEED, log: cx.log });
}

const FRESH_APP = 'tenantproof_bench_fresh';
const withApplicationName = (url: string, name: string) => {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
};

/**
 * Seconds until the server has let go of the closed pool's connections: a backend drops its
 * temporary objects (the runner's) as it exits, and the next measurement must not pay for it.
 */
async function backendsGone(db: ConnectionPool, applicationName: string): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const [row] = await db.query(sql`select count(*)::int as n from pg_stat_activity where application_name = ${applicationName}`);
    if (row?.n === 0) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > 120_000) throw new Error(`connections of ${applicationName} still open 120 s after their pool was closed`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Cost per check as tenant tables (10, 50, 200) and tenants per world (2, 8, 32) grow. Each
 * round runs 2 worlds, then 160, 32 or 8 (about as many checks at every size), each on a fresh
 * pool as a gate does (the runner installed anew):
 * the difference is the cost per check of a world, the rest the run's fixed cost (preparing
 * the checks, installing and first planning the runner), which a long run amortises. Also
 * noted: how long the server takes to let go of a run's connections once they are closed.
 */
export async function scalingSection(cx: BenchContext) {
  const server = await cx.server();
  const out: Array<{ tables: number; tenants: number; usPerCheck: Stat; fixedSeconds: Stat; usPerCheckWhole: Stat; exitSeconds: Stat; peakRssMiB: number }> = [];
  for (const tables of [10, 50, 200]) {
    await scratch(server.url, `tp_bench_scale_${tables}`, async (db, url) => {
      await createSyntheticSchema(db, tables);
      const freshUrl = withApplicationName(url, FRESH_APP);
      for (const tenants of [2, 8, 32]) {
        const config = syntheticConfig(tenants);
        const exits: number[] = [];
        const fresh = async (worlds: number) => {
          const pool = await openPool({ connectionString: freshUrl, poolSize: 4 });
          try {
            return await engineThroughput(pool, config, worlds, SEED);
          } finally {
            await pool.dispose();
            exits.push(await backendsGone(db, FRESH_APP));
          }
        };
        let peak = 0;
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
        const runs = await rounds(cx.gateRuns, cx.log, `scaling ${tables} tables, ${tenants} tenants`, async () => {
          const few = await fresh(SCALING_FEW);
          const many = await fresh(scalingMany(tables));
          const perCheck = (many.seconds - few.seconds) / (many.checks - few.checks);
          return { usPerCheck: perCheck * 1e6, fixedSeconds: few.seconds - few.checks * perCheck, usPerCheckWhole: (many.seconds * 1e6) / many.checks };
        });
        clearInterval(sampler);
        out.push({
          tables,
          tenants,
          usPerCheck: stat(runs.map((r) => r.usPerCheck)),
          fixedSeconds: stat(runs.map((r) => r.fixedSeconds)),
          usPerCheckWhole: stat(runs.map((r) => r.usPerCheckWhole)),
          exitSeconds: stat(exits),
          peakRssMiB: Math.round(peak / 2 ** 20),
        });
      }
    });
  }
  const ratio = (tenants: number) =>
    out.find((s) => s.tables === 200 && s.tenants === tenants)!.usPerCheck.median / out.find((s) => s.tables === 10 && s.tenants === tenants)!.usPerCheck.median;
  return { worlds: [SCALING_FEW, ...[10, 50, 200].map(scalingMany)], cells: out, ratio200to10: { 2: ratio(2), 8: ratio(8), 32: ratio(32) } };
}

export async function watchSection(cx: BenchContext) {
  return stat(await measureWatchLatency({ edits: Math.max(5, cx.runs) }));
}

/** The SQL validators: validations per second in one batch query of 200,000 inputs. */
export async function validatorsSection(cx: BenchContext) {
  const server = await cx.server();
  await referenceTemplate(server);
  return scratch(
    server.url,
    'tp_bench_validators',
    async (db) => {
      await db.query(sql`create table inputs (v text)`);
      await db.query(sql`insert into inputs select lpad(((random() * 1e14)::bigint)::text, 14, '0') from generate_series(1, 200000)`);
      const out: Record<string, Stat> = {};
      for (const [id, len] of Object.entries({ cpf: 11, cnpj: 14, abn: 11, acn: 9, tfn: 9 })) {
        const runs = await rounds(
          cx.runs,
          () => {},
          id,
          async () => {
            const t0 = performance.now();
            await db.query(sql`select count(*) filter (where ${sql.ident('validators', `is_valid_${id}`)}(left(v, ${len}))) from inputs`);
            return 200000 / ((performance.now() - t0) / 1000);
          },
        );
        out[id] = stat(runs);
      }
      return out;
    },
    TEMPLATE,
  );
}

/** The embedded server the in-process sections share: instance `bench` of this checkout, stopped at the end. */
export function sharedServer(): { get: () => Promise<EmbeddedServer>; stop: () => Promise<void> } {
  const o = { major: 18 as const, stateRoot: path.join(projectRoot, '.tenantproof'), instance: 'bench' };
  let server: Promise<EmbeddedServer> | null = null;
  return {
    get: () =>
      (server ??= stopEmbedded(o)
        .catch(() => false)
        .then(() => startEmbedded(o))),
    stop: async () => {
      if (server) await (await server).stop();
      await stopEmbedded(o).catch(() => false);
    },
  };
}
