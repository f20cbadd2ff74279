import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { sql } from '@databases/pg';
import { acquireServer } from '../../src/db/server.js';
import { instanceDir, stopEmbedded } from '../../src/db/embedded/server.js';
import { DEFAULT_MAJOR, type PgMajor } from '../../src/db/embedded/binaries.js';
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
  // A server of its own per run: concurrent runs on one checkout must not stop each other's.
  const instance = `test-${process.pid}`;
  const major = env.TENANTPROOF_PG_MAJOR ?? DEFAULT_MAJOR;
  const stateRoot = path.join(projectRoot, '.tenantproof');
  await sweepStaleInstances(stateRoot);
  const server = await acquireServer({ projectRoot, databaseUrl: env.DATABASE_URL, major, instance });
  const removeInstance = () => {
    if (server.kind === 'embedded') rmSync(instanceDir({ major, stateRoot, instance }), { recursive: true, force: true });
  };
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
      removeInstance();
    };
  }
  try {
    await resetDatabase({ projectRoot, serverUrl: server.url, database: templateDatabase });
    // Nobody may stay connected to a template: graphile-migrate's shadow is not needed.
    await root.query(sql`drop database if exists ${sql.ident(`${templateDatabase}_shadow`)} with (force)`);
  } catch (e) {
    await root.dispose();
    await server.release();
    removeInstance();
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
      removeInstance();
    }
  };
}

/** Instances of runs killed before their teardown (their pid is gone): stop their server, remove them. */
async function sweepStaleInstances(stateRoot: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = readdirSync(stateRoot);
  } catch {
    return;
  }
  for (const name of entries) {
    const m = /^pg(\d+)-(test-(\d+))$/.exec(name);
    if (!m) continue;
    try {
      process.kill(Number(m[3]), 0);
    } catch {
      await stopEmbedded({ major: Number(m[1]) as PgMajor, stateRoot, instance: m[2]! }).catch(() => {});
      rmSync(path.join(stateRoot, name), { recursive: true, force: true });
    }
  }
}
