/**
 * Every error a user can cause names the problem and the fix, with the
 * documented exit code (2 usage or infrastructure, 130 interrupted). The
 * ones tests/cli.test.ts covers already (a bad --runs for gate, an unknown
 * command, a malformed DATABASE_URL, an unreachable server and an unknown
 * role for db migrate, reset without CREATEDB, docker without a daemon, a
 * folder without .gmrc) are not repeated here. A broken current.sql under
 * watch is in tests/watch.test.ts (watch reports it and keeps watching).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Command } from 'commander';
import { sql } from '@databases/pg';
import { buildProgram } from '../src/cli/index.js';
import { openPool } from '../src/db/pool.js';
import { withDatabase } from '../src/db/server.js';
import { freshDatabase, type TestDatabase } from './support/database.js';
import { tempProject, type TempProject } from './support/temp-project.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], o: { cwd?: string; env?: Record<string, string | undefined> } = {}): { child: ChildProcess; done: Promise<Run>; stderr: () => string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...o.env };
  for (const [k, v] of Object.entries(o.env ?? {})) if (v === undefined) delete env[k];
  const child = spawn(process.execPath, [path.join(inject('projectRoot'), 'bin/tenantproof.js'), ...args], {
    cwd: o.cwd ?? inject('projectRoot'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}
const cli = (args: string[], o: { cwd?: string; env?: Record<string, string | undefined> } = {}) => start(args, o).done;

/** The reference config, its imports made absolute so that it loads from a temporary project. */
function writeConfig(dir: string): void {
  const root = inject('projectRoot');
  writeFileSync(path.join(dir, 'tenantproof.config.ts'), readFileSync(path.join(root, 'tenantproof.config.ts'), 'utf8').replaceAll("'./", `'${root}/`));
}

function postmasterRunning(root: string): boolean {
  const state = path.join(root, '.tenantproof');
  if (!existsSync(state)) return false;
  return readdirSync(state)
    .filter((d) => d.endsWith('-dev'))
    .some((d) => {
      const pidFile = path.join(state, d, 'data', 'postmaster.pid');
      if (!existsSync(pidFile)) return false;
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 0);
        return true;
      } catch {
        return false;
      }
    });
}

describe('--help', () => {
  const all = (cmd: Command, prefix = ''): Array<[string, Command]> =>
    cmd.commands.flatMap((c) => {
      const name = `${prefix}${c.name()}`;
      return [[name, c] as [string, Command], ...all(c, `${name} `)];
    });
  const helpOf = (cmd: Command) => {
    let text = '';
    cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
    cmd.outputHelp();
    return text;
  };
  const program = buildProgram();

  it.each(all(program))('%s --help shows examples and the exit codes', (_name, cmd) => {
    const text = helpOf(cmd);
    expect(text).toMatch(/\nExamples?:\n {2}\S/);
    expect(text).toMatch(/Exit codes: 0 passed, 1 isolation findings.*, 2 usage or infrastructure error.*, 130 interrupted/);
  });

  it('the program lists watch and init, and its help states the exit codes once', () => {
    const text = helpOf(program);
    expect(text).toMatch(/\n {2}watch \[options\] +apply current\.sql on every save/);
    expect(text).toMatch(/\n {2}init \[options\] +propose a tenantproof\.config\.ts/);
    expect(text.match(/Exit codes:/g)).toHaveLength(1);
  });
});

describe('bad flags exit 2 and name the flag', () => {
  it('watch --runs 0', async () => {
    const r = await cli(['watch', '--runs', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/option '--runs <n>' argument '0' is invalid\. --runs must be a whole number >= 1/);
  });

  it('init with an option it does not have', async () => {
    const r = await cli(['init', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });
});

describe('config mistakes exit 2 before any server starts', () => {
  let project: TempProject;
  beforeAll(() => {
    project = tempProject();
  });
  afterAll(async () => project?.cleanup());

  it('a config with several mistakes: every one at once, each with its key and its fix', async () => {
    writeFileSync(
      path.join(project.root, 'bad.config.ts'),
      `export default {
  tenancy: { tenantColumn: 'tenant_id', tenantTabel: 'app.tenants' },
  actors: [
    { name: 'member', role: 'tp_member', expect: 'tenants', context: { sql: "select set_config('app.tenant_id', $tenant, true)" } },
    { name: 'admin', role: 'tp_admin', expect: 'tenant' },
  ],
  globalTables: [{ relation: 'app.templates', reason: 'shared', access: { platfrom: 'write' } }],
  lint: { rules: { 'rls-not-forcd': 'off' } },
  probes: { runs: 0 },
};
`,
    );
    const r = await cli(['gate', '--config', 'bad.config.ts'], { cwd: project.root, env: { DATABASE_URL: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[config-invalid\]: .*bad\.config\.ts has 6 mistakes:/);
    expect(r.stderr).toMatch(/ {2}tenancy\.tenantTabel: unknown key\n {4}fix: did you mean "tenantTable"\?/);
    expect(r.stderr).toMatch(/ {2}actors\[0\]\.expect: expected one of "tenant", "all", "none" .*got "tenants"\n {4}fix: did you mean "tenant"\?/);
    expect(r.stderr).toMatch(/ {2}actors\[1\]\.context: actor "admin" expects 'tenant' but has no context\n {4}fix: add context: /);
    expect(r.stderr).toMatch(/ {2}globalTables\[0\]\.access\.platfrom: unknown actor "platfrom"\n {4}fix: use one of the actor names: member, admin/);
    expect(r.stderr).toMatch(/ {2}lint\.rules\["rls-not-forcd"\]: unknown rule "rls-not-forcd"\n {4}fix: did you mean "rls-not-forced"\?/);
    expect(r.stderr).toMatch(/ {2}probes\.runs: .*got 0\n {4}fix: /);
    expect(r.stderr).toMatch(/fix: correct the keys listed above and run again/);
    expect(r.stderr).not.toMatch(/server:/);
  });

  it('no config anywhere from the project upwards', async () => {
    for (const command of ['gate', 'watch']) {
      const r = await cli([command], { cwd: project.root, env: { DATABASE_URL: undefined } });
      expect(r.code, command).toBe(2);
      expect(r.stderr).toMatch(/\[config-missing\]: no tenantproof\.config\.ts \(or \.js, \.mjs, \.json\) in .* or above/);
      expect(r.stderr).toMatch(/fix: create one \(tenantproof init proposes it\), or pass --config FILE/);
      expect(r.stderr).not.toMatch(/server:/);
    }
  });

  it('a --config that names no file', async () => {
    const r = await cli(['gate', '--config', 'nope.config.ts'], { cwd: project.root, env: { DATABASE_URL: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\(config\): file not found: .*nope\.config\.ts\n {4}fix: pass the path of an existing tenantproof\.config\.ts/);
  });

  it('is found from a subfolder, upwards', async () => {
    writeConfig(project.root);
    mkdirSync(path.join(project.root, 'deep', 'er'), { recursive: true });
    // A bad flag after the config is found: the config was accepted (no config error), the flag was not.
    const r = await cli(['check', '--database-url', 'postgres://nobody@127.0.0.1:1/x', '--runs', '1'], {
      cwd: path.join(project.root, 'deep', 'er'),
      env: { PGCONNECT_TIMEOUT: '1' },
    });
    expect(r.stderr).not.toMatch(/config-missing|config-invalid/);
    expect(r.stderr).toMatch(/\[server-unreachable\]/);
    expect(r.code).toBe(2);
  });
});

describe('an unreachable server exits 2 with the fix, and no password', () => {
  const url = 'postgres://someone:secret@127.0.0.1:1/app';
  let project: TempProject;
  beforeAll(() => {
    project = tempProject();
    writeConfig(project.root);
  });
  afterAll(async () => project?.cleanup());

  it.each([
    ['check', ['check', '--database-url', url], {}],
    ['watch', ['watch'], { DATABASE_URL: url }],
    ['init', ['init', '--database-url', url, '--dry-run'], {}],
  ] as const)('%s', async (_name, args, env) => {
    // One attempt, not ten seconds of waiting for a server to start.
    const r = await cli([...args], { cwd: project.root, env: { ...env, PGCONNECT_TIMEOUT: '1' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[server-unreachable\]: nothing accepts connections at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/app/);
    expect(r.stderr).toMatch(/fix: start that PostgreSQL server/);
    expect(r.stderr + r.stdout).not.toMatch(/secret/);
  });
});

describe('a connection without the privilege the probes need', () => {
  let t: TestDatabase;
  let project: TempProject;
  let weakUrl: string;
  beforeAll(async () => {
    project = tempProject();
    writeConfig(project.root);
    t = await freshDatabase({ template: 'reference' });
    const admin = await openPool({ connectionString: inject('serverUrl'), poolSize: 1, warm: 1 });
    try {
      await admin.query(sql`do $$ begin if not exists (select from pg_roles where rolname = 'tp_test_weak') then create role tp_test_weak login; end if; end $$`);
    } finally {
      await admin.dispose();
    }
    const u = new URL(withDatabase(inject('serverUrl'), t.name));
    u.username = 'tp_test_weak';
    weakUrl = u.toString();
  });
  afterAll(async () => {
    await t?.drop();
    await project?.cleanup();
  });

  it('check names the role and the fix', async () => {
    const r = await cli(['check', '--database-url', weakUrl, '--runs', '1'], { cwd: project.root });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /\[check-needs-superuser\]: the probes need a superuser connection \(they read every tenant's rows and log in as each actor's login\), and tp_test_weak is not one/,
    );
    expect(r.stderr).toMatch(/fix: connect as a superuser/);
  });

  it('watch names the role and the fix', async () => {
    const r = await cli(['watch'], { cwd: project.root, env: { DATABASE_URL: weakUrl } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /\[watch-needs-superuser\]: the probes need a superuser connection \(they read every tenant's rows and log in as each actor's login\), and tp_test_weak is not one/,
    );
    expect(r.stderr).toMatch(/fix: connect as a superuser/);
  });
});

describe('the gate on its own embedded server', () => {
  let project: TempProject;
  let running: ChildProcess | undefined;
  beforeAll(() => {
    project = tempProject();
    writeConfig(project.root);
  });
  afterAll(async () => {
    if (running && running.exitCode === null) running.kill('SIGKILL');
    await project?.cleanup();
  });

  it("a broken current.sql: the file, the line and PostgreSQL's message, exit 2, the server stopped", async () => {
    writeFileSync(path.join(project.root, 'current.sql'), '-- half done\ncreate polcy leak on app.documents using (true);\n');
    const r = await cli(['gate', '--runs', '1'], { cwd: project.root, env: { DATABASE_URL: undefined } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/\[migration-failed\]: migration failed at current\.sql:2: syntax error at or near "polcy" \(SQLSTATE 42601\)/);
    expect(r.stderr).toMatch(/fix: fix the SQL named above and run again/);
    expect(existsSync(path.join(project.root, 'reports', 'isolation-report.json'))).toBe(false);
    expect(postmasterRunning(project.root)).toBe(false);
  });

  it('Ctrl-C during the probes: exit 130, no half report (the last one stays), the server stopped', { timeout: 240_000 }, async () => {
    writeFileSync(path.join(project.root, 'current.sql'), '-- Enter migration here\n');
    const reports = path.join(project.root, 'reports');
    mkdirSync(reports, { recursive: true });
    const previous = '{"the":"previous report"}\n';
    writeFileSync(path.join(reports, 'isolation-report.json'), previous);
    const run = start(['gate', '--runs', '2000', '--seed', '3'], { cwd: project.root, env: { DATABASE_URL: undefined } });
    running = run.child;
    const deadline = Date.now() + 180_000;
    while (!/probes: 1\/2000 worlds/.test(run.stderr())) {
      if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`the probes never started:\n${run.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/stopping \(Ctrl-C again to quit at once\)/);
    expect(r.stderr).toMatch(/\[interrupted\]: interrupted: the gate stopped before it finished; no report was written/);
    expect(r.stdout).not.toMatch(/PASS|FAIL/);
    expect(readFileSync(path.join(reports, 'isolation-report.json'), 'utf8')).toBe(previous);
    expect(readdirSync(reports)).toEqual(['isolation-report.json']);
    expect(postmasterRunning(project.root)).toBe(false);
  });
});
