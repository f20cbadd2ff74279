import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { sql, type ConnectionPool } from '@databases/pg';
import { openPool } from '../../src/db/pool.js';
import { errorCode } from '../../src/db/pg-errors.js';
import { retry } from '../../src/db/retry.js';
import { withDatabase } from '../../src/db/server.js';

export interface TestDatabase {
  /** Superuser connection to the new database. */
  db: ConnectionPool;
  url: string;
  name: string;
  drop(): Promise<void>;
}

let maintenance: Promise<ConnectionPool> | undefined;
function maintenancePool(): Promise<ConnectionPool> {
  maintenance ??= openPool({ connectionString: inject('serverUrl'), poolSize: 2, warm: 1 });
  return maintenance;
}

/**
 * A database of its own for a test file: `reference` is a clone of the
 * migrated reference schema, `empty` a blank database for foreign fixtures.
 */
export async function freshDatabase(options: { template?: 'reference' | 'empty'; templateName?: string } = {}): Promise<TestDatabase> {
  const name = `tp_test_${randomBytes(6).toString('hex')}`;
  const template = options.templateName ?? (options.template === 'empty' ? 'template1' : inject('templateDatabase'));
  const admin = await maintenancePool();
  // Cloning fails while anyone is connected to the template (55006): wait for stragglers.
  // A clone belongs to whoever cloned it: keep the template's owner, who runs the migrations (db watch, commit).
  const [{ owner }] = (await admin.query(sql`select pg_get_userbyid(datdba) as owner from pg_database where datname = ${template}`)) as [{ owner: string }];
  await retry(() => admin.query(sql`create database ${sql.ident(name)} owner ${sql.ident(owner)} template ${sql.ident(template)}`), {
    isRetryable: (e) => errorCode(e) === '55006',
    attempts: 20,
    maxMs: 20_000,
  });
  const url = withDatabase(inject('serverUrl'), name);
  const db = await openPool({ connectionString: url, poolSize: 4, warm: 1 });
  return {
    db,
    url,
    name,
    drop: async () => {
      await db.dispose();
      await admin.query(sql`drop database if exists ${sql.ident(name)} with (force)`);
    },
  };
}
