import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '@databases/pg';
import type { PreparedRun } from '../../src/probes/prepare.js';
import { installRunner, prepareWorld, runWorld, worldSession, type WorldOutcome } from '../../src/probes/world-run.js';
import type { TestDatabase } from '../support/database.js';
import { introspect } from '../../src/catalog/introspect.js';
import { catalogOptions } from '../../src/catalog/options.js';
import type { ResolvedConfig } from '../../src/config/schema.js';
import { prepareRun } from '../../src/probes/prepare.js';
import { resolveTenancy } from '../../src/tenancy/model.js';
import { fixtureConfig, fixtureDatabase, prepare, shape } from './support.js';

// The worlds of one connection share one transaction, each world a subtransaction rolled back: no
// world may see another's rows, a world the database refuses must not take the next ones down, and
// nothing may be left when the session ends.

let t: TestDatabase;
let ex: PreparedRun;
let config: ResolvedConfig;
beforeAll(async () => {
  t = await fixtureDatabase('verdicts');
  config = await fixtureConfig('verdicts');
  ex = await prepare(t, config);
});
afterAll(async () => t?.drop());

// A victim's ctid says where its row lay on disk, which depends on the worlds before it.
const seen = (w: WorldOutcome) => ({ outcomes: w.outcomes, notes: w.notes.map((n) => n.replace(/\|\(\d+,\d+\)\|/, '|(ctid)|')).sort() });
const tenants = async (q: { query: typeof t.db.query }) => Number((await q.query(sql`select count(*)::int as n from vd.tenants`))[0]!.n);

describe('a world session', () => {
  it('gives each world the outcomes it has in a transaction of its own, also after a world that failed', async () => {
    const shapes = [1, 2, 3].map((seed) => shape(ex, { seed, tenants: 2 + (seed % 2), rows: 2 }));
    const alone = await t.db.task(async (conn) => {
      await installRunner(conn, ex);
      const out: WorldOutcome[] = [];
      for (const s of shapes) out.push(await runWorld(conn, ex, s));
      return out;
    });
    expect(alone.every((w) => w.outcomes.includes('h'))).toBe(true);

    await t.db.task(async (conn) => {
      await installRunner(conn, ex);
      const session = worldSession(conn, ex);
      let called = 0;
      const ahead = () => void called++;
      const first = await session.run(prepareWorld(ex, shapes[0]!), ahead);
      // The world's rows went with its subtransaction: the shared transaction holds none of them.
      expect(await tenants(conn)).toBe(0);
      // A world whose statement fails: the session rolls back and the world runs row by row.
      const broken = prepareWorld(ex, shapes[1]!);
      const second = await session.run({ ...broken, writes: [...broken.writes, 'select 1 / 0'] }, ahead);
      const third = await session.run(prepareWorld(ex, shapes[2]!), ahead);
      const again = await session.run(prepareWorld(ex, shapes[0]!), ahead);
      await session.close();
      expect(called).toBe(4);
      expect([first, second, third, again].map(seen)).toEqual([alone[0]!, alone[1]!, alone[2]!, alone[0]!].map(seen));
      expect(await tenants(conn)).toBe(0);
    });
    expect(await tenants(t.db)).toBe(0);
  });
});

describe('a connection that runs runners of several shapes', () => {
  it('keeps one compiled runner, not one per shape it ever ran', async () => {
    // watch probes what each save touched: another runner on the same pooled connections every time.
    // A runner dropped and created anew (another oid) left PL/pgSQL's compiled copy and its thousands
    // of cached plans behind, for good: the backend grew ~50 MB and each save got slower.
    const catalog = await introspect(t.db, catalogOptions(config));
    const model = resolveTenancy(catalog, config);
    const part = await prepareRun(t.db, catalog, config, model, new Set(['vd.parents', 'vd.ok_docs']));
    expect(part.plan.checks.length).toBeLessThan(ex.plan.checks.length);
    const s = shape(ex, { seed: 4, tenants: 2, rows: 1 });
    const compiled = await t.db.task(async (conn) => {
      for (const run of [ex, part, ex, part, ex]) {
        await installRunner(conn, run);
        await runWorld(conn, run, s);
      }
      const rows = await conn.query(sql`select count(*)::int as n from pg_backend_memory_contexts where name = 'PL/pgSQL function' and ident like '%tp_run(%'`);
      return rows[0]!.n as number;
    });
    expect(compiled).toBe(1);
  });
});
