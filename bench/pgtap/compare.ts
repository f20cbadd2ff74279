/**
 * The pgTAP row: the engine and a pgTAP suite of the same isolation checks,
 * on the same server (Debian's PostgreSQL 15, which has the extension; the
 * embedded npm server has none), the same schema and actors, 3 tenants per
 * world, timed in alternation so that load on the machine hits both alike.
 *
 *   - the engine: checkIsolation (probes only) on 3-tenant worlds;
 *   - pgTAP, one file, run by pg_prove;
 *   - pgTAP split into 10 files, run by pg_prove -j2 (the fastest setup measured on 2 cores).
 *
 * The suite reads the engine's worlds (the same seed and count), committed
 * beforehand as a team's fixture: its setup is not timed, while the engine's
 * time includes writing each of its worlds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from '@databases/pg';
import { introspect } from '../../src/catalog/introspect.js';
import { catalogOptions } from '../../src/catalog/options.js';
import type { ResolvedConfig } from '../../src/config/schema.js';
import { openPool } from '../../src/db/pool.js';
import { withDatabase } from '../../src/db/server.js';
import { resetDatabase } from '../../src/migrate/index.js';
import { engineWorlds, runEngine, withTenantsPerWorld } from '../engine-api.js';
import { stat, type Stat } from '../stats.js';
import { ensurePgTap, PG_MAJOR } from './install.js';
import { prove } from './prove.js';
import { startTempServer } from './server.js';
import { buildSuite, commitFixture } from '../suite.js';
import { suiteFiles } from './files.js';

export const SPLIT_FILES = 10;
export const SPLIT_JOBS = 2;
const TENANTS = 3;

export type PgTapResult =
  | { skipped: string }
  | {
      server: string;
      pgtap: string;
      installed: string[];
      relations: number;
      suiteChecks: number;
      skippedRelations: string[];
      engine: Stat;
      engineChecksPerWorld: number;
      singleFile: Stat;
      split: Stat;
      ratioSplit: number;
      ratioSingle: number;
    };

export async function comparePgTap(o: {
  projectRoot: string;
  config: ResolvedConfig;
  runs: number;
  worlds: number;
  seed: number;
  log: (line: string) => void;
}): Promise<PgTapResult> {
  const installation = ensurePgTap(o.log);
  if (!installation.ok) return { skipped: installation.reason };
  const { tools } = installation;
  const config = withTenantsPerWorld(o.config, TENANTS);
  const server = await startTempServer(tools.bin);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tenantproof-pgtap-suite-'));
  try {
    o.log(`pgTAP: PostgreSQL ${PG_MAJOR} on port ${server.port}, migrating the schema`);
    await resetDatabase({ projectRoot: o.projectRoot, serverUrl: server.url, database: 'tp_bench_engine' });
    const admin = await openPool({ connectionString: server.url, poolSize: 1, warm: 1 });
    const [{ version }] = (await admin.query(sql`select current_setting('server_version') as version`)) as [{ version: string }];
    await admin.query(sql`create database tp_bench_pgtap template tp_bench_engine`);
    await admin.dispose();
    const engineDb = await openPool({ connectionString: withDatabase(server.url, 'tp_bench_engine'), poolSize: 4 });
    const tapDb = await openPool({ connectionString: withDatabase(server.url, 'tp_bench_pgtap'), poolSize: 2 });
    try {
      // The suite's fixture: the worlds the engine runs (same seed, same count), committed.
      await tapDb.query(sql`create extension pgtap`);
      const catalog = await introspect(tapDb, catalogOptions(config));
      const tenants = await commitFixture(tapDb, await engineWorlds(tapDb, catalog, config), o.worlds, o.seed);
      const suite = await buildSuite(tapDb, catalog, config, tenants);
      const write = (name: string, files: string[]) =>
        files.map((text, i) => {
          const file = path.join(dir, `${name}-${String(i + 1).padStart(2, '0')}.sql`);
          writeFileSync(file, text);
          return file;
        });
      const single = write('single', suiteFiles(suite, 1));
      const split = write('split', suiteFiles(suite, SPLIT_FILES));
      const runSuite = async (files: string[], jobs: number) => {
        const r = await prove(tools.pgProve, { port: server.port, database: 'tp_bench_pgtap', files, jobs });
        if (!r.ok || r.tests !== suite.checks) throw new Error(`the pgTAP suite did not pass cleanly (${r.tests} of ${suite.checks} tests ran):\n${r.output}`);
        return suite.checks / r.seconds;
      };
      const engine: number[] = [];
      const singleFile: number[] = [];
      const splitRuns: number[] = [];
      let perWorld = 0;
      for (let i = 0; i <= o.runs; i++) {
        o.log(`pgTAP: round ${i}/${o.runs}${i === 0 ? ' (warm-up)' : ''}`);
        const e = await runEngine(engineDb, config, { runs: o.worlds, seed: o.seed });
        const s = await runSuite(single, 1);
        const j = await runSuite(split, SPLIT_JOBS);
        if (i === 0) continue;
        engine.push(e.checks / e.probeSeconds);
        perWorld = e.checks / e.worlds;
        singleFile.push(s);
        splitRuns.push(j);
      }
      const result = { engine: stat(engine), singleFile: stat(singleFile), split: stat(splitRuns) };
      return {
        server: `PostgreSQL ${version} (Debian package postgresql-${PG_MAJOR})`,
        pgtap: tools.pgtapVersion,
        installed: tools.installed,
        relations: suite.relations,
        suiteChecks: suite.checks,
        skippedRelations: suite.skipped,
        engineChecksPerWorld: Math.round(perWorld),
        ...result,
        ratioSplit: result.engine.median / result.split.median,
        ratioSingle: result.engine.median / result.singleFile.median,
      };
    } finally {
      await engineDb.dispose();
      await tapDb.dispose();
    }
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
