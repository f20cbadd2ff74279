/**
 * npm run bench: throughput against the baselines, gate time, watch latency,
 * scaling and validators, each as a median and spread over several runs after
 * a warm-up. Writes bench/results.json and prints a table. Never fails a build:
 * it reports.
 */
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type ConnectionPool } from '@databases/pg';
import { introspect } from '../src/catalog/introspect.js';
import { catalogOptions } from '../src/catalog/options.js';
import { loadConfig, unwrapConfig } from '../src/config/load.js';
import type { ResolvedConfig } from '../src/config/schema.js';
import { startEmbedded, stopEmbedded } from '../src/db/embedded/server.js';
import { openPool } from '../src/db/pool.js';
import { withDatabase } from '../src/db/server.js';
import { checkIsolation } from '../src/engine/isolation.js';
import { applyCurrent, resetDatabase } from '../src/migrate/index.js';
import { writeJsonReport } from '../src/report/json.js';
import { createSyntheticSchema, syntheticConfig } from './scaling.js';
import { fmt, repeat, show, stat, type Stat } from './stats.js';
import { databasePerCaseThroughput, engineContext, engineThroughput, roundTripThroughput, shapesFor } from './throughput.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const GATE_WORLDS = 30;
const stateRoot = path.join(root, '.tenantproof');
const results: Record<string, unknown> = {};
const lines: string[] = [];
const row = (what: string, value: string, note = '') => lines.push(`| ${what} | ${value} | ${note} |`);

async function database(serverUrl: string, name: string, fn: (db: ConnectionPool, url: string) => Promise<void>, template?: string): Promise<void> {
  const admin = await openPool({ connectionString: serverUrl, poolSize: 1, warm: 1 });
  await admin.query(sql`drop database if exists ${sql.ident(name)} with (force)`);
  await admin.query(template ? sql`create database ${sql.ident(name)} template ${sql.ident(template)}` : sql`create database ${sql.ident(name)}`);
  const url = withDatabase(serverUrl, name);
  const db = await openPool({ connectionString: url, poolSize: 4 });
  try {
    await fn(db, url);
  } finally {
    await db.dispose();
    await admin.query(sql`drop database if exists ${sql.ident(name)} with (force)`);
    await admin.dispose();
  }
}

async function catalogFor(db: ConnectionPool, config: ResolvedConfig) {
  return introspect(db, catalogOptions(config));
}

async function main(): Promise<void> {
  const config = unwrapConfig(await loadConfig(path.join(root, 'tenantproof.config.ts')));
  const instance = 'bench';
  await stopEmbedded({ major: 18, stateRoot, instance }).catch(() => {});

  // ---- 2. gate time from a clean start (server not running) ----
  const gatePhases: Record<string, number[]> = { start: [], reset: [], catalog: [], lint: [], probes: [], report: [], total: [] };
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    const server = await startEmbedded({ major: 18, stateRoot, instance });
    const t1 = performance.now();
    const target = { projectRoot: root, serverUrl: server.url, database: 'tenantproof_bench_gate' };
    await resetDatabase(target);
    await applyCurrent(target, { once: true });
    const t2 = performance.now();
    const db = await openPool({ connectionString: withDatabase(server.url, target.database), poolSize: 4 });
    // 30 worlds, not the config's 100: five gates fit the bench's 10 minutes; probing time scales with worlds.
    const r = await checkIsolation(db, config, { seed: 1, runs: GATE_WORLDS, migrationsDir: path.join(root, 'migrations'), projectRoot: root });
    await db.dispose();
    const t3 = performance.now();
    writeJsonReport(path.join(stateRoot, 'bench-report'), r.report);
    const t4 = performance.now();
    await server.stop();
    if (i === 0) continue; // warm-up
    gatePhases.start!.push(t1 - t0);
    gatePhases.reset!.push(t2 - t1);
    gatePhases.catalog!.push(r.timings.catalog ?? 0);
    gatePhases.lint!.push(r.timings.lint ?? 0);
    gatePhases.probes!.push(r.timings.probes ?? 0);
    gatePhases.report!.push(t4 - t3);
    gatePhases.total!.push(t4 - t0);
    results.gateChecks = r.report.coverage.checks;
  }
  const gate = Object.fromEntries(Object.entries(gatePhases).map(([k, v]) => [k, stat(v)]));
  results.gate = gate;

  const server = await startEmbedded({ major: 18, stateRoot, instance });
  try {
    const [{ version }] = (await (async () => {
      const p = await openPool({ connectionString: server.url, poolSize: 1, warm: 1 });
      try {
        return await p.query(sql`select current_setting('server_version') as version`);
      } finally {
        await p.dispose();
      }
    })()) as [{ version: string }];
    results.machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, postgres: version, platform: `${process.platform}-${process.arch}` };

    // ---- 1. checks per second on the reference schema, against the baselines ----
    await resetDatabase({ projectRoot: root, serverUrl: server.url, database: 'tp_bench_template' });
    const admin = await openPool({ connectionString: server.url, poolSize: 1, warm: 1 });
    await admin.query(sql`drop database if exists tp_bench_template_shadow with (force)`);
    await admin.dispose();
    await database(server.url, 'tp_bench_ref', async (db) => {
      const catalog = await catalogFor(db, config);
      const ex = await engineContext(db, catalog, config);
      const shapes = shapesFor(ex, 40, 11);
      const engine = await repeat(RUNS, async () => (await engineThroughput(db, ex, shapes)).perSecond);
      const small = shapes.slice(0, 8);
      const roundTrip = await repeat(RUNS, async () => (await roundTripThroughput(db, ex, small)).perSecond);
      const perCase = await repeat(RUNS, async () => (await databasePerCaseThroughput(server.url, 'tp_bench_template', ex, shapes[0]!, 6)).perSecond);
      results.throughput = { engine, roundTrip, databasePerCase: perCase, ratioRoundTrip: engine.median / roundTrip.median, ratioDatabasePerCase: engine.median / perCase.median, relations: catalog.relations.filter((r) => r.tenancy).length, actors: config.actors.length };
    }, 'tp_bench_template');

    // ---- 3. watch latency (measured by bench/watch-latency.ts when it exists) ----
    const watchBench = path.join(root, 'bench', 'watch-latency.ts');
    if (existsSync(watchBench)) {
      try {
        const mod = (await import(watchBench)) as { measureWatchLatency?: (o: { edits: number }) => Promise<number[]> };
        if (mod.measureWatchLatency) results.watch = stat(await mod.measureWatchLatency({ edits: Math.max(5, RUNS) }));
      } catch (e) {
        results.watch = { error: (e as Error).message };
      }
    }

    // ---- 4. scaling: tenant tables x tenants per world ----
    const scaling: Array<{ tables: number; tenants: number; usPerCheck: Stat; checksPerSecond: Stat; peakRssMiB: number }> = [];
    for (const tables of [10, 50, 200]) {
      await database(server.url, `tp_bench_scale_${tables}`, async (db) => {
        await createSyntheticSchema(db, tables);
        for (const tenants of [2, 8, 32]) {
          const cfg = syntheticConfig(tenants);
          const catalog = await catalogFor(db, cfg);
          const ex = await engineContext(db, catalog, cfg);
          // About the same number of checks whatever the size: worlds shrink as tables grow.
          const worlds = Math.max(2, Math.round(60 / tables) * 2);
          const shapes = shapesFor(ex, worlds, 5, tenants);
          let peak = 0;
          const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
          const perCheck: number[] = [];
          const perSecond: number[] = [];
          for (let i = 0; i <= RUNS; i++) {
            const r = await engineThroughput(db, ex, shapes);
            if (i === 0) continue;
            perCheck.push((r.seconds * 1e6) / r.checks);
            perSecond.push(r.perSecond);
          }
          clearInterval(sampler);
          scaling.push({ tables, tenants, usPerCheck: stat(perCheck), checksPerSecond: stat(perSecond), peakRssMiB: Math.round(peak / 2 ** 20) });
        }
      });
    }
    results.scaling = scaling;

    // ---- 5. validators: SQL validations per second in a batch query ----
    const validators: Record<string, Stat> = {};
    await database(server.url, 'tp_bench_validators', async (db) => {
      await db.query(sql`create table inputs (v text)`);
      await db.query(sql`insert into inputs select lpad(((random() * 1e14)::bigint)::text, 14, '0') from generate_series(1, 200000)`);
      const lengths: Record<string, number> = { cpf: 11, cnpj: 14, abn: 11, acn: 9, tfn: 9 };
      for (const [id, len] of Object.entries(lengths)) {
        validators[id] = await repeat(RUNS, async () => {
          const t0 = performance.now();
          await db.query(sql`select count(*) filter (where ${sql.ident('validators', `is_valid_${id}`)}(left(v, ${len}))) from inputs`);
          return 200000 / ((performance.now() - t0) / 1000);
        });
      }
    }, 'tp_bench_template');
    results.validators = validators;
  } finally {
    await server.stop();
    await stopEmbedded({ major: 18, stateRoot, instance }).catch(() => {});
  }
  results.date = new Date().toISOString().slice(0, 10);
  writeFileSync(path.join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  print();
}

function print(): void {
  const m = results.machine as Record<string, unknown>;
  const t = results.throughput as { engine: Stat; roundTrip: Stat; databasePerCase: Stat; ratioRoundTrip: number; ratioDatabasePerCase: number; relations: number; actors: number };
  const g = results.gate as Record<string, Stat>;
  lines.push(`tenantproof bench, ${results.date as string}: ${m.cpus as number} CPUs (${m.cpu as string}), ${m.memoryGiB as number} GiB, Node ${m.node as string}, PostgreSQL ${m.postgres as string}; median (min-max) of ${RUNS} runs after a warm-up`, '', '| measure | value | note |', '| --- | --- | --- |');
  row('engine, checks/s (reference schema)', show(t.engine), `${t.relations} tenant relations x ${t.actors} actors, 40 worlds, 2 connections`);
  row('baseline (a) one statement per round trip, checks/s', show(t.roundTrip), `engine is ${fmt(t.ratioRoundTrip, 1)}x`);
  row('baseline (b) database per case, checks/s', show(t.databasePerCase, 1), `engine is ${fmt(t.ratioDatabasePerCase, 0)}x`);
  row('gate, clean start to written report', show(g.total!, 0, ' ms'), `${GATE_WORLDS} worlds, ${fmt(results.gateChecks as number)} checks`);
  for (const phase of ['start', 'reset', 'catalog', 'lint', 'probes', 'report']) row(`  gate: ${phase}`, show(g[phase]!, 0, ' ms'));
  const w = results.watch as Stat | { error: string } | undefined;
  row('watch: save to verdict', w && 'median' in w ? show(w, 0, ' ms') : `not measured${w && 'error' in w ? `: ${w.error}` : ''}`);
  for (const s of results.scaling as Array<{ tables: number; tenants: number; usPerCheck: Stat; checksPerSecond: Stat; peakRssMiB: number }>) {
    row(`scaling: ${s.tables} tables, ${s.tenants} tenants/world`, `${show(s.checksPerSecond)} checks/s`, `${fmt(s.usPerCheck.median, 1)} us/check, peak RSS ${s.peakRssMiB} MiB`);
  }
  for (const [id, s] of Object.entries(results.validators as Record<string, Stat>)) row(`validators: is_valid_${id}, validations/s`, show(s));
  console.log(lines.join('\n'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
