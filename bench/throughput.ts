/**
 * Checks per second on one schema: the engine as shipped against the ways
 * people test RLS today, on the same worlds and the same checks (a check is
 * one relation x actor x probe on one world, whatever its outcome).
 *   (a) one statement per round trip in a rolled-back transaction (hand-written suites);
 *   (b) a fresh database per case, cloned from a template (per-test-database harnesses).
 * The pgTAP suite is the third way (pgtap/compare.ts): it needs its own server.
 */
import { randomBytes } from 'node:crypto';
import { sql, type ConnectionPool } from '@databases/pg';
import type { ResolvedConfig } from '../src/config/schema.js';
import { rolledBack } from '../src/db/rolled-back.js';
import { openPool } from '../src/db/pool.js';
import { withDatabase } from '../src/db/server.js';
import { runEngine, type Worlds } from './engine-api.js';
import type { WorldShape } from '../src/world/build.js';

export interface Throughput {
  checks: number;
  seconds: number;
  perSecond: number;
}

/** The engine: `worlds` worlds of `seed` through checkIsolation (probes only), timed by its probes phase. */
export async function engineThroughput(db: ConnectionPool, config: ResolvedConfig, worlds: number, seed: number): Promise<Throughput> {
  const r = await runEngine(db, config, { runs: worlds, seed });
  if (r.verdict !== 'pass') throw new Error(`the engine found ${r.failingCells} failing cells on a schema that should pass: the figure would not be a clean run`);
  return { checks: r.checks, seconds: r.probeSeconds, perSecond: r.checks / r.probeSeconds };
}

/** Baseline (a): the engine's first worlds and their checks, one statement per round trip. */
export async function roundTripThroughput(db: ConnectionPool, worlds: Worlds, shapes: WorldShape[]): Promise<Throughput> {
  let checks = 0;
  const t0 = performance.now();
  for (const shape of shapes) checks += await rolledBack(db, (tx) => worlds.roundTrips(tx, shape));
  const seconds = (performance.now() - t0) / 1000;
  return { checks, seconds, perSecond: checks / seconds };
}

/**
 * Baseline (b): each check in a database of its own, cloned from a migrated
 * template, its world written into it. Measured on the first `maxCases`
 * checks of a world (each costs a CREATE DATABASE).
 */
export async function databasePerCaseThroughput(serverUrl: string, template: string, worlds: Worlds, shape: WorldShape, maxCases: number): Promise<Throughput> {
  const admin = await openPool({ connectionString: serverUrl, poolSize: 1, warm: 1 });
  const cases = worlds.cases(shape).slice(0, maxCases);
  const t0 = performance.now();
  try {
    for (const c of cases) {
      const name = `tp_bench_case_${randomBytes(4).toString('hex')}`;
      await admin.query(sql`create database ${sql.ident(name)} template ${sql.ident(template)}`);
      try {
        const db = await openPool({ connectionString: withDatabase(serverUrl, name), poolSize: 1, warm: 1 });
        try {
          await rolledBack(db, (tx) => worlds.runCase(tx, shape, c));
        } finally {
          await db.dispose();
        }
      } finally {
        await admin.query(sql`drop database ${sql.ident(name)} with (force)`);
      }
    }
  } finally {
    await admin.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { checks: cases.length, seconds, perSecond: cases.length / seconds };
}
