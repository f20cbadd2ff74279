/**
 * Databases for the lint and catalog tests: the project's test rig
 * (tests/support/database.ts, inside vitest), or a scratch server when
 * LINT_SCRATCH_URL is set (for scripts run outside vitest).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import createConnectionPool, { sql, type ConnectionPool, type Queryable } from '@databases/pg';

export interface TestDatabase {
  db: ConnectionPool;
  url: string;
  drop(): Promise<void>;
}

type FreshDatabase = (options?: { template?: 'reference' | 'empty' }) => Promise<TestDatabase>;

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.resolve(here, '../../fixtures');

async function rig(): Promise<FreshDatabase | null> {
  try {
    const rigPath = '../../support/database.js';
    const mod = (await import(/* @vite-ignore */ rigPath)) as { freshDatabase?: FreshDatabase };
    return mod.freshDatabase ?? null;
  } catch {
    return null;
  }
}

export async function freshDatabase(options: { template?: 'reference' | 'empty' } = {}): Promise<TestDatabase> {
  const adminUrl = process.env.LINT_SCRATCH_URL;
  if (!adminUrl) {
    const fromRig = await rig();
    if (fromRig) return fromRig(options);
    throw new Error('no test database: run under vitest (tests/support/database.ts) or set LINT_SCRATCH_URL');
  }
  if (options.template === 'reference') throw new Error('the reference template needs the project test rig (tests/support/database.ts)');
  const admin = createConnectionPool({ connectionString: adminUrl, bigIntMode: 'number' });
  const name = `lintfx_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  try {
    await admin.query(sql`create database ${sql.ident(name)}`);
  } finally {
    await admin.dispose();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = createConnectionPool({ connectionString: url.toString(), bigIntMode: 'number' });
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.dispose();
      const again = createConnectionPool({ connectionString: adminUrl, bigIntMode: 'number' });
      try {
        await again.query(sql`drop database if exists ${sql.ident(name)} with (force)`);
      } finally {
        await again.dispose();
      }
    },
  };
}

/** Runs a fixture file (many statements, DO blocks included) as one simple query. */
export async function loadFixture(db: Queryable, file: string): Promise<void> {
  const text = readFileSync(path.join(FIXTURES, file), 'utf8');
  await db.query(sql.__dangerous__rawValue(text));
}
