import path from 'node:path';
import { openPool } from '../db/pool.js';
import type { IsolationOptions } from '../engine/isolation.js';
import { commandContext, projectWithConfig } from './context.js';
import { needBypass, type GateResult } from './gate.js';
import { runIsolation } from './pipeline.js';

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
 * objects are temporary, so the database is left exactly as found. The
 * project's migration source, if any, only gives findings their file:line.
 */
export async function check(o: CheckOptions): Promise<GateResult> {
  const cwd = o.cwd ?? process.cwd();
  const ctx = commandContext({ cwd, config: o.config });
  const { config, configFile, source } = await projectWithConfig(ctx);
  const db = await openPool({ connectionString: o.databaseUrl, poolSize: 4 });
  try {
    if (o.probes !== false) await needBypass(db, 'check-needs-superuser');
    return await runIsolation(db, config, configFile, { projectRoot: cwd, source }, { ...o, reportDir: path.resolve(cwd, o.reportDir ?? 'reports'), replayCommand: 'check' });
  } finally {
    await db.dispose();
  }
}
