import path from 'node:path';
import { sql } from '@databases/pg';
import { openPool } from '../db/pool.js';
import { checkIsolation, type IsolationOptions } from '../engine/isolation.js';
import { TenantproofError } from '../errors.js';
import { emitReports } from '../report/emit.js';
import type { GateResult } from './gate.js';
import { resolveConfig } from './isolation-config.js';

export interface CheckOptions {
  databaseUrl: string;
  cwd?: string | undefined;
  config?: string | undefined;
  reportDir?: string | undefined;
  runs?: number | undefined;
  seed?: number | undefined;
  lint?: boolean | undefined;
  probes?: boolean | undefined;
  onProgress?: IsolationOptions['onProgress'];
  signal?: AbortSignal | undefined;
}

/**
 * Lint and probes on an existing database, without migrating or resetting.
 * Every world lives in a transaction that is rolled back and the runner's
 * objects are temporary, so the database is left exactly as found.
 */
export async function check(o: CheckOptions): Promise<GateResult> {
  const cwd = o.cwd ?? process.cwd();
  const { config, file: configFile } = await resolveConfig(cwd, o.config);
  const db = await openPool({ connectionString: o.databaseUrl, poolSize: 4 });
  try {
    // The judge reads every tenant's rows: it must not be subject to row level security itself.
    const [me] = await db.query(sql`select rolsuper or rolbypassrls as ok, current_user as name from pg_roles where rolname = current_user`);
    if (o.probes !== false && !me?.ok) {
      throw new TenantproofError(
        'check-needs-bypass',
        `the probes need a connection that sees every tenant's rows, and ${String(me?.name)} is neither a superuser nor BYPASSRLS`,
        'connect as a superuser or a role with BYPASSRLS (the probes switch to each actor role themselves), or run with --no-probes for the static lint only',
      );
    }
    const result = await checkIsolation(db, config, {
      lint: o.lint,
      probes: o.probes,
      ...(o.runs !== undefined ? { runs: o.runs } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      migrationsDir: path.resolve(cwd, config.migrationsDir),
      projectRoot: cwd,
      replayCommand: 'check',
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const reportFile = await emitReports(path.resolve(cwd, o.reportDir ?? 'reports'), result, {
      projectRoot: cwd,
      migrationsDir: path.resolve(cwd, config.migrationsDir),
      configFile,
      runs: o.runs ?? config.probes.runs,
    });
    return { ...result, reportFile, passed: result.report.verdict === 'pass' };
  } finally {
    await db.dispose();
  }
}
