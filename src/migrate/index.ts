import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { commit, migrate, reset, uncommit, watch } from 'graphile-migrate';
// Not re-exported by the package's index; see guarded() for why we need it.
import { clearAllPools } from 'graphile-migrate/dist/pg.js';
import { sql } from '@databases/pg';
import { TenantproofError, isTenantproofError } from '../errors.js';
import { openPool } from '../db/pool.js';
import { errorCode, explainConnectionError } from '../db/pg-errors.js';
import { databaseExists, ensureDatabase, maintenanceUrl } from './root.js';
import { migrationSettings, type MigrationTarget, type ResolvedMigrationSettings } from './settings.js';

/**
 * graphile-migrate driven as a library: the source of a project with a
 * .gmrc. Prerequisites (the roles the owner and the actors need) are the
 * project's own graphile-migrate actions, declared in .gmrc: `beforeReset:
 * ["!roles.sql"]` runs as the root connection before every reset. A root
 * action connects to the database being reset, so reset first creates it
 * when it is missing (graphile-migrate then drops and recreates it).
 */

export type { MigrationTarget } from './settings.js';

async function settingsFor(t: MigrationTarget): Promise<ResolvedMigrationSettings> {
  return migrationSettings(t, await maintenanceUrl(t.serverUrl));
}

/** PostgreSQL's message with the file and line, or the connection problem, as one TenantproofError. */
export function explainMigrationError(e: unknown, file?: string): TenantproofError {
  if (isTenantproofError(e)) return e;
  const code = errorCode(e);
  if (code && /^(ECONN|ENOTFOUND|EAI_|ETIMEDOUT|28|3D)/.test(code)) return explainConnectionError(e, '');
  const err = e as { message?: string; position?: string; detail?: string; hint?: string };
  let where = '';
  if (file && err.position) {
    try {
      const text = readFileSync(file, 'utf8');
      // graphile-migrate runs the body below the `--!` header block of a committed file.
      const header = /^(--![^\n]*\n)+\n/.exec(text)?.[0] ?? '';
      const line = header.split('\n').length - 1 + text.slice(header.length, header.length + Number(err.position) - 1).split('\n').length;
      where = ` at ${path.relative(process.cwd(), file) || file}:${line}`;
    } catch {
      where = ` in ${file}`;
    }
  } else if (file) where = ` in ${path.relative(process.cwd(), file) || file}`;
  if (code === '42501') {
    return new TenantproofError('missing-privilege', `permission denied${where}: ${err.message}`, 'connect as a role with CREATEDB and CREATEROLE (or a superuser), or grant the privilege named above', { cause: e });
  }
  const extra = [err.detail && `detail: ${err.detail}`, err.hint && `hint: ${err.hint}`].filter(Boolean).join('; ');
  return new TenantproofError(
    'migration-failed',
    `migration failed${where}: ${err.message ?? String(e)}${code ? ` (SQLSTATE ${code})` : ''}${extra ? ` (${extra})` : ''}`,
    'fix the SQL named above and run again; the database was left at its last good migration',
    { cause: e },
  );
}

/**
 * graphile-migrate keeps its pools open for 200 ms after use, and calls
 * process.exit(1) if one of them sees an error (as when the server stops):
 * close them as soon as each command is done.
 */
async function guarded<T>(fn: () => Promise<T>, file?: () => Promise<string | undefined>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw explainMigrationError(e, await file?.().catch(() => undefined));
  } finally {
    clearAllPools();
  }
}

/** The file developers edit (the top-level current.sql, through the link). */
function currentFile(s: ResolvedMigrationSettings): string {
  const file = path.join(s.migrationsFolder, 'current.sql');
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** After a failed migrate: the committed file graphile-migrate was running (the first not recorded as applied). */
async function firstUnapplied(s: ResolvedMigrationSettings): Promise<string | undefined> {
  const dir = path.join(s.migrationsFolder, 'committed');
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  let applied = new Set<string>();
  const db = await openPool({ connectionString: s.databaseUrl, poolSize: 1, warm: 1 }).catch(() => null);
  if (db) {
    try {
      const rows = await db.query(sql`select filename from graphile_migrate.migrations`).catch(() => []);
      applied = new Set(rows.map((r) => r.filename as string));
    } finally {
      await db.dispose();
    }
  }
  const failed = files.find((f) => !applied.has(f));
  return failed ? path.join(dir, failed) : undefined;
}

/** Drops and recreates the database from the committed migrations; it may or may not exist before. */
export async function resetDatabase(t: MigrationTarget): Promise<void> {
  const s = await settingsFor(t);
  await ensureDatabase(s.rootUrl, t.database);
  await guarded(() => reset(s.settings, false), () => firstUnapplied(s));
}

/** Runs the committed migrations not yet applied. */
export async function migrateDatabase(t: MigrationTarget): Promise<void> {
  const s = await settingsFor(t);
  await needDatabase(s, t.database);
  await guarded(() => migrate(s.settings, false), () => firstUnapplied(s));
}

/** Applies current.sql once (or keeps watching it when `once` is false). */
export async function applyCurrent(t: MigrationTarget, options: { once: boolean } = { once: true }): Promise<void> {
  const s = await settingsFor(t);
  await needDatabase(s, t.database);
  await guarded(() => watch(s.settings, options.once, false), async () => currentFile(s));
}

/** Commits current.sql as the next migration (tested on the shadow database first, which it resets). */
export async function commitCurrent(t: MigrationTarget, message?: string): Promise<void> {
  const s = await settingsFor(t);
  await ensureDatabase(s.rootUrl, s.shadowDatabase);
  await guarded(() => commit(s.settings, message ?? null), async () => currentFile(s));
}

/** Moves the last committed migration back into current.sql: graphile-migrate's way back (it resets the shadow database). */
export async function uncommitLast(t: MigrationTarget): Promise<void> {
  const s = await settingsFor(t);
  await ensureDatabase(s.rootUrl, s.shadowDatabase);
  await guarded(() => uncommit(s.settings));
}

/** migrate and current.sql work on a database that exists: say how to make it rather than fail on the connection. */
async function needDatabase(s: ResolvedMigrationSettings, database: string): Promise<void> {
  if (await databaseExists(s.rootUrl, database)) return;
  throw new TenantproofError('database-missing', `the database ${database} does not exist yet`, 'build it from the migrations with `tenantproof db reset` (npm run db:reset)');
}
