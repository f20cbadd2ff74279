import path from 'node:path';
import { openPool } from '../db/pool.js';
import { withDatabase } from '../db/server.js';
import { checkIsolation, type IsolationOptions, type IsolationResult } from '../engine/isolation.js';
import { applyCurrent, resetDatabase } from '../migrate/index.js';
import { TenantproofError } from '../errors.js';
import { emitReports } from '../report/emit.js';
import type { Shard } from '../report/merge.js';
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
  /** Probe one shard of the worlds and write its partial report (`report --merge` joins them). */
  shard?: Shard | undefined;
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
  const { config, file: configFile } = await resolveConfig(ctx.projectRoot, o.config);
  if (o.shard && (o.probes === false || (o.seed ?? config.probes.seed) === undefined)) {
    throw new TenantproofError(
      'shard-needs-seed',
      o.probes === false ? 'a shard splits the probes\' worlds, and --no-probes runs none' : 'every shard must sample the same worlds, and no seed is fixed',
      o.probes === false ? 'drop --shard for a lint-only run' : 'pass the same --seed to every shard, or set probes.seed in the config',
    );
  }
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
        ...(o.shard ? { shard: o.shard } : {}),
      });
      const reportFile = await emitReports(path.resolve(ctx.projectRoot, o.reportDir ?? 'reports'), result, {
        projectRoot: ctx.projectRoot,
        migrationsDir: path.join(ctx.projectRoot, config.migrationsDir),
        configFile,
        runs: o.runs ?? config.probes.runs,
        shard: o.shard,
      });
      return { ...result, reportFile, passed: result.report.verdict === 'pass' };
    } finally {
      await db.dispose();
    }
  });
}
