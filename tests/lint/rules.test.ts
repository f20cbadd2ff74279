/**
 * Every lint rule against the clean fixture: (a) each pitfall planted in a
 * rolled-back transaction makes its rule fire on the right relation and
 * actor; (b) on the unmutated schema every rule is silent.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/types.js';
import { analyze, RULES } from '../../src/lint/index.js';
import { FIXTURES } from './support/db.js';
import { apply, configWith, expectFinding, fixtureDatabase, lintWith, ofRule, rolledBack, uniqueRole, type FixtureDatabase } from './support/harness.js';

let fx: FixtureDatabase;
let clean: Finding[];

beforeAll(async () => {
  fx = await fixtureDatabase('clean-schema.sql', 'clean-schema.config.ts');
  clean = (await lintWith(fx, [])).findings;
});
afterAll(async () => {
  await fx?.drop();
});

describe('clean schema', () => {
  it('gives no finding at all', () => {
    expect(clean.map((f) => `${f.id}: ${f.message}`)).toEqual([]);
  });
  it.each(RULES.map((r) => r.id))('%s is silent', (id) => {
    expect(ofRule(clean, id)).toEqual([]);
  });
});

interface Case {
  name: string;
  sql: string[];
  want: Partial<Finding> & { rule: string };
  /** Other findings that must not appear (a false positive the case could provoke). */
  notRules?: string[];
}

const R = uniqueRole();
const CASES: Case[] = [
  {
    name: 'RLS disabled on a tenant table',
    sql: ['alter table core.projects disable row level security'],
    want: { rule: 'rls-not-enabled', relation: 'core.projects', severity: 'error' },
  },
  {
    name: 'a new tenant table created without RLS',
    sql: ['create table core.notes (tenant_id uuid not null references core.tenants (id), id uuid not null default gen_random_uuid(), primary key (tenant_id, id))', 'grant select on core.notes to lintfx_member'],
    want: { rule: 'rls-not-enabled', relation: 'core.notes', severity: 'error' },
  },
  {
    name: 'ENABLE without FORCE on a table the member role owns',
    sql: ['alter table core.users no force row level security', 'alter table core.users owner to lintfx_member'],
    want: { rule: 'rls-not-forced', relation: 'core.users', severity: 'error' },
  },
  {
    name: 'policies on a table whose RLS is off',
    sql: ['alter table core.tasks disable row level security'],
    want: { rule: 'policy-without-rls', relation: 'core.tasks', severity: 'error' },
  },
  {
    name: 'RLS on, no policy, actors granted',
    sql: ['drop policy documents_select on core.documents', 'drop policy documents_insert on core.documents'],
    want: { rule: 'rls-without-policy', relation: 'core.documents', severity: 'warning' },
  },
  {
    name: 'an extra FOR SELECT USING (true)',
    sql: ['create policy tasks_everything on core.tasks for select to lintfx_member using (true)'],
    want: { rule: 'policy-always-true', relation: 'core.tasks', actor: 'member', object: 'policy core.tasks.tasks_everything', severity: 'error' },
    notRules: ['permissive-widening'],
  },
  {
    name: 'a stray OR true',
    sql: ["alter policy tasks_select on core.tasks using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid or true)"],
    want: { rule: 'policy-always-true', relation: 'core.tasks', actor: 'admin', object: 'policy core.tasks.tasks_select' },
  },
  {
    name: 'WITH CHECK (true) on insert',
    sql: ['alter policy projects_insert on core.projects with check (true)'],
    want: { rule: 'policy-always-true', relation: 'core.projects', actor: 'admin', object: 'policy core.projects.projects_insert' },
  },
  {
    name: 'an update whose WITH CHECK lets a row move to another tenant',
    sql: ['alter policy tasks_update on core.tasks with check (true)'],
    want: { rule: 'policy-always-true', relation: 'core.tasks', actor: 'member', object: 'policy core.tasks.tasks_update' },
  },
  {
    name: 'a policy without a TO clause',
    sql: ['create policy users_public on core.users for select using (tenant_id = core.current_tenant_id())'],
    want: { rule: 'policy-to-public', relation: 'core.users', object: 'policy core.users.users_public', severity: 'warning' },
  },
  {
    name: 'a policy without a TO clause on a table anon may select',
    sql: ['create policy users_public on core.users for select using (tenant_id = core.current_tenant_id())', 'grant select on core.users to lintfx_anon'],
    want: { rule: 'policy-to-public', relation: 'core.users', severity: 'error' },
  },
  {
    name: 'an INSERT policy without WITH CHECK',
    sql: ['create policy tasks_insert_open on core.tasks for insert to lintfx_member'],
    want: { rule: 'write-without-check', relation: 'core.tasks', object: 'policy core.tasks.tasks_insert_open', severity: 'warning' },
  },
  {
    name: 'an UPDATE policy with neither USING nor WITH CHECK',
    sql: ['create policy projects_update2 on core.projects for update to lintfx_admin'],
    want: { rule: 'write-without-check', relation: 'core.projects', object: 'policy core.projects.projects_update2' },
  },
  {
    name: 'a second permissive SELECT policy USING (is_public)',
    sql: ['alter table core.documents add column is_public boolean not null default false', 'create policy documents_public on core.documents for select to lintfx_member using (is_public)'],
    want: { rule: 'permissive-widening', relation: 'core.documents', actor: 'member', object: 'policy core.documents.documents_public', severity: 'error' },
  },
  {
    name: 'a SECURITY DEFINER function returning a tenant table, owned by a superuser',
    sql: [
      'create function core.all_tasks() returns setof core.tasks language sql stable security definer set search_path = pg_catalog, pg_temp as $$ select * from core.tasks $$',
      'grant execute on function core.all_tasks() to lintfx_member',
    ],
    // A review note: the call probe, not the lint, decides whether a call returns another tenant's rows.
    want: { rule: 'security-definer-exposed', relation: 'core.tasks', actor: 'member', object: 'function core.all_tasks()', severity: 'info' },
  },
  {
    name: 'a SECURITY DEFINER function without search_path',
    sql: ['create function core.sd_helper() returns int language sql security definer as $$ select 1 $$'],
    want: { rule: 'function-mutable-search-path', object: 'function core.sd_helper()', severity: 'error' },
  },
  {
    name: 'a view without security_invoker owned by a superuser',
    sql: ['create view core.all_projects as select * from core.projects', 'grant select on core.all_projects to lintfx_member'],
    want: { rule: 'view-not-security-invoker', relation: 'core.all_projects', actor: 'member', severity: 'error' },
  },
  {
    name: 'a materialized view over tenant data granted to an actor',
    sql: ['create materialized view core.task_counts as select tenant_id, count(*) as n from core.tasks group by tenant_id', 'grant select on core.task_counts to lintfx_member'],
    want: { rule: 'matview-exposes-tenant-data', relation: 'core.task_counts', actor: 'member', severity: 'error' },
  },
  {
    name: 'a foreign table with the tenant column granted to an actor',
    sql: [
      'create extension if not exists file_fdw',
      'create server lintfx_files foreign data wrapper file_fdw',
      "create foreign table core.imported_users (tenant_id uuid, email text) server lintfx_files options (filename '/dev/null', format 'csv')",
      'grant select on core.imported_users to lintfx_member',
    ],
    want: { rule: 'foreign-table-exposes-tenant-data', relation: 'core.imported_users', actor: 'member', severity: 'error' },
  },
  {
    name: 'BYPASSRLS on the member role',
    sql: ['alter role lintfx_member bypassrls'],
    want: { rule: 'actor-bypasses-rls', actor: 'member', object: 'role lintfx_member', severity: 'error' },
  },
  {
    name: 'a BYPASSRLS role the member can switch to',
    sql: [`create role ${R} nologin bypassrls`, `grant ${R} to lintfx_member`],
    want: { rule: 'actor-bypasses-rls', actor: 'member', object: `role ${R}`, severity: 'error' },
  },
  {
    name: 'the owner role granted to the member role',
    sql: ['grant lintfx_owner to lintfx_member'],
    want: { rule: 'actor-member-of-owner', actor: 'member', object: 'role lintfx_owner', severity: 'error' },
  },
  {
    name: "a policy trusting current_setting('app.role')",
    sql: ["create policy tasks_admin_mode on core.tasks for select to lintfx_member using (current_setting('app.role', true) = 'admin')"],
    want: { rule: 'policy-trusts-forgeable-setting', relation: 'core.tasks', actor: 'member', object: 'policy core.tasks.tasks_admin_mode', severity: 'error' },
    notRules: ['permissive-widening'],
  },
  {
    name: 'a helper function that trusts a forgeable setting',
    sql: [
      "create function core.is_support() returns boolean language sql stable as $$ select current_setting('app.is_support', true) = 'on' $$",
      'grant execute on function core.is_support() to lintfx_member',
      'create policy projects_support on core.projects for select to lintfx_member using (core.is_support())',
    ],
    want: { rule: 'policy-trusts-forgeable-setting', relation: 'core.projects', actor: 'member' },
  },
  {
    name: 'a helper that reads the tenant context and a JSON setting the actor can write',
    sql: [
      "create function core.can_read(t uuid) returns boolean language plpgsql stable as $$ declare g jsonb := nullif(current_setting('app.grants', true), '')::jsonb; begin return t = core.current_tenant_id() or coalesce((g -> t::text) ? 'read', false); end $$",
      'grant execute on function core.can_read(uuid) to lintfx_member',
      'create policy projects_granted on core.projects for select to lintfx_member using (core.can_read(tenant_id))',
    ],
    want: { rule: 'policy-trusts-forgeable-setting', relation: 'core.projects', actor: 'member', object: 'policy core.projects.projects_granted' },
    notRules: ['permissive-widening'],
  },
  {
    name: 'a fail-open unset check',
    sql: ['alter policy projects_select on core.projects using (core.current_tenant_id() is null or tenant_id = core.current_tenant_id())'],
    want: { rule: 'fail-open-null-check', relation: 'core.projects', actor: 'member', object: 'policy core.projects.projects_select', severity: 'error' },
    notRules: ['permissive-widening'],
  },
  {
    name: 'a fail-open COALESCE(context, tenant_id)',
    sql: ["alter policy tasks_select on core.tasks using (tenant_id = coalesce(nullif(current_setting('app.tenant_id', true), '')::uuid, tenant_id))"],
    want: { rule: 'fail-open-null-check', relation: 'core.tasks', actor: 'member' },
  },
  {
    name: 'a nullable tenant column',
    sql: ['alter table core.documents alter column tenant_id drop not null'],
    want: { rule: 'nullable-tenant-column', relation: 'core.documents', severity: 'error' },
  },
  {
    name: 'a plain foreign key in place of a composite one',
    sql: ['alter table core.projects add constraint projects_id_key unique (id)', 'alter table core.tasks add constraint tasks_project_plain_fk foreign key (project_id) references core.projects (id)'],
    want: { rule: 'fk-omits-tenant-column', relation: 'core.tasks', object: 'constraint core.tasks.tasks_project_plain_fk', severity: 'error' },
  },
  {
    name: 'a unique key without the tenant column',
    sql: ['alter table core.users add constraint users_email_key unique (email)'],
    want: { rule: 'unique-omits-tenant-column', relation: 'core.users', object: 'constraint core.users.users_email_key', severity: 'warning' },
  },
  {
    name: 'no index leading with the tenant column',
    sql: ['alter table core.documents drop constraint documents_tenant_id_id_key'],
    want: { rule: 'tenant-index-not-leading', relation: 'core.documents', severity: 'warning' },
  },
  {
    name: 'default privileges granting future tables to the member',
    sql: ['alter default privileges for role lintfx_owner in schema core grant select on tables to lintfx_member'],
    want: { rule: 'default-privileges-to-actor', actor: 'member', severity: 'warning' },
  },
  {
    name: 'a partition without RLS',
    sql: ['alter table billing.invoices_2026 disable row level security'],
    want: { rule: 'partition-without-rls', relation: 'billing.invoices_2026', severity: 'warning' },
  },
  {
    name: 'a partition without RLS that the member may query directly',
    sql: ['alter table billing.invoices_2026 disable row level security', 'grant select on billing.invoices_2026 to lintfx_member'],
    want: { rule: 'partition-without-rls', relation: 'billing.invoices_2026', severity: 'error' },
  },
  {
    name: 'a LEAKPROOF user function',
    sql: ['create function core.leaky(uuid) returns boolean language sql immutable leakproof as $$ select true $$'],
    want: { rule: 'leakproof-function', object: 'function core.leaky(uuid)', severity: 'error' },
  },
  {
    name: 'an identity column on a tenant table',
    sql: ['alter table core.tasks add column number bigint generated always as identity'],
    want: { rule: 'shared-sequence', relation: 'core.tasks', severity: 'warning' },
  },
  {
    name: 'a policy on current_user with a shared pooled role',
    sql: ["create policy tasks_mine on core.tasks for select to lintfx_member using (tenant_id = core.current_tenant_id() and current_user = 'lintfx_member')"],
    want: { rule: 'policy-on-current-user', relation: 'core.tasks', actor: 'member', severity: 'warning' },
  },
  {
    name: 'the anonymous actor granted a tenant table with a policy',
    sql: ['grant select on core.users to lintfx_anon', 'create policy users_anon on core.users for select to lintfx_anon using (tenant_id = core.current_tenant_id())'],
    want: { rule: 'none-actor-reaches-tenant-data', relation: 'core.users', actor: 'anon', severity: 'error' },
  },
  {
    name: 'a policy deciding through a table the member can write',
    sql: [
      'create table core.grants (grantee text not null, granted_tenant uuid not null)',
      'grant select, insert on core.grants to lintfx_member',
      "create policy projects_granted on core.projects for select to lintfx_member using (tenant_id in (select g.granted_tenant from core.grants g where g.grantee = current_setting('app.tenant_id', true)))",
    ],
    want: { rule: 'policy-subquery-without-rls', relation: 'core.projects', object: 'policy core.projects.projects_granted', severity: 'error' },
  },
  {
    name: 'a revoked helper function',
    sql: ['revoke execute on function core.current_tenant_id() from lintfx_member'],
    want: { rule: 'policy-function-not-executable', relation: 'core.users', actor: 'member', severity: 'warning' },
  },
  {
    name: 'a global table writable by the member',
    sql: ['grant insert on core.countries to lintfx_member'],
    want: { rule: 'global-table-access', relation: 'core.countries', actor: 'member', severity: 'error' },
  },
  {
    name: 'an undeclared table without tenant column reachable by the member',
    sql: ['create table core.plans (id uuid primary key, name text not null, created_at timestamptz not null default now(), updated_at timestamptz not null default now())', 'grant select on core.plans to lintfx_member'],
    want: { rule: 'undeclared-global-table', relation: 'core.plans', severity: 'warning' },
  },
  {
    name: 'a table without updated_at',
    sql: ['alter table core.projects drop column updated_at'],
    want: { rule: 'convention-timestamps', relation: 'core.projects', severity: 'warning' },
  },
  {
    name: 'a foreign key without index',
    sql: ['drop index core.users_country_idx'],
    want: { rule: 'convention-foreign-key-indexed', relation: 'core.users', object: 'constraint core.users.users_country_code_fkey', severity: 'warning' },
  },
  {
    name: 'a column name that needs quoting',
    sql: ['alter table core.projects rename column name to "Name"'],
    want: { rule: 'convention-naming', relation: 'core.projects', object: 'column core.projects.Name', severity: 'warning' },
  },
];

describe('each pitfall makes its rule fire', () => {
  it.each(CASES)('$want.rule: $name', async (c) => {
    const { findings } = await lintWith(fx, c.sql);
    const f = expectFinding(findings, c.want);
    expect(f.message.length).toBeGreaterThan(20);
    expect(f.fix.length).toBeGreaterThan(10);
    for (const rule of c.notRules ?? []) expect(ofRule(findings, rule).filter((x) => x.relation === c.want.relation)).toEqual([]);
  });

  it('each rule has at least one planted case (or a config case below)', () => {
    const planted = new Set([...CASES.map((c) => c.want.rule), 'session-level-context', 'config-unknown-role', 'config-unknown-object', 'shared-row-exception']);
    expect(RULES.map((r) => r.id).filter((id) => !planted.has(id))).toEqual([]);
  });
});

describe('rules driven by the config', () => {
  it('session-level-context: set_config(..., false) in an actor context', async () => {
    const config = configWith(fx, (c) => ({ ...c, actors: c.actors.map((a) => (a.name === 'member' ? { ...a, context: { sql: "select set_config('app.tenant_id', $tenant, false)" } } : a)) }));
    const { findings } = await lintWith(fx, [], config);
    expectFinding(findings, { rule: 'session-level-context', actor: 'member', severity: 'error' });
    expect(ofRule(findings, 'session-level-context').filter((f) => f.actor === 'admin')).toEqual([]);
  });

  it('session-level-context: a helper function that sets the context for the session', async () => {
    const config = configWith(fx, (c) => ({ ...c, actors: c.actors.map((a) => (a.name === 'admin' ? { ...a, context: { sql: 'select core.enter_tenant($tenant)' } } : a)) }));
    const { findings } = await lintWith(fx, ["create function core.enter_tenant(t text) returns void language sql as $$ select set_config('app.tenant_id', t, false) $$"], config);
    expectFinding(findings, { rule: 'session-level-context', actor: 'admin' });
    // The helper's setting counts as the admin's context: its policies are not "forgeable".
    expect(ofRule(findings, 'policy-trusts-forgeable-setting')).toEqual([]);
  });

  it('config-unknown-role: an actor whose role does not exist', async () => {
    const config = configWith(fx, (c) => ({ ...c, actors: [...c.actors, { name: 'ghost', role: 'lintfx_no_such_role', expect: 'none' }] }));
    const { findings } = await lintWith(fx, [], config);
    expectFinding(findings, { rule: 'config-unknown-role', actor: 'ghost', severity: 'error' });
  });

  it('config-unknown-object: a tenant column that matches nothing is an error, not a silent pass', async () => {
    const config = configWith(fx, (c) => ({ ...c, tenancy: { ...c.tenancy, tenantColumn: 'org_id', tenantTable: undefined } }));
    const { findings } = await lintWith(fx, [], config);
    expectFinding(findings, { rule: 'config-unknown-object', relation: null, severity: 'error' });
  });

  it('config-unknown-object: a global table that does not exist', async () => {
    const config = configWith(fx, (c) => ({ ...c, globalTables: [...(c.globalTables ?? []), { relation: 'core.nope', reason: 'typo' }] }));
    const { findings } = await lintWith(fx, [], config);
    expectFinding(findings, { rule: 'config-unknown-object', relation: 'core.nope', severity: 'warning' });
  });

  it('shared-row-exception: a reviewed sharing policy is reported as info and not as widening', async () => {
    const mutation = ['alter table core.projects add column is_template boolean not null default false', 'create policy projects_templates on core.projects for select to lintfx_member using (is_template)'];
    expectFinding((await lintWith(fx, mutation)).findings, { rule: 'permissive-widening', relation: 'core.projects', actor: 'member' });
    const config = configWith(fx, (c) => ({ ...c, sharedRows: [{ relation: 'core.projects', policy: 'projects_templates', reason: 'project templates are shared', reviewedBy: 'security' }] }));
    const { findings } = await lintWith(fx, mutation, config);
    expectFinding(findings, { rule: 'shared-row-exception', relation: 'core.projects', severity: 'info' });
    expect(ofRule(findings, 'permissive-widening')).toEqual([]);
  });

  it('shared-row-exception: a predicate exception silences only that branch', async () => {
    const mutation = ['alter table core.projects add column is_template boolean not null default false', "alter policy projects_select on core.projects using (tenant_id = core.current_tenant_id() or is_template or name = 'x')"];
    const config = configWith(fx, (c) => ({ ...c, sharedRows: [{ relation: 'core.projects', predicate: 'is_template', reason: 'templates', reviewedBy: 'security' }] }));
    const { findings } = await lintWith(fx, mutation, config);
    const widening = ofRule(findings, 'permissive-widening');
    expect(widening.length).toBeGreaterThan(0);
    expect(widening.every((f) => f.message.includes("name = 'x'") && !f.message.includes('is_template'))).toBe(true);
  });

  it('severity overrides and "off" apply', async () => {
    const mutation = ['alter table core.users no force row level security', 'alter table core.documents alter column tenant_id drop not null'];
    const config = configWith(fx, (c) => ({ ...c, lint: { rules: { 'rls-not-forced': 'warning', 'nullable-tenant-column': 'off' } } }));
    const { findings } = await lintWith(fx, mutation, config);
    expectFinding(findings, { rule: 'rls-not-forced', relation: 'core.users', severity: 'warning' });
    expect(ofRule(findings, 'nullable-tenant-column')).toEqual([]);
  });

  it('a reviewed ignore keeps the finding, as info with its reason', async () => {
    const config = configWith(fx, (c) => ({ ...c, lint: { ignore: [{ rule: 'unique-omits-tenant-column', relation: 'core.users', reason: 'e-mail is global by design' }] } }));
    const { findings } = await lintWith(fx, ['alter table core.users add constraint users_email_key unique (email)'], config);
    const f = expectFinding(findings, { rule: 'unique-omits-tenant-column', relation: 'core.users', severity: 'info' });
    expect(f.message).toContain('accepted: e-mail is global by design');
  });
});

describe('no false positives on intended designs', () => {
  it('a branch on session_user or current_user is judged for the actor: never true for it is no finding, always true is', async () => {
    const never = await lintWith(fx, ["alter policy projects_select on core.projects using ((tenant_id = core.current_tenant_id()) or (session_user = 'postgres'))"]);
    expect(never.findings.filter((f) => f.relation === 'core.projects' && f.rule !== 'policy-on-current-user')).toEqual([]);
    const always = await lintWith(fx, ["alter policy projects_select on core.projects using ((tenant_id = core.current_tenant_id()) or (current_user = 'lintfx_member'))"]);
    expectFinding(always.findings, { rule: 'policy-always-true', relation: 'core.projects', actor: 'member' });
    expect(ofRule(always.findings, 'policy-always-true').filter((f) => f.actor === 'admin')).toEqual([]);
  });

  it('an all actor with BYPASSRLS, and a SECURITY DEFINER function only it may run, are intended', () => {
    expect(clean.filter((f) => f.actor === 'platform')).toEqual([]);
  });

  it('a SECURITY DEFINER function owned by the table owner under FORCE RLS bypasses nothing', async () => {
    const { findings } = await lintWith(fx, [
      'set local role lintfx_owner',
      'create function core.my_tasks() returns setof core.tasks language sql stable security definer set search_path = pg_catalog, pg_temp as $$ select * from core.tasks $$',
      'grant execute on function core.my_tasks() to lintfx_member',
      'reset role',
    ]);
    expect(ofRule(findings, 'security-definer-exposed')).toEqual([]);
  });

  it('a policy that narrows with a forgeable setting under the tenant check is fine', async () => {
    const { findings } = await lintWith(fx, ["alter policy projects_select on core.projects using (tenant_id = core.current_tenant_id() and current_setting('app.feature', true) is distinct from 'off')"]);
    expect(findings).toEqual([]);
  });

  it('a helper that checks a membership table with the tenant context is constrained', async () => {
    const { findings } = await lintWith(fx, [
      'create function core.is_tenant_user(t uuid, u uuid) returns boolean language sql stable as $$ select exists (select from core.users x where x.tenant_id = t and x.id = u and x.tenant_id = core.current_tenant_id()) $$',
      'alter policy projects_select on core.projects using (core.is_tenant_user(tenant_id, owner_id))',
    ]);
    expect(findings).toEqual([]);
  });

  it('a tenant check ANDed with a forgeable setting in the policy itself is constrained; ORed it is not', async () => {
    const and = await lintWith(fx, ["alter policy projects_select on core.projects using ((tenant_id = core.current_tenant_id()) and (current_setting('app.grants', true)::jsonb ? 'read'))"]);
    expect(and.findings).toEqual([]);
    const or = await lintWith(fx, ["alter policy projects_select on core.projects using ((tenant_id = core.current_tenant_id()) or (current_setting('app.grants', true)::jsonb -> tenant_id::text) ? 'read')"]);
    expectFinding(or.findings, { rule: 'policy-trusts-forgeable-setting', relation: 'core.projects', actor: 'member' });
  });

  it('tenant_id = tenant_id (a typo for the context) is always true', async () => {
    const { findings } = await lintWith(fx, ['alter policy projects_select on core.projects using (tenant_id = tenant_id)']);
    expectFinding(findings, { rule: 'policy-always-true', relation: 'core.projects', actor: 'member' });
  });

  it('a restrictive tenant policy masks a wide permissive one', async () => {
    const { findings } = await lintWith(fx, [
      'alter table core.documents add column is_public boolean not null default false',
      'create policy documents_public on core.documents for select to lintfx_member using (is_public)',
      'create policy documents_tenant on core.documents as restrictive for select to lintfx_member using (tenant_id = core.current_tenant_id())',
    ]);
    expect(ofRule(findings, 'permissive-widening')).toEqual([]);
  });

  it('a correlated subquery relying on the parent table\'s RLS is tenant-scoped', async () => {
    const { findings } = await lintWith(fx, ['alter policy document_versions_select on core.document_versions using (document_id in (select d.id from core.documents d))']);
    expect(findings).toEqual([]);
  });

  it('an uncorrelated EXISTS on a tenant table is not', async () => {
    const { findings } = await lintWith(fx, ['alter policy document_versions_select on core.document_versions using (exists (select from core.documents))']);
    expectFinding(findings, { rule: 'permissive-widening', relation: 'core.document_versions', actor: 'member' });
  });

  it('a partition under RLS but not forced is silent (no actor may query it directly)', async () => {
    const { findings } = await lintWith(fx, ['alter table billing.invoices_2025 no force row level security']);
    expect(findings).toEqual([]);
  });
});

describe('findings', () => {
  it('have stable ids and come sorted', async () => {
    const mutation = ['alter table core.users no force row level security', 'create policy tasks_everything on core.tasks for select to lintfx_member, lintfx_admin using (true)'];
    const a = (await lintWith(fx, mutation)).findings;
    const b = (await lintWith(fx, mutation)).findings;
    expect(a).toEqual(b);
    expect(new Set(a.map((f) => f.id)).size).toBe(a.length);
    expect(a.map((f) => f.id)).toContain('policy-always-true:policy core.tasks.tasks_everything:member');
    expect(a.map((f) => f.id)).toContain('rls-not-forced:core.users:-');
  });
});

describe('analyze', () => {
  it('introspects, locates each object in the migrations and lints', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tp-lint-migrations-'));
    mkdirSync(path.join(dir, 'committed'));
    const file = path.join(dir, 'committed', '000001-clean.sql');
    copyFileSync(path.join(FIXTURES, 'clean-schema.sql'), file);
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.startsWith('create table core.users')) + 1;
    const { findings, catalog } = await rolledBack(fx.db, async (tx) => {
      await apply(tx, ['alter table core.users no force row level security', "alter policy tasks_select on core.tasks using (true)"]);
      return analyze(tx, fx.config, { migrationsDir: dir });
    });
    expect(catalog.relations.length).toBeGreaterThan(5);
    expect(expectFinding(findings, { rule: 'rls-not-forced', relation: 'core.users' }).location).toEqual({ file, line }); // outside the working folder: absolute
    const policyLine = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.startsWith('create policy tasks_select')) + 1;
    expect(expectFinding(findings, { rule: 'policy-always-true', actor: 'member' }).location?.line).toBe(policyLine);
  });
});
