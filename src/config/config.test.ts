import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contextSettings, contextStatements, sessionLevelStatements } from './context.js';
import { CONFIG_FILE_NAMES, findConfig } from './find.js';
import { defineConfig, formatConfigIssues, loadConfig, unwrapConfig, validateConfig, type TenantproofConfig } from './index.js';

const minimal: TenantproofConfig = {
  actors: [{ name: 'member', role: 'app_member', expect: 'tenant', context: { sql: "select set_config('app.tenant_id', $tenant, true)" } }],
};

function issuesOf(raw: unknown) {
  const r = validateConfig(raw, 'test');
  if (r.ok) throw new Error('expected the config to be rejected');
  return r.issues;
}

describe('validation', () => {
  it('fills the defaults of a minimal config', () => {
    const r = validateConfig(minimal, 'test');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.tenancy).toEqual({ tenantColumn: 'tenant_id', relations: {}, excludeSchemas: [], trustedSettings: [] });
    expect(r.config.probes).toEqual({ runs: 100, tenantsPerWorld: { min: 2, max: 3 }, maxRowsPerTable: 5, principalsPerWorld: { min: 2, max: 4 }, columns: {} });
    expect(r.config.lint).toEqual({ rules: {}, ignore: [] });
    expect(r.config.globalTables).toEqual([]);
    expect(r.config.migrationsDir).toBe('migrations');
  });

  it('reports every mistake at once, each naming the key path, what it is for, and the fix', () => {
    const issues = issuesOf({
      tenancy: { tenantColum: 'org_id' },
      actors: [
        { name: 'member', role: 'app_member', expect: 'tenant', context: { sql: 'select 1' } },
        { name: 'admin', role: 'app_admin', expect: 'tenant' },
        { name: 'ghost', role: 42, expect: 'nobody' },
      ],
      globalTables: [{ relation: 'countries', reason: 'iso', access: { memebr: 'read' } }],
      lint: { rules: { 'rls-not-forcd': 'off' } },
      probes: { tenantsPerWorld: { min: 5, max: 3 }, runs: 0 },
    });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath['actors[2].role']!.message).toBe('expected a string (the database role the actor uses (current_user during a check)), got 42');
    expect(byPath['actors[2].role']!.fix).toContain('"app_member"');
    expect(byPath['actors[2].expect']!.message).toContain('expected one of "tenant", "all", "none"');
    expect(byPath['tenancy.tenantColum']!.fix).toBe('did you mean "tenantColumn"?');
    expect(byPath['actors[0].context.sql']!.message).toContain('$tenant');
    expect(byPath['actors[1].context']!.message).toContain("expects 'tenant' but has no context");
    expect(byPath['globalTables[0].relation']!.message).toContain('schema-qualified');
    expect(byPath['globalTables[0].access.memebr']!.fix).toBe('did you mean "member"?');
    expect(byPath['lint.rules["rls-not-forcd"]']!.fix).toBe('did you mean "rls-not-forced"?');
    expect(byPath['probes.tenantsPerWorld']!.message).toContain('min (5) is greater than max (3)');
    expect(byPath['probes.runs']).toBeDefined();
    expect(issues.length).toBeGreaterThanOrEqual(10);
    for (const i of issues) expect(i.fix.length).toBeGreaterThan(0);
  });

  it('rejects a context naming two ways, and a shared-row exception without policy or predicate', () => {
    const issues = issuesOf({
      actors: [{ name: 'a', role: 'r', expect: 'tenant', context: { sql: "select set_config('x.y', $tenant, true)", roleTemplate: 't_$tenant' } }],
      sharedRows: [{ relation: 'app.plans', reason: 'public', reviewedBy: 'sec' }],
    });
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['actors[0].context', 'sharedRows[0]']));
  });

  it('reports a missing required key with the example to add', () => {
    const issues = issuesOf({});
    expect(issues).toEqual([{ path: 'actors', message: expect.stringContaining('missing'), fix: expect.stringContaining('add actors:') }]);
  });

  it('formats the issues for a terminal and throws them from unwrapConfig', () => {
    const r = validateConfig({ actors: [{ name: 'a', role: 1, expect: 'all' }] }, 'tenantproof.config.ts');
    expect(formatConfigIssues(r.ok ? [] : r.issues, r.source)).toMatch(/tenantproof\.config\.ts has 1 mistake:\n {2}actors\[0\]\.role: expected a string/);
    expect(() => unwrapConfig(r)).toThrow(/actors\[0\]\.role/);
  });
});

describe('loading files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tp-config-'));
  const configIndex = pathToFileURL(path.resolve('src/config/index.ts')).href;

  it('loads a TypeScript config through tsx, with defineConfig', async () => {
    const file = path.join(dir, 'tenantproof.config.ts');
    writeFileSync(file, `import { defineConfig } from '${configIndex}';\nconst column: string = 'org_id';\nexport default defineConfig({ tenancy: { tenantColumn: column }, actors: [{ name: 'a', role: 'r', expect: 'all' }] });\n`);
    const r = await loadConfig(file);
    expect(r.ok && r.config.tenancy.tenantColumn).toBe('org_id');
  });

  it('loads .mjs and .json configs', async () => {
    writeFileSync(path.join(dir, 'c.mjs'), `export default ${JSON.stringify(minimal)};`);
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify(minimal));
    expect((await loadConfig('c.mjs', { cwd: dir })).ok).toBe(true);
    expect((await loadConfig('c.json', { cwd: dir })).ok).toBe(true);
  });

  it('reports a missing file, broken JSON and a module without a default export', async () => {
    writeFileSync(path.join(dir, 'broken.json'), '{ "actors": [');
    writeFileSync(path.join(dir, 'empty.mjs'), 'export const x = 1;');
    const missing = await loadConfig('nope.ts', { cwd: dir });
    const broken = await loadConfig('broken.json', { cwd: dir });
    const empty = await loadConfig('empty.mjs', { cwd: dir });
    expect(!missing.ok && missing.issues[0]!.message).toContain('file not found');
    expect(!broken.ok && broken.issues[0]!.fix).toBe('fix the JSON syntax');
    expect(!empty.ok && empty.issues[0]!.message).toBe('exports no config');
  });

  it('finds the nearest config from a folder upwards', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tp-find-'));
    const deep = path.join(root, 'a', 'b', 'c');
    mkdirSync(deep, { recursive: true });
    expect(findConfig(deep)).toBeNull();
    writeFileSync(path.join(root, 'tenantproof.config.json'), '{}');
    expect(findConfig(deep)).toBe(path.join(root, 'tenantproof.config.json'));
    writeFileSync(path.join(root, 'a', 'tenantproof.config.ts'), '');
    expect(findConfig(deep)).toBe(path.join(root, 'a', 'tenantproof.config.ts'));
    expect(CONFIG_FILE_NAMES[0]).toBe('tenantproof.config.ts');
  });

  it('defineConfig returns its argument', () => {
    expect(defineConfig(minimal)).toBe(minimal);
  });
});

describe('actor contexts', () => {
  const cfg = (context: unknown) => unwrapConfig(validateConfig({ actors: [{ name: 'a', role: 'app_user', expect: 'tenant', context }] }, 't')).actors[0]!;

  it('substitutes $tenant as a quoted literal', () => {
    expect(contextStatements(cfg({ sql: "select set_config('app.tenant_id', $tenant, true)" }), "x'y")).toEqual(["select set_config('app.tenant_id', 'x''y', true)"]);
  });

  it('writes JWT claims with the tenant at the claim path, and the default sub, role and exp', () => {
    const a = cfg({ jwt: { claim: 'app_metadata.org_id', claims: { role: 'authenticated', sub: 'user-$tenant' } } });
    const [stmt] = contextStatements(a, 't1');
    expect(stmt).toContain(`set_config('request.jwt.claims', jsonb_build_object(`);
    expect(stmt).toContain(`'app_metadata', jsonb_build_object('org_id', to_jsonb('t1'::text))`);
    expect(stmt).toContain(`'sub', to_jsonb(('user-' || 't1')::text)`);
    expect(stmt).toContain(`'exp', to_jsonb(`);
    expect(contextSettings(a)).toMatchObject({ settings: ['request.jwt.claims'], jwt: { setting: 'request.jwt.claims', claim: ['app_metadata', 'org_id'] } });
  });

  it('uses one role per tenant: the login is the tenant\'s role, and no statement follows it', () => {
    const a = cfg({ roleTemplate: 'tenant_$tenant' });
    expect(contextStatements(a, 'acme')).toEqual([]);
    expect(contextSettings(a).rolePerTenant).toBe(true);
  });

  it('calls a statements function', () => {
    const a = unwrapConfig(validateConfig({ actors: [{ name: 'a', role: 'r', expect: 'tenant', context: { statements: (t: string) => [`set local app.tenant_id = '${t}'`, "select set_config('app.user_id', 'u', true)"] } }] }, 't')).actors[0]!;
    expect(contextStatements(a, 'x')).toEqual(["set local app.tenant_id = 'x'", "select set_config('app.user_id', 'u', true)"]);
    expect(contextSettings(a).settings).toEqual(['app.tenant_id', 'app.user_id']);
    expect(sessionLevelStatements(a)).toEqual([]);
  });

  it('spots contexts that outlive the transaction', () => {
    expect(sessionLevelStatements(cfg({ sql: "select set_config('app.tenant_id', $tenant, false)" }))).toHaveLength(1);
    expect(sessionLevelStatements(cfg({ sql: 'set app.tenant_id = $tenant' }))).toHaveLength(1);
    expect(sessionLevelStatements(cfg({ sql: 'set local app.tenant_id = $tenant' }))).toEqual([]);
    expect(sessionLevelStatements(cfg({ sql: "select set_config('app.tenant_id', $tenant, true)" }))).toEqual([]);
  });
});
