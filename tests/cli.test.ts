import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from '@databases/pg';
import { openPool } from '../src/db/pool.js';
import { withDatabase } from '../src/db/server.js';
import { tempProject, type TempProject } from './support/temp-project.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], o: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  const root = inject('projectRoot');
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...o.env };
  for (const [k, v] of Object.entries(o.env ?? {})) if (v === undefined) delete env[k];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/tenantproof.js'), ...args], { cwd: o.cwd ?? root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('usage and infrastructure errors exit 2 with the problem and the fix', () => {
  it('a bad flag', async () => {
    const r = await cli(['gate', '--runs', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--runs must be a whole number/);
  });

  it('an unknown command', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('a DATABASE_URL that is not a connection string', async () => {
    const r = await cli(['db', 'migrate'], { env: { DATABASE_URL: 'localhost:5432' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ connection string/);
    expect(r.stderr).toMatch(/fix:/);
  });

  it('an unreachable server', async () => {
    // One attempt, not ten seconds of waiting for a server to start (how long is the product's default).
    const r = await cli(['db', 'migrate'], { env: { DATABASE_URL: 'postgres://someone:secret@127.0.0.1:1/app', PGCONNECT_TIMEOUT: '1' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing accepts connections at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/app/);
    expect(r.stderr).not.toMatch(/secret/);
    expect(r.stderr).toMatch(/fix: start that PostgreSQL server/);
  });

  it('a role the server does not know', async () => {
    const url = new URL(inject('serverUrl'));
    url.username = 'no_such_role';
    const r = await cli(['db', 'migrate'], { env: { DATABASE_URL: url.toString() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[auth-failed\].*no_such_role/);
    expect(r.stderr).toMatch(/fix: fix the user name or password/);
  });

  describe('a role without the privilege reset needs', () => {
    let admin: Awaited<ReturnType<typeof openPool>>;
    beforeAll(async () => {
      admin = await openPool({ connectionString: inject('serverUrl'), poolSize: 1, warm: 1 });
      await admin.query(sql`do $$ begin if not exists (select from pg_roles where rolname = 'tp_test_weak') then create role tp_test_weak login; end if; end $$`);
    });
    afterAll(async () => admin.dispose());

    it('names the missing privilege', async () => {
      const url = new URL(withDatabase(inject('serverUrl'), 'postgres'));
      url.username = 'tp_test_weak';
      const r = await cli(['db', 'reset'], { env: { DATABASE_URL: url.toString() } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\[missing-privilege\]/);
      expect(r.stderr).toMatch(/CREATEDB and CREATEROLE/);
    });
  });

  it('the docker engine without a Docker daemon', async (ctx) => {
    if (spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0) {
      ctx.skip('a Docker daemon answers on this machine: the error path cannot be exercised');
    }
    const r = await cli(['db', 'migrate', '--engine', 'docker'], { env: { DATABASE_URL: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[docker-unavailable\]: the docker engine was chosen, but no Docker daemon answers/);
  });

  it('a folder that is not a tenantproof project', async () => {
    const r = await cli(['db', 'status'], { cwd: '/' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no tenantproof project found in \/ or any folder above it/);
  });
});

describe('the gate on the embedded engine', () => {
  let project: TempProject;
  beforeAll(() => {
    project = tempProject({ withCode: true });
  });
  afterAll(async () => project.cleanup());

  const postmasterRunning = () => {
    const pidFile = path.join(project.root, '.tenantproof', 'pg18-dev', 'data', 'postmaster.pid');
    if (!existsSync(pidFile)) return false;
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 0);
      return true;
    } catch {
      return false;
    }
  };

  it('passes on the reference schema and leaves no server running', async () => {
    const r = await cli(['gate', '--runs', '10', '--seed', '1'], { cwd: project.root, env: { DATABASE_URL: undefined } });
    expect(r.stdout).toMatch(/PASS {2}0 errors/);
    expect(existsSync(path.join(project.root, 'reports', 'isolation-report.json'))).toBe(true);
    expect(r.code).toBe(0);
    expect(postmasterRunning()).toBe(false);
  });

  it('fails with exit 1 when a policy is broken by hand in current.sql', async () => {
    writeFileSync(path.join(project.root, 'current.sql'), 'create policy leak on app.documents for select to tp_member using (true);\n');
    const r = await cli(['gate', '--runs', '10', '--seed', '1'], { cwd: project.root, env: { DATABASE_URL: undefined } });
    expect(r.stdout).toMatch(/FAIL {2}\d+ errors/);
    expect(r.stdout).toMatch(/error probe-read app\.documents \[member\]/);
    expect(r.stdout).toMatch(/error policy-always-true app\.documents/);
    expect(r.code).toBe(1);
    expect(postmasterRunning()).toBe(false);
  });
});

describe('db reset through DATABASE_URL', () => {
  let project: TempProject;
  const name = `tp_reset_${process.pid}`;
  const urlOf = () => withDatabase(inject('serverUrl'), name);
  const admin = () => openPool({ connectionString: inject('serverUrl'), poolSize: 1, warm: 1 });
  const tables = async () => {
    const db = await openPool({ connectionString: urlOf(), poolSize: 1, warm: 1 });
    try {
      return (await db.query(sql`select count(*)::int as n from pg_tables where schemaname = 'app'`))[0]!.n as number;
    } finally {
      await db.dispose();
    }
  };
  beforeAll(() => {
    project = tempProject();
  });
  afterAll(async () => {
    const db = await admin();
    try {
      await db.query(sql`drop database if exists ${sql.ident(name)} with (force)`);
      await db.query(sql`drop database if exists ${sql.ident(`${name}_shadow`)} with (force)`);
    } finally {
      await db.dispose();
    }
    await project?.cleanup();
  });

  it('builds the database it names when it does not exist, then rebuilds it when it does', async () => {
    const db = await admin();
    try {
      await db.query(sql`drop database if exists ${sql.ident(name)} with (force)`);
    } finally {
      await db.dispose();
    }
    const first = await cli(['db', 'reset'], { cwd: project.root, env: { DATABASE_URL: urlOf() } });
    expect(first.code, first.stderr).toBe(0);
    const built = await tables();
    expect(built).toBeGreaterThan(5);
    // A table of its own, which a rebuild must not keep.
    const dev = await openPool({ connectionString: urlOf(), poolSize: 1, warm: 1 });
    try {
      await dev.query(sql`create table app.scratch_only (id int)`);
    } finally {
      await dev.dispose();
    }
    const again = await cli(['db', 'reset'], { cwd: project.root, env: { DATABASE_URL: urlOf() } });
    expect(again.code, again.stderr).toBe(0);
    expect(await tables()).toBe(built);
  });
});
