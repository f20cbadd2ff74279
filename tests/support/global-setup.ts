import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { sql } from '@databases/pg';
import { acquireServer } from '../../src/db/server.js';
import { openPool } from '../../src/db/pool.js';
import { resetDatabase } from '../../src/migrate/index.js';
import { readEnv } from '../../src/env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser-level connection string of the run's server (maintenance database). */
    serverUrl: string;
    /** A database migrated from the committed migrations, cloned by each test file. */
    templateDatabase: string;
    projectRoot: string;
  }
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** One server per run, one migrated template: test files clone it (CREATE DATABASE ... TEMPLATE). */
export default async function setup(project: TestProject) {
  const env = readEnv(process.env);
  const server = await acquireServer({ projectRoot, databaseUrl: env.DATABASE_URL, major: env.TENANTPROOF_PG_MAJOR, instance: 'test' });
  // The gate migrates a database itself (committed migrations and current.sql) and names it here.
  const given = process.env.TENANTPROOF_TEMPLATE_DATABASE;
  const templateDatabase = given || `tp_template_${process.pid}`;
  const root = await openPool({ connectionString: server.url, poolSize: 1, warm: 1 });
  if (given) {
    project.provide('serverUrl', server.url);
    project.provide('templateDatabase', templateDatabase);
    project.provide('projectRoot', projectRoot);
    return async () => {
      await root.dispose();
      await server.release();
    };
  }
  try {
    if (server.kind === 'embedded') {
      // Databases left by an interrupted run of the test instance.
      const stale = await root.query(sql`select datname from pg_database where starts_with(datname, 'tp_')`);
      for (const { datname } of stale) await root.query(sql`drop database if exists ${sql.ident(datname)} with (force)`);
    }
    await resetDatabase({ projectRoot, serverUrl: server.url, database: templateDatabase });
    // Nobody may stay connected to a template: graphile-migrate's shadow is not needed.
    await root.query(sql`drop database if exists ${sql.ident(`${templateDatabase}_shadow`)} with (force)`);
  } catch (e) {
    await root.dispose();
    await server.release();
    throw e;
  }
  project.provide('serverUrl', server.url);
  project.provide('templateDatabase', templateDatabase);
  project.provide('projectRoot', projectRoot);

  return async () => {
    try {
      await root.query(sql`drop database if exists ${sql.ident(templateDatabase)} with (force)`);
    } finally {
      await root.dispose();
      await server.release();
    }
  };
}
