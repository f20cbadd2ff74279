/**
 * Checks per second on one schema: the engine as shipped against the ways
 * people test RLS today, over the same worlds.
 *   (a) a hand-written suite's checks (bench/suite.ts), each sent as a Node test
 *       suite sends it: savepoint, role, context, statement, rollback to savepoint,
 *       one round trip each;
 *   (b) the same checks, each in a fresh database cloned from a template, its world written.
 * The pgTAP suite is the third way (pgtap/compare.ts): it needs its own server.
 */
import { randomBytes } from 'node:crypto';
import { sql, type ConnectionPool, type Transaction } from '@databases/pg';
import type { ResolvedConfig } from '../src/config/schema.js';
import { rolledBack } from '../src/db/rolled-back.js';
import { openPool } from '../src/db/pool.js';
import { withDatabase } from '../src/db/server.js';
import type { WorldShape } from '../src/world/build.js';
import { runEngine, type Worlds } from './engine-api.js';
import type { Check, Suite } from './suite.js';

export interface Throughput {
  checks: number;
  seconds: number;
  perSecond: number;
}

const timed = async (checks: number, fn: () => Promise<void>): Promise<Throughput> => {
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  return { checks, seconds, perSecond: checks / seconds };
};

/** The engine: `worlds` worlds of `seed` through checkIsolation (probes only), timed by its probes phase. */
export async function engineThroughput(db: ConnectionPool, config: ResolvedConfig, worlds: number, seed: number): Promise<Throughput> {
  const r = await runEngine(db, config, { runs: worlds, seed });
  if (r.verdict !== 'pass') throw new Error(`the engine found ${r.failingCells} failing cells on a schema that should pass: the figure would not be a clean run`);
  return { checks: r.checks, seconds: r.probeSeconds, perSecond: r.checks / r.probeSeconds };
}

/** One check, one round trip per statement; true when it came out as a correct schema's should. */
async function runCheck(tx: Transaction, enter: readonly string[], c: Check): Promise<boolean> {
  await tx.query(sql`savepoint bench_check`);
  try {
    for (const s of enter) await tx.query(sql.__dangerous__rawValue(s));
    const rows = await tx.query(sql.__dangerous__rawValue(c.statement));
    if (c.expect === 'zero') return Number(Object.values(rows[0] ?? {})[0]) === 0;
    return c.expect === 'empty' && rows.length === 0;
  } catch (e) {
    return c.expect === 'refused' && (e as { code?: string }).code === '42501';
  } finally {
    await tx.query(sql`rollback to savepoint bench_check`);
  }
}

const clean = (wrong: number, of: number, what: string) => {
  if (wrong > 0) throw new Error(`${wrong} of ${of} hand-written checks (${what}) did not come out as on a correct schema: the baseline would not be doing the same work`);
};

/** Baseline (a): every check of the suite over its committed fixture, one statement per round trip. */
export async function roundTripThroughput(db: ConnectionPool, suite: Suite): Promise<Throughput> {
  let wrong = 0;
  const t = await timed(suite.checks, () =>
    rolledBack(db, async (tx) => {
      for (const g of suite.groups) for (const c of g.checks) if (!(await runCheck(tx, g.enter, c))) wrong++;
    }),
  );
  clean(wrong, suite.checks, 'one statement per round trip');
  return t;
}

/**
 * Baseline (b): each check in a database of its own, cloned from the migrated
 * template, its world written into it. Measured on the first `maxCases`
 * checks of the suite's first world (each costs a CREATE DATABASE).
 */
export async function databasePerCaseThroughput(serverUrl: string, template: string, worlds: Worlds, shape: WorldShape, suite: Suite, maxCases: number): Promise<Throughput> {
  const cases = suite.groups
    .filter((g) => g.world === 0)
    .flatMap((g) => g.checks.map((c) => ({ enter: g.enter, check: c })))
    .slice(0, maxCases);
  const admin = await openPool({ connectionString: serverUrl, poolSize: 1, warm: 1 });
  let wrong = 0;
  try {
    return await timed(cases.length, async () => {
      for (const { enter, check } of cases) {
        const name = `tp_bench_case_${randomBytes(4).toString('hex')}`;
        await admin.query(sql`create database ${sql.ident(name)} template ${sql.ident(template)}`);
        try {
          const db = await openPool({ connectionString: withDatabase(serverUrl, name), poolSize: 1, warm: 1 });
          try {
            const ok = await rolledBack(db, async (tx) => {
              await worlds.write(tx, shape);
              return runCheck(tx, enter, check);
            });
            if (!ok) wrong++;
          } finally {
            await db.dispose();
          }
        } finally {
          await admin.query(sql`drop database ${sql.ident(name)} with (force)`);
        }
      }
    });
  } finally {
    await admin.dispose();
    clean(wrong, cases.length, 'a database per case');
  }
}
