/**
 * The reference application's demo data: `npm run db:seed` (this file run
 * directly) loads several tenants of realistic rows into the development
 * database. It belongs to the reference schema (its tables, its factories),
 * not to the tool, so it is no tenantproof command.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { sql } from '@databases/pg';
import { TenantproofError, commandContext, devDatabase, formatError, isTenantproofError, openPool, withDatabase, withServer, type CommandContext } from 'tenantproof';

export interface SeedOptions {
  /** How many tenants (default 4). */
  tenants?: number | undefined;
  /** The faker seed: the same seed loads the same rows (default 2026). */
  seed?: number | undefined;
}

export interface SeedResult {
  database: string;
  tenants: number;
  /** Rows inserted per table by this run (0 everywhere on a second run). */
  inserted: Record<string, number>;
  /** Rows the dataset holds, inserted now or by an earlier run. */
  rows: number;
}

/** Rows of each tenant table per tenant: a small company's worth. */
export const DEMO_SHAPE: Readonly<Record<string, number>> = {
  'app.users': 25,
  'app.documents': 40,
  'app.tenant_api_keys': 3,
  'app.tenant_configs': 1,
  'app.projects': 12,
  'app.photos': 150,
  'app.detections': 300,
  'app.tags': 20,
  'app.photo_tags': 250,
  'app.companies': 10,
  'app.user_companies': 30,
  'app.user_invitations': 15,
  'app.email_verification_tokens': 20,
  'app.password_reset_tokens': 10,
  'app.clients': 120,
  'app.user_agent_permissions': 40,
  'config.app_setting_overrides': 3,
  'cache.abr_search': 15,
  'log.api_requests': 300,
  'log.auth_events': 150,
  'log.application_errors': 30,
  'log.email_deliveries': 60,
};

/**
 * Loads a realistic demo dataset into the development database, as the
 * server's privileged role. Ids and values come from the seed, and rows that
 * exist already are skipped (ON CONFLICT DO NOTHING): running it twice adds
 * nothing. The audit trail records the rows as the triggers see them.
 */
export async function dbSeed(ctx: CommandContext, o: SeedOptions = {}): Promise<SeedResult> {
  // faker and the factories are development tools: loaded only by this command.
  const { buildWorld, insertWorld, loadGlobalRows, TABLE_ORDER } = await import('../factories/index.js');
  const tenants = o.tenants ?? 4;
  const database = devDatabase(ctx);
  return withServer(ctx, async (server) => {
    const db = await openPool({ connectionString: withDatabase(server.url, database), poolSize: 1, warm: 1 });
    try {
      const [present] = await db.query(sql`select array_agg(t) filter (where to_regclass(t) is null) as missing from unnest(${[...TABLE_ORDER]}::text[]) t`);
      const missing = (present?.missing as string[] | null) ?? [];
      if (missing.length > 0) {
        throw new TenantproofError(
          'schema-missing',
          `the database ${database} lacks the reference schema (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? `, and ${missing.length - 3} more` : ''})`,
          'build it first: `npm run db:reset`, then apply current.sql with `npm run db:watch` (Ctrl-C once it has run)',
        );
      }
      const existing = await loadGlobalRows(db);
      const world = buildWorld(o.seed ?? 2026, { tenants: Array.from({ length: tenants }, () => ({ ...DEMO_SHAPE })) }, { existing });
      ctx.log(`seed: ${tenants} tenants, ${Object.values(world.rows).reduce((a, r) => a + r.length, 0)} rows into ${database}`);
      const inserted = await db.tx((tx) => insertWorld(tx, world, { skipExisting: true }));
      return { database, tenants, inserted, rows: Object.values(world.rows).reduce((a, r) => a + r.length, 0) };
    } finally {
      await db.dispose();
    }
  });
}

/** `npm run db:seed -- [--tenants N] [--seed N]` */
async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { tenants: { type: 'string' }, seed: { type: 'string' } } });
  const whole = (name: string, v: string | undefined, min: number) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new TenantproofError('bad-argument', `--${name} must be a whole number >= ${min}`, `pass --${name} ${min} or more`);
    return n;
  };
  const r = await dbSeed(commandContext({ log: (line) => console.error(line) }), { tenants: whole('tenants', values.tenants, 1), seed: whole('seed', values.seed, 0) });
  const added = Object.values(r.inserted).reduce((a, b) => a + b, 0);
  console.log(`${r.database}: ${r.tenants} tenants, ${added} rows added (${r.rows - added} already there)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(formatError(e));
    process.exitCode = isTenantproofError(e) ? e.exitCode : 2;
  });
}
