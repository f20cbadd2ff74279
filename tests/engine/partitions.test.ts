import { sql } from '@databases/pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../../src/config/schema.js';
import { checkIsolation } from '../../src/engine/isolation.js';
import type { PreparedRun } from '../../src/probes/prepare.js';
import { installRunner } from '../../src/probes/world-run.js';
import { victimViewName } from '../../src/probes/runner.js';
import { RUNNER_BINDINGS } from '../../src/probes/statements.js';
import type { TestDatabase } from '../support/database.js';
import { fixtureConfig, fixtureDatabase, outcomesOf, prepare, runOne, shape } from './support.js';

// A write to another tenant's row of a partitioned table goes through a view that names the row's
// partition key, and a read is bounded by the lowest and highest key of the table's rows, so that
// PostgreSQL initializes the partitions that matter, not every one. Whatever the keys (dates, NULL in
// a default partition, an empty string in a list partition of its own, infinity), every row is
// reached: a key the statement did not match would turn a leak into a pass.

let t: TestDatabase;
let config: ResolvedConfig;
let ex: PreparedRun;
beforeAll(async () => {
  t = await fixtureDatabase('partitions');
  config = await fixtureConfig('partitions');
  ex = await prepare(t, config);
});
afterAll(async () => t?.drop());

const world = () => shape(ex, { tenants: 2, rows: 2, seed: 3 });
const outcomes = (w: Awaited<ReturnType<typeof runOne>>, relation: string, probe: string) => outcomesOf(ex, w, relation, 'member', probe);

describe('writes through a partitioned table', () => {
  it('reach the row whatever its partition key: leaks are seen, the correct table holds', async () => {
    const cases: Array<{ name: string; after: string[] }> = [
      { name: 'generated keys', after: [] },
      {
        name: 'NULL keys (default partition)',
        after: ['update pt.leaky_events set day = null', 'update pt.leaky_labels set label = null', 'update pt.events set day = null', 'update pt.leaky_reads set day = null'],
      },
      {
        name: "'' keys and dates",
        after: [
          `update pt.leaky_labels set label = ''`,
          `update pt.leaky_events set day = '2025-03-05'`,
          `update pt.events set day = '2024-12-31'`,
          `update pt.leaky_reads set day = '2024-02-29'`,
        ],
      },
      {
        name: 'NULL, dated and infinite keys together',
        after: [`update pt.leaky_reads set day = case abs(hashtext(id::text)) % 3 when 0 then null when 1 then 'infinity'::date else '1999-01-01'::date end`],
      },
    ];
    for (const c of cases) {
      const w = await runOne(t, ex, world(), c.after);
      expect(outcomes(w, 'pt.leaky_events', 'update'), c.name).toContain('l');
      expect(outcomes(w, 'pt.leaky_events', 'delete'), c.name).toContain('l');
      expect(outcomes(w, 'pt.leaky_labels', 'update'), c.name).toContain('l');
      expect(outcomes(w, 'pt.leaky_reads', 'read'), c.name).toMatch(/^l+$/);
      for (const probe of ['update', 'delete', 'read']) {
        const held = outcomes(w, 'pt.events', probe);
        expect(held, `${c.name}: pt.events ${probe}`).toMatch(/^h+$/);
      }
    }
  });

  it('never pass on a row whose key has no exact text: it is no victim, the check has nothing to touch', async () => {
    // to_char cannot write an infinite date: the row cannot be named to the view, so it is not tried.
    const w = await runOne(t, ex, world(), ["update pt.leaky_events set day = 'infinity'"]);
    expect(outcomes(w, 'pt.leaky_events', 'update')).toMatch(/^e+$/);
    expect(outcomes(w, 'pt.leaky_labels', 'update')).toContain('l');
  });

  it('initialize the partition of the key (and the one that takes NULL keys), not all', async () => {
    const index = [...ex.plan.spec.victimViews].find(([, name]) => name === 'pt.leaky_events')?.[0];
    expect(index).toBeDefined();
    const plan = await t.db.task(async (conn) => {
      await installRunner(conn, ex);
      return conn.tx(async (tx) => {
        await tx.query(sql`select set_config('plan_cache_mode', 'force_generic_plan', true), set_config('tp.vrel', '0', true), set_config('tp.vrow', '(0,1)', true)`);
        await tx.query(sql`select set_config('tp.vk', ${'{2025-03-05}'}, true)`);
        const rows = await tx.query(sql.__dangerous__rawValue(`explain (costs off) update ${victimViewName(index!)} set body = body`));
        return rows.map((r) => String(r['QUERY PLAN'])).join('\n');
      });
    });
    // The default partition stays: a NULL key would be there (a table without one keeps a single partition).
    expect(plan).toContain('Subplans Removed: 1');
    expect(plan.match(/Scan on leaky_events_\w+/g)).toEqual(['Scan on leaky_events_2025', 'Scan on leaky_events_other']);
  });
});

describe('reads of a partitioned table', () => {
  it('keep the partitions between the lowest and highest key (and the one that takes NULL keys)', async () => {
    const r = ex.plan.cx.relation('pt.leaky_reads')!;
    // The runner's statement, its variables given as parameters: v_allowed, then the bounds.
    const text = ex.plan.spec.statements.read(r, RUNNER_BINDINGS)!;
    const bounds = [...new Set(text.match(/\bv_k[lh]\d+_\d+\b/g) ?? [])];
    expect(bounds).toHaveLength(2);
    const prepared = bounds.reduce((q, v, i) => q.replaceAll(v, `$${i + 2}::date`), text.replaceAll('v_allowed', '$1::text[]'));
    const plan = await t.db.task(async (conn) => {
      await installRunner(conn, ex);
      return conn.tx(async (tx) => {
        await tx.query(sql`select set_config('plan_cache_mode', 'force_generic_plan', true)`);
        await tx.query(sql.__dangerous__rawValue(`prepare tp_bounded as ${prepared}`));
        const rows = await tx.query(sql.__dangerous__rawValue(`explain (costs off) execute tp_bounded('{}', '2025-02-01', '2025-03-01')`));
        return rows.map((x) => String(x['QUERY PLAN'])).join('\n');
      });
    });
    expect(plan).toContain('Subplans Removed: 1');
    expect(plan.match(/Scan on leaky_reads_\w+/g)).toEqual(['Scan on leaky_reads_2025', 'Scan on leaky_reads_other']);
  });
});

describe('a run on partitioned tables', () => {
  it('reports the planted writes and not the correct table', async () => {
    const r = await checkIsolation(t.db, config, { runs: 6, seed: 2, lint: false });
    const found = new Set(r.report.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.relation}`));
    expect(found).toContain('probe-update pt.leaky_events');
    expect(found).toContain('probe-delete pt.leaky_events');
    expect(found).toContain('probe-update pt.leaky_labels');
    expect(found).toContain('probe-read pt.leaky_reads');
    expect([...found].filter((f) => f.endsWith(' pt.events'))).toEqual([]);
  });
});
