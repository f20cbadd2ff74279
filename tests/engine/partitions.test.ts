import { sql } from '@databases/pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../../src/config/schema.js';
import { checkIsolation } from '../../src/engine/isolation.js';
import type { PreparedRun } from '../../src/probes/prepare.js';
import { installRunner } from '../../src/probes/world-run.js';
import { victimViewName } from '../../src/probes/runner.js';
import type { TestDatabase } from '../support/database.js';
import { fixtureConfig, fixtureDatabase, outcomesOf, prepare, runOne, shape } from './support.js';

// A write to another tenant's row of a partitioned table goes through a view that names the row's
// partition key, so that PostgreSQL initializes one partition, not every one. Whatever the key (a date,
// NULL in a default partition, an empty string in a list partition of its own), the row is reached:
// a key the view did not match would turn a leak into a pass.

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
const writes = (w: Awaited<ReturnType<typeof runOne>>, relation: string, probe: string) => outcomesOf(ex, w, relation, 'member', probe);

describe('writes through a partitioned table', () => {
  it('reach the row whatever its partition key: leaks are seen, the correct table holds', async () => {
    const cases: Array<{ name: string; after: string[] }> = [
      { name: 'generated keys', after: [] },
      { name: 'NULL keys (default partition)', after: ['update pt.leaky_events set day = null', 'update pt.leaky_labels set label = null', 'update pt.events set day = null'] },
      { name: "'' keys and dates", after: [`update pt.leaky_labels set label = ''`, `update pt.leaky_events set day = '2025-03-05'`, `update pt.events set day = '2024-12-31'`] },
    ];
    for (const c of cases) {
      const w = await runOne(t, ex, world(), c.after);
      expect(writes(w, 'pt.leaky_events', 'update'), c.name).toContain('l');
      expect(writes(w, 'pt.leaky_events', 'delete'), c.name).toContain('l');
      expect(writes(w, 'pt.leaky_labels', 'update'), c.name).toContain('l');
      for (const probe of ['update', 'delete']) {
        const held = writes(w, 'pt.events', probe);
        expect(held, `${c.name}: pt.events ${probe}`).toMatch(/^h+$/);
      }
    }
  });

  it('never pass on a row whose key has no exact text: it is no victim, the check has nothing to touch', async () => {
    // to_char cannot write an infinite date: the row cannot be named to the view, so it is not tried.
    const w = await runOne(t, ex, world(), ["update pt.leaky_events set day = 'infinity'"]);
    expect(writes(w, 'pt.leaky_events', 'update')).toMatch(/^e+$/);
    expect(writes(w, 'pt.leaky_labels', 'update')).toContain('l');
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

describe('a run on partitioned tables', () => {
  it('reports the planted writes and not the correct table', async () => {
    const r = await checkIsolation(t.db, config, { runs: 6, seed: 2, lint: false });
    const found = new Set(r.report.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.relation}`));
    expect(found).toContain('probe-update pt.leaky_events');
    expect(found).toContain('probe-delete pt.leaky_events');
    expect(found).toContain('probe-update pt.leaky_labels');
    expect([...found].filter((f) => f.endsWith(' pt.events'))).toEqual([]);
  });
});
