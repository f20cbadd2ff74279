/**
 * The root connection: the server's maintenance database (`postgres`, else
 * `template1`), never the database being built. Dropping or creating a
 * database needs a connection to another one, and DATABASE_URL names the one
 * a developer works on, which may not exist yet.
 */
import { sql } from '@databases/pg';
import { openPool } from '../db/pool.js';
import { errorCode, explainConnectionError } from '../db/pg-errors.js';
import { redactUrl, withDatabase } from '../db/server.js';
import { TenantproofError, isTenantproofError } from '../errors.js';

const MAINTENANCE_DATABASES = ['postgres', 'template1'] as const;
const found = new Map<string, Promise<string>>();

/** A connection string to the server's maintenance database, with `serverUrl`'s credentials. Found once per server. */
export function maintenanceUrl(serverUrl: string): Promise<string> {
  const key = withDatabase(serverUrl, '');
  let url = found.get(key);
  if (!url) {
    url = findMaintenance(serverUrl);
    found.set(key, url);
    url.catch(() => found.delete(key));
  }
  return url;
}

async function findMaintenance(serverUrl: string): Promise<string> {
  let last: unknown;
  for (const name of MAINTENANCE_DATABASES) {
    const url = withDatabase(serverUrl, name);
    try {
      const db = await openPool({ connectionString: url, poolSize: 1, warm: 1 });
      await db.dispose();
      return url;
    } catch (e) {
      last = e;
      // A server that cannot be reached is named as the user wrote it, not by the maintenance database tried.
      if (isTenantproofError(e) && e.code === 'server-unreachable') throw explainConnectionError(e.cause, serverUrl);
      // Only a missing database (or one refusing connections) is worth the next candidate.
      const code = isTenantproofError(e) ? errorCode(e.cause) : errorCode(e);
      if (code !== '3D000' && code !== '55000') throw e;
    }
  }
  throw new TenantproofError(
    'no-maintenance-database',
    `neither the postgres nor the template1 database accepts connections on ${redactUrl(serverUrl)}`,
    'creating and dropping databases needs a connection to another database of the server: create the postgres database, or allow connections to template1',
    { cause: last },
  );
}

export async function databaseExists(rootUrl: string, database: string): Promise<boolean> {
  const db = await openPool({ connectionString: rootUrl, poolSize: 1, warm: 1 });
  try {
    return (await db.query(sql`select 1 from pg_database where datname = ${database}`)).length > 0;
  } finally {
    await db.dispose();
  }
}

/** Creates `database` (owned by the root role) when it does not exist; true when it did not. */
export async function ensureDatabase(rootUrl: string, database: string): Promise<boolean> {
  const db = await openPool({ connectionString: rootUrl, poolSize: 1, warm: 1 });
  try {
    if ((await db.query(sql`select 1 from pg_database where datname = ${database}`)).length > 0) return false;
    await db.query(sql`create database ${sql.ident(database)}`).catch((e: unknown) => {
      // Created meanwhile by a concurrent run: as good.
      if (errorCode(e) !== '42P04') throw explainCreateError(e, rootUrl, database);
    });
    return true;
  } finally {
    await db.dispose();
  }
}

/** Drops `database`, closing the connections still open to it. */
export async function dropDatabase(rootUrl: string, database: string): Promise<void> {
  const db = await openPool({ connectionString: rootUrl, poolSize: 1, warm: 1 });
  try {
    await db.query(sql`drop database if exists ${sql.ident(database)} with (force)`).catch((e: unknown) => {
      throw explainCreateError(e, rootUrl, database, 'drop');
    });
  } finally {
    await db.dispose();
  }
}

/** A refused CREATE or DROP DATABASE, said with the privilege it needs. */
export function explainCreateError(e: unknown, rootUrl: string, database: string, verb: 'create' | 'drop' = 'create'): TenantproofError {
  if (isTenantproofError(e)) return e;
  const user = decodeURIComponent(new URL(rootUrl).username) || 'the connecting role';
  if (errorCode(e) === '42501') {
    return new TenantproofError(
      'missing-createdb',
      verb === 'create'
        ? `${user} may not create the database ${database}: the role has no CREATEDB privilege`
        : `${user} may not drop the database ${database}: only its owner or a superuser may`,
      verb === 'create'
        ? `grant it (ALTER ROLE ${user} CREATEDB, as a superuser), connect as a role that has it, or create ${database} yourself and run \`tenantproof db migrate\``
        : `connect as the owner of ${database} or a superuser`,
      { cause: e },
    );
  }
  return new TenantproofError('database-error', `could not ${verb} the database ${database}: ${e instanceof Error ? e.message : String(e)}`, 'see the message above', { cause: e });
}
