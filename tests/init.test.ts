/**
 * `tenantproof init`: a config proposed from the catalog. On the reference
 * schema the proposal must work as it is (zero error findings from the full
 * isolation check); on a schema that does not follow our naming (org_id, JWT
 * claims, Supabase-style roles) it must find the same contract a person
 * wrote by hand; what it cannot decide is a QUESTION, never a silent guess.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from '@databases/pg';
import { catalogOf, init, proposeConfig, proposalToConfig, type InitResult } from '../src/commands/init.js';
import { loadConfig, unwrapConfig } from '../src/config/load.js';
import type { ResolvedConfig } from '../src/config/schema.js';
import { checkIsolation } from '../src/engine/isolation.js';
import { openPool } from '../src/db/pool.js';
import { configFile, DESIGNS, documented, documentedSource, loadDesign, type Design } from './fixtures/designs/index.js';
import { freshDatabase, type TestDatabase } from './support/database.js';
import { tempProject, type TempProject } from './support/temp-project.js';

const fixtures = () => path.join(inject('projectRoot'), 'tests/fixtures');
const scratch: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'tenantproof-init-'));
  scratch.push(d);
  return d;
};
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** Writes the proposal where loadConfig can read it, and loads it as the gate would. */
async function loadProposal(r: InitResult) {
  const file = path.join(tempDir(), 'tenantproof.config.ts');
  writeFileSync(file, r.text);
  const loaded = await loadConfig(file);
  return unwrapConfig(loaded);
}

describe('init on the reference schema', () => {
  let t: TestDatabase;
  let r: InitResult;
  beforeAll(async () => {
    t = await freshDatabase({ template: 'reference' });
    r = await init({ databaseUrl: t.url, dryRun: true, cwd: tempDir() });
  });
  afterAll(async () => t?.drop());

  it('finds the tenant table and column from the foreign keys', () => {
    expect(r.proposal.tenancy).toMatchObject({ tenantTable: 'app.tenants', tenantColumn: 'tenant_id', tenantKey: null, excludeSchemas: ['graphile_migrate'] });
    expect(r.proposal.tenancy.questions).toEqual([]);
  });

  it('finds the actors, their expectation and their context, and leaves out the owner and the login role', () => {
    const actors = Object.fromEntries(r.proposal.actors.map((a) => [a.role, { expect: a.expect, context: a.context ?? null }]));
    const tenant = { sql: "select set_config('app.tenant_id', $tenant, true)" };
    expect(actors).toEqual({
      tp_member: { expect: 'tenant', context: tenant },
      tp_admin: { expect: 'tenant', context: tenant },
      tp_anon: { expect: 'none', context: null },
      tp_platform: { expect: 'all', context: null },
    });
    expect(r.proposal.actors.map((a) => a.name).sort()).toEqual(['admin', 'anon', 'member', 'platform']);
  });

  it("proposes the global tables with the access today's grants give", () => {
    const templates = r.proposal.globalTables.find((g) => g.relation === 'app.templates');
    expect(templates).toMatchObject({ defaultAccess: 'read', access: { platform: 'write' } });
    expect(templates!.questions.join(' ')).toMatch(/shared by every tenant on purpose\?/);
    expect(r.proposal.globalTables.map((g) => g.relation)).not.toContain('app.tenants');
  });

  it('writes a commented file that loads, with a QUESTION per undecided point', async () => {
    expect(r.text).toMatch(/^\/\/ tenantproof\.config\.ts, proposed by `tenantproof init`/);
    expect(r.text).toMatch(/\/\/ app\.tenants is referenced by tenant_id from \d+ tables/);
    expect(r.text).toMatch(/\/\/ tp_platform: BYPASSRLS, granted to login role tp_app/);
    expect(r.questions).toBe(r.proposal.globalTables.length);
    const config = await loadProposal(r);
    expect(config.actors).toHaveLength(4);
  });

  it('works as it is: the full isolation check with the proposal finds no error', async () => {
    const config = await loadProposal(r);
    const result = await checkIsolation(t.db, config, { runs: 5, seed: 1 });
    const errors = result.report.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.rule} ${f.relation ?? ''} ${f.actor ?? ''}: ${f.message}`)).toEqual([]);
    // Not vacuous: it probed the tenant relations with every actor that has something to prove; the
    // one meant to see every tenant (platform) is named in the notes, not silently absent.
    expect(result.report.coverage.checks).toBeGreaterThan(100);
    expect(new Set(result.report.matrix.map((m) => m.actor))).toEqual(new Set(config.actors.filter((a) => a.expect !== 'all').map((a) => a.name)));
    expect(result.report.coverage.actors).toBe(3);
    expect(result.report.notes).toContain("actor platform: expects every tenant's rows, so no isolation probe applies to it (the lint checks what its role may reach)");
    expect(r.lint.error).toBe(0);
  });
});

describe('init on a schema that does not follow our naming (org_id, JWT claims)', () => {
  let t: TestDatabase;
  let r: InitResult;
  beforeAll(async () => {
    t = await freshDatabase({ template: 'empty' });
    await t.db.query(sql.__dangerous__rawValue(readFileSync(path.join(fixtures(), 'foreign-org-schema.sql'), 'utf8')));
    r = await init({ databaseUrl: t.url, dryRun: true, cwd: tempDir() });
  });
  afterAll(async () => t?.drop());

  it('proposes what the hand-written config says', async () => {
    const proposed = await loadProposal(r);
    const written = unwrapConfig(await loadConfig(path.join(fixtures(), 'foreign-org-schema.config.ts')));
    expect(proposed.tenancy).toMatchObject({ tenantTable: 'api.orgs', tenantColumn: 'org_id' });
    const shape = (c: typeof proposed) =>
      c.actors
        .map((a) => ({ role: a.role, expect: a.expect, claim: a.context?.jwt?.claim ?? null, setting: a.context?.jwt?.setting ?? null }))
        .sort((x, y) => x.role.localeCompare(y.role));
    expect(shape(proposed)).toEqual(shape(written));
    expect(proposed.actors.map((a) => a.name).sort()).toEqual(['anon', 'authenticated', 'service']);
    expect(proposed.globalTables).toEqual([expect.objectContaining({ relation: 'api.plans', defaultAccess: 'read', access: { service: 'write' } })]);
  });

  it('explains its guesses in the file', () => {
    expect(r.text).toMatch(/api\.orgs is referenced by org_id from 2 tables, and \d+ policies compare org_id/);
    expect(r.text).toMatch(/lintorg_authenticated: granted to login role lintorg_authenticator; .*read the claim org_id of request\.jwt\.claims/);
    expect(r.text).not.toMatch(/role: 'lintorg_authenticator'/);
    expect(r.text).not.toMatch(/role: 'lintorg_owner'/);
  });

  it('is silent in the lint and the probes find no error with it', async () => {
    const config = await loadProposal(r);
    expect(r.lint).toMatchObject({ error: 0, warning: 0 });
    const result = await checkIsolation(t.db, config, { runs: 5, seed: 1 });
    expect(result.report.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.relation}: ${f.message}`)).toEqual([]);
    expect(result.report.coverage.checks).toBeGreaterThan(0);
  });
});

describe('what init cannot decide becomes a QUESTION', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase({ template: 'empty' });
    // Roles are cluster-wide: names of this file's own, created once.
    await t.db.query(sql`
      do $$ begin
        if not exists (select from pg_roles where rolname = 'tp_initq_app') then create role tp_initq_app nologin; end if;
        if not exists (select from pg_roles where rolname = 'tp_initq_reader') then create role tp_initq_reader nologin; end if;
      end $$`);
    await t.db.query(sql`
      create schema crm;
      grant usage on schema crm to tp_initq_app, tp_initq_reader;
      -- account_id everywhere, and a table named like the tenant table, but no foreign key says it is.
      create table crm.accounts (id uuid primary key, name text);
      create table crm.contacts (account_id uuid not null, id uuid primary key, name text);
      create table crm.deals (account_id uuid not null, id uuid primary key, amount numeric);
      alter table crm.contacts enable row level security;
      alter table crm.deals enable row level security;
      create policy contacts_app on crm.contacts to tp_initq_app using (account_id = current_setting('crm.current_account')::uuid and current_setting('crm.region', true) = 'eu');
      grant select on crm.contacts, crm.deals to tp_initq_app, tp_initq_reader;
    `);
  });
  afterAll(async () => t?.drop());

  it('asks for the tenant table, the extra setting, and the role that has grants but no policy', async () => {
    const { catalog, excludeSchemas } = await catalogOf(t.db);
    const p = proposeConfig(catalog, { excludeSchemas });
    expect(p.tenancy).toMatchObject({ tenantTable: null, tenantColumn: 'account_id' });
    expect(p.tenancy.questions.join('\n')).toMatch(/no foreign key points at crm\.accounts, .*set tenantTable to the table with one row per tenant \('crm\.accounts'\)/);
    const app = p.actors.find((a) => a.role === 'tp_initq_app')!;
    expect(app).toMatchObject({ expect: 'tenant', context: { sql: "select set_config('crm.current_account', $tenant, true)" } });
    expect(app.questions.join('\n')).toMatch(/also read crm\.region/);
    const reader = p.actors.find((a) => a.role === 'tp_initq_reader')!;
    expect(reader.expect).toBe('none');
    expect(reader.questions.join('\n')).toMatch(/may SELECT 2 tenant tables, but no policy on them applies to it/);
    // Still a valid config: the questions sit next to working guesses.
    const data = proposalToConfig(p) as { tenancy: Record<string, unknown> };
    expect(data.tenancy.tenantTable).toBeNull();
  });
});

// ---------------------------------------------------------------------------
// The real-world tenancy designs (tests/fixtures/designs): init recognises each from the catalog.

/** What decides how a check enters and judges: by role, since names are free. */
function contract(c: ResolvedConfig) {
  const nameToRole = new Map(c.actors.map((a) => [a.name, a.role]));
  const byRole = (access: Record<string, string>) => Object.fromEntries(Object.entries(access).map(([name, level]) => [nameToRole.get(name) ?? name, level]));
  return {
    tenancy: c.tenancy,
    actors: c.actors
      .map((a) => ({ role: a.role, login: a.login ?? null, as: a.as ?? null, expect: a.expect, context: a.context ?? null }))
      .sort((x, y) => x.role.localeCompare(y.role)),
    platformRoles: c.platformRoles.map((p) => ({ role: p.role, logins: p.logins })),
    globalTables: c.globalTables
      .map((g) => ({ relation: g.relation, defaultAccess: g.defaultAccess, access: byRole(g.access) }))
      .sort((x, y) => x.relation.localeCompare(y.relation)),
  };
}

describe.each(DESIGNS)('init on the $name design', (d: Design) => {
  let t: TestDatabase;
  let r: InitResult;
  beforeAll(async () => {
    t = await freshDatabase({ template: 'empty' });
    await loadDesign(t.url, d);
    r = await init({ databaseUrl: t.url, dryRun: true, cwd: tempDir() });
  });
  afterAll(async () => t?.drop());

  it('proposes the hand-written config: tenancy, actors with their login, principal and context, platform roles, global tables', async () => {
    const proposed = await loadProposal(r);
    const written = unwrapConfig(await loadConfig(configFile(d)));
    expect(contract(proposed)).toEqual(contract(written));
  });

  it("is what docs/designs.md shows: the hand-written config and init's output", () => {
    expect(readFileSync(configFile(d), 'utf8')).toBe(documented('config', d));
    // init's own output, the database it read named as the documentation names it.
    const output = r.text.replace(/^(\/\/ tenantproof\.config\.ts, proposed by `tenantproof init` from ).*\.$/m, `$1${documentedSource(d)}.`);
    expect(output).not.toBe(r.text);
    expect(output).toBe(documented('init', d));
  });

  it("decides tenancy, principals and every tenant actor's context from the catalog, without a question", () => {
    expect(r.proposal.tenancy.questions).toEqual([]);
    expect(r.proposal.tenancy.memberships?.questions ?? []).toEqual([]);
    for (const a of r.proposal.actors) expect(a.questions, `${a.role}: ${a.questions.join('; ')}`).toEqual([]);
    expect(r.proposal.questions).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// The command, as a user runs it.

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
function cli(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<Run> {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete e[k];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(inject('projectRoot'), 'bin/tenantproof.js'), ...args], { cwd, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('tenantproof init (the command)', () => {
  let project: TempProject;
  beforeAll(() => {
    project = tempProject();
  });
  afterAll(async () => project?.cleanup());

  it("applies the project's graphile-migrate folder to a scratch database, writes the config, and never overwrites it without --force", async () => {
    const env = { DATABASE_URL: inject('serverUrl') };
    const first = await cli(['init'], project.root, env);
    expect(first.stderr).toMatch(/scratch database tenantproof_init_/);
    expect(first.stdout).toMatch(/wrote tenantproof\.config\.ts: tenant app\.tenants by tenant_id; .*member \(tp_member, tenant\)/);
    expect(first.stdout).toMatch(/platform \(tp_platform, all\); \d+ global tables/);
    expect(first.stdout).toMatch(/QUESTIONs? to answer in the file; the lint with this proposal: 0 errors/);
    expect(first.code).toBe(0);
    const file = path.join(project.root, 'tenantproof.config.ts');
    const written = readFileSync(file, 'utf8');
    expect(unwrapConfig(await loadConfig(file)).tenancy.tenantTable).toBe('app.tenants');

    const again = await cli(['init'], project.root, env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/\[config-exists\]: tenantproof\.config\.ts already exists; init never overwrites a config/);
    expect(again.stderr).toMatch(/fix: pass --force to replace it/);
    expect(readFileSync(file, 'utf8')).toBe(written);

    writeFileSync(file, '// mine\n');
    const forced = await cli(['init', '--force', '--quiet'], project.root, env);
    expect(forced.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(written);
    // The scratch databases are gone.
    const admin = await openPool({ connectionString: inject('serverUrl'), poolSize: 1, warm: 1 });
    try {
      expect(await admin.query(sql`select datname from pg_database where datname like 'tenantproof_init_%'`)).toEqual([]);
    } finally {
      await admin.dispose();
    }
  });

  it('reads a plain folder of .sql files in a folder without .gmrc, and prints with --dry-run', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    mkdirSync(path.join(dir, 'sql'));
    copyFileSync(path.join(fixtures(), 'foreign-org-schema.sql'), path.join(dir, 'sql', '001-schema.sql'));
    const r = await cli(['init', '--migrations', 'sql', '--dry-run'], dir, { DATABASE_URL: inject('serverUrl') });
    expect(r.stdout).toMatch(/tenantColumn: 'org_id'/);
    expect(r.stdout).toMatch(/context: \{ jwt: \{ claim: 'org_id' \} \}/);
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, 'tenantproof.config.ts'))).toBe(false);
  });

  it('names the file and line of a migration that does not run', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    mkdirSync(path.join(dir, 'sql'));
    writeFileSync(path.join(dir, 'sql', '001.sql'), 'create table t (id int);\n\ncreate tabel u (id int);\n');
    const r = await cli(['init', '--migrations', 'sql'], dir, { DATABASE_URL: inject('serverUrl') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[migration-failed\]: migration failed at .*001\.sql:3: syntax error at or near "tabel"/);
  });

  it('says what to pass when there is nothing to read', async () => {
    const r = await cli(['init'], tempDir(), { DATABASE_URL: inject('serverUrl') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[init-no-source\]: no \.gmrc in .* or above, and no --database-url or --migrations/);
    expect(r.stderr).toMatch(/fix: pass --database-url URL/);
  });
});
