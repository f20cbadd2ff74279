import path from 'node:path';
import { openPool } from '../db/pool.js';
import { withDatabase } from '../db/server.js';
import { checkIsolation, type IsolationOptions, type IsolationResult } from '../engine/isolation.js';
import { applyCurrent, resetDatabase } from '../migrate/index.js';
import { writeJsonReport } from '../report/json.js';
import { withServer, type CommandContext } from './context.js';
import { resolveConfig } from './isolation-config.js';

export interface GateOptions {
  runs?: number | undefined;
  seed?: number | undefined;
  reportDir?: string | undefined;
  config?: string | undefined;
  lint?: boolean | undefined;
  probes?: boolean | undefined;
  onProgress?: IsolationOptions['onProgress'];
  signal?: AbortSignal | undefined;
}

export interface GateResult extends IsolationResult {
  reportFile: string;
  passed: boolean;
}

/**
 * The gate: a fresh database from the committed migrations and current.sql,
 * then lint and probes, then the report. Exit 0 when no error-level finding.
 */
export async function gate(ctx: CommandContext, o: GateOptions = {}): Promise<GateResult> {
  const { config } = await resolveConfig(ctx.projectRoot, o.config);
  return withServer(ctx, async (server) => {
    ctx.log('reset: committed migrations and current.sql, on a fresh database');
    const target = { projectRoot: ctx.projectRoot, serverUrl: server.url, database: 'tenantproof_gate' };
    await resetDatabase(target);
    await applyCurrent(target, { once: true });
    const db = await openPool({ connectionString: withDatabase(server.url, target.database), poolSize: 4 });
    try {
      const result = await checkIsolation(db, config, {
        lint: o.lint,
        probes: o.probes,
        ...(o.runs !== undefined ? { runs: o.runs } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        migrationsDir: path.join(ctx.projectRoot, config.migrationsDir),
        projectRoot: ctx.projectRoot,
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      const reportFile = writeJsonReport(path.resolve(ctx.projectRoot, o.reportDir ?? 'reports'), result.report);
      return { ...result, reportFile, passed: result.report.verdict === 'pass' };
    } finally {
      await db.dispose();
    }
  });
}
