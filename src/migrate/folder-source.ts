import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { explainConnectionError } from '../db/pg-errors.js';
import { withDatabase } from '../db/server.js';
import { folderFiles } from './files.js';
import { explainMigrationError } from './index.js';
import { dropDatabase, ensureDatabase, explainCreateError, maintenanceUrl } from './root.js';
import type { MigrationTarget } from './settings.js';
import { unsupported, type MigrationSource } from './source.js';
import { sql } from '@databases/pg';
import { openPool } from '../db/pool.js';

/**
 * A plain ordered folder of *.sql files (supabase/migrations, 0001_x.sql...):
 * every build starts from an empty database, runs the prerequisites, then
 * each file in natural name order, each in a session of its own as the
 * server's role given (one simple query: a file is one transaction unless it
 * manages its own). No migration table is kept, so there is no `migrate`;
 * after a save `watch` rebuilds beside the development database and swaps
 * it in only when every file ran (a broken file keeps the last good state).
 *
 * Prerequisites: SQL files run first in every fresh database, for what the
 * migrations expect the platform to provide (roles, an auth schema).
 * Roles are cluster-wide and outlive databases: create them idempotently.
 */
export function folderSource(dir: string, label: string, prerequisites: readonly string[] = []): MigrationSource {
  const build = async (t: MigrationTarget): Promise<void> => {
    const root = await maintenanceUrl(t.serverUrl);
    await dropDatabase(root, t.database);
    await ensureDatabase(root, t.database);
    const files = [...prerequisites, ...folderFiles(dir)];
    t.log?.(`${label}: ${files.length} file(s) into ${t.database}`);
    await applyFiles(withDatabase(t.serverUrl, t.database), files);
  };
  return {
    kind: 'folder',
    dir,
    description: `a folder of SQL migrations (${label})`,
    workingName: `the files in ${label}`,
    rebuilds: true,
    existing: false,
    files: () => folderFiles(dir),
    watched: () => [dir, ...prerequisites],
    build,
    reset: build,
    migrate: () =>
      unsupported('folder', '`db migrate`', 'a plain folder records no applied migrations: `tenantproof db reset` rebuilds the database from every file'),
    applyWorking: async (t) => {
      const next = `${t.database}_tp_next`;
      try {
        await build({ ...t, database: next });
      } catch (e) {
        await dropDatabase(await maintenanceUrl(t.serverUrl), next).catch(() => {});
        throw e;
      }
      await swap(await maintenanceUrl(t.serverUrl), next, t.database);
    },
  };
}

/** `next` becomes `database`: the old one is dropped (its connections closed) and `next` renamed. */
async function swap(rootUrl: string, next: string, database: string): Promise<void> {
  await dropDatabase(rootUrl, database);
  const db = await openPool({ connectionString: rootUrl, poolSize: 1, warm: 1 });
  try {
    await db.query(sql`alter database ${sql.ident(next)} rename to ${sql.ident(database)}`).catch((e: unknown) => {
      throw explainCreateError(e, rootUrl, database);
    });
  } finally {
    await db.dispose();
  }
}

/**
 * Each file as one simple query in a session of its own (through
 * node-postgres, as graphile-migrate runs a file: PostgreSQL's error position
 * counts from the file's start, so the error names the file's line).
 */
export async function applyFiles(url: string, files: readonly string[]): Promise<void> {
  for (const file of files) {
    const client = new pg.Client({ connectionString: url });
    await client.connect().catch((e: unknown) => {
      throw explainConnectionError(e, url);
    });
    try {
      await client.query(readFileSync(file, 'utf8'));
    } catch (e) {
      throw explainMigrationError(e, file);
    } finally {
      await client.end().catch(() => {});
    }
  }
}

export const folderLabel = (dir: string, root: string) => `${path.relative(root, dir) || '.'}/`;
