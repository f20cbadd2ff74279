import path from 'node:path';
import { sql } from '@databases/pg';
import { openPool } from '../db/pool.js';
import { withDatabase } from '../db/server.js';
import type { IsolationOptions } from '../engine/isolation.js';
import { TenantproofError } from '../errors.js';
import type { Shard } from '../report/merge.js';
import { devDatabase, projectWithConfig, withServer, type CommandContext } from './context.js';
import { runIsolation, type IsolationRun } from './pipeline.js';

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

export type GateResult = IsolationRun;

/**
 * The gate: a fresh database built by the project's migration source (every
 * migration and the working one), then lint and probes, then the report.
 * With no migrations (source none) it checks the development database as it
 * is. Exit 0 when no error-level finding.
 */
export async function gate(ctx: CommandContext, o: GateOptions = {}): Promise<GateResult> {
  const { config, configFile, source } = await projectWithConfig(ctx, o.config);
  if (o.shard && (o.probes === false || (o.seed ?? config.probes.seed) === undefined)) {
    throw new TenantproofError(
      'shard-needs-seed',
      o.probes === false ? 'a shard splits the probes\' worlds, and --no-probes runs none' : 'every shard must sample the same worlds, and no seed is fixed',
      o.probes === false ? 'drop --shard for a lint-only run' : 'pass the same --seed to every shard, or set probes.seed in the config',
    );
  }
  return withServer(ctx, async (server) => {
    const database = source.existing ? devDatabase(ctx) : 'tenantproof_gate';
    const target = { projectRoot: ctx.projectRoot, serverUrl: server.url, database, log: ctx.log };
    if (source.existing) ctx.log(`checking ${database} as it is (${source.description})`);
    else {
      ctx.log(`building ${database} from ${source.description}`);
      await source.build(target);
    }
    const db = await openPool({ connectionString: withDatabase(server.url, database), poolSize: 4 });
    try {
      if (source.existing && o.probes !== false) await needBypass(db, 'gate-needs-superuser');
      return await runIsolation(db, config, configFile, { projectRoot: ctx.projectRoot, source }, { ...o, reportDir: path.resolve(ctx.projectRoot, o.reportDir ?? 'reports') });
    } finally {
      await db.dispose();
    }
  });
}

/** The probes judge what an actor saw against every tenant's rows: the connection must not be subject to row level security. */
export async function needBypass(db: { query: (q: ReturnType<typeof sql>) => Promise<Array<Record<string, unknown>>> }, code: string): Promise<void> {
  // The judge reads every tenant's rows, and each check logs in as the application's login
  // (SET SESSION AUTHORIZATION): only a superuser may do both.
  const [me] = await db.query(sql`select rolsuper as ok, current_user as name from pg_roles where rolname = current_user`);
  if (!me?.ok) {
    throw new TenantproofError(
      code,
      `the probes need a superuser connection (they read every tenant's rows and log in as each actor's login), and ${String(me?.name)} is not one`,
      'connect as a superuser (the probes switch to each actor and login themselves), or run with --no-probes for the static lint only',
    );
  }
}
