/**
 * Severities that match the risk, on the clean fixture: each false-alarm class of issue 13 has a
 * correct case that must not be flagged (or only as info) and a planted case that must still be
 * caught, and where a finding's claim can be checked on the server (a refused write, a recursion,
 * a fix that runs), the server checks it.
 */
import { sql, type Queryable } from '@databases/pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantproofConfig } from '../../src/config/index.js';
import type { Finding } from '../../src/findings/types.js';
import { apply, configWith, expectFinding, fixtureDatabase, lintWith, ofRule, rolledBack, uniqueRole, type FixtureDatabase } from './support/harness.js';

let fx: FixtureDatabase;

beforeAll(async () => {
  fx = await fixtureDatabase('clean-schema.sql', 'clean-schema.config.ts');
});
afterAll(async () => {
  await fx?.drop();
});

const errors = (findings: Finding[]) => findings.filter((f) => f.severity === 'error');
const TENANT_A = '00000000-0000-4000-8000-00000000000a';
const TENANT_B = '00000000-0000-4000-8000-00000000000b';

/** Runs the first statement of a fix, with the tenant context placeholder filled in: the fix is valid SQL. */
async function runFix(tx: Queryable, fix: string): Promise<void> {
  const statement = fix.slice(0, fix.indexOf(';') + 1).replaceAll('<tenant context>', 'core.current_tenant_id()');
  expect(statement.length).toBeGreaterThan(10);
  await tx.query(sql.__dangerous__rawValue(statement));
}

/** Two tenants (and rows of `seed`, written as the superuser), then the role and tenant A's context of a request, inside the open transaction. */
async function asActorInTenantA(tx: Queryable, role: string, seed: readonly string[] = []): Promise<void> {
  await tx.query(sql`insert into core.tenants (id, name) values (${TENANT_A}, 'a'), (${TENANT_B}, 'b')`);
  await apply(tx, seed);
  await tx.query(sql.__dangerous__rawValue(`set local role ${role}`));
  await tx.query(sql`select set_config('app.tenant_id', ${TENANT_A}, true)`);
}

const withConfig = (patch: (c: TenantproofConfig) => TenantproofConfig) => configWith(fx, patch);
const memberLogin = (login: string) => (c: TenantproofConfig): TenantproofConfig => ({ ...c, actors: c.actors.map((a) => (a.name === 'member' ? { ...a, login } : a)) });

describe('rls-not-forced: an error only when an actor or its login can become a non-superuser owner', () => {
  it('no actor or login can become the owner: info, with FORCE as the fix', async () => {
    const { findings } = await lintWith(fx, ['alter table core.users no force row level security']);
    const f = expectFinding(findings, { rule: 'rls-not-forced', relation: 'core.users', severity: 'info' });
    expect(f.message).toContain('no actor or login is or can become lintfx_owner');
    expect(f.fix).toMatch(/^ALTER TABLE core\.users FORCE ROW LEVEL SECURITY;$/);
    expect(errors(findings)).toEqual([]);
  });

  it('the member role owns the table: error naming the member', async () => {
    const { findings } = await lintWith(fx, ['alter table core.users no force row level security', 'alter table core.users owner to lintfx_member']);
    expect(expectFinding(findings, { rule: 'rls-not-forced', relation: 'core.users', severity: 'error' }).message).toContain('member is lintfx_member itself');
  });

  it('the member inherits the owner through a membership: error', async () => {
    const { findings } = await lintWith(fx, ['alter table core.users no force row level security', 'grant lintfx_owner to lintfx_member']);
    expect(expectFinding(findings, { rule: 'rls-not-forced', relation: 'core.users', severity: 'error' }).message).toContain('lintfx_member -> lintfx_owner');
  });

  it("the member's login may SET ROLE to the owner: error, through the login", async () => {
    const login = uniqueRole('lintfx_login');
    const planted = [`create role ${login} login noinherit`, `grant lintfx_member to ${login}`, `grant lintfx_owner to ${login}`, 'alter table core.users no force row level security'];
    const { findings } = await lintWith(fx, planted, withConfig(memberLogin(login)));
    expect(expectFinding(findings, { rule: 'rls-not-forced', relation: 'core.users', severity: 'error' }).message).toContain(`through its login ${login} reaches lintfx_owner`);
    expectFinding(findings, { rule: 'actor-member-of-owner', actor: 'member', object: 'role lintfx_owner', severity: 'error' });
    // The same roles without the login declared: the member role itself cannot become the owner.
    expect(ofRule((await lintWith(fx, planted)).findings, 'rls-not-forced').map((f) => f.severity)).toEqual(['info']);
  });

  it('a route to the owner that platformRoles declares: info in both rules, with the reason', async () => {
    const login = uniqueRole('lintfx_login');
    const planted = [`create role ${login} login noinherit`, `grant lintfx_member to ${login}`, `grant lintfx_owner to ${login}`, 'alter table core.users no force row level security'];
    const config = withConfig((c) => ({ ...memberLogin(login)(c), platformRoles: [{ role: 'lintfx_owner', logins: [login], reason: 'the deploy job runs migrations through the API login' }] }));
    const { findings } = await lintWith(fx, planted, config);
    expect(expectFinding(findings, { rule: 'rls-not-forced', relation: 'core.users', severity: 'info' }).message).toContain('other than through routes declared in platformRoles');
    expect(expectFinding(findings, { rule: 'actor-member-of-owner', actor: 'member', severity: 'info' }).message).toContain('the deploy job runs migrations');
    expect(errors(findings)).toEqual([]);
  });

  it('a superuser owner: info, FORCE has no effect and the risk is a path to that role', async () => {
    const { findings, catalog } = await lintWith(fx, ['alter table core.users no force row level security', 'alter table core.users owner to current_user']);
    const owner = catalog.relations.find((r) => r.qualifiedName === 'core.users')!.owner;
    expect(catalog.roles.find((r) => r.name === owner)?.superuser).toBe(true);
    const f = expectFinding(findings, { rule: 'rls-not-forced', relation: 'core.users', severity: 'info' });
    expect(f.message).toContain('FORCE has no effect on a superuser');
    expect(f.message).toContain('actor-bypasses-rls');
    expect(errors(findings)).toEqual([]);
  });

  // A helper that the table's own policy calls, SECURITY DEFINER as the owner, reading the same table.
  const helper = [
    'set local role lintfx_owner',
    // A membership-style check: the tenant has users, and it is the caller's tenant.
    'create function core.tenant_visible(t uuid) returns boolean language sql stable security definer set search_path = pg_catalog, pg_temp as $$ select exists (select 1 from core.users u where u.tenant_id = t) and t = core.current_tenant_id() $$',
    'grant execute on function core.tenant_visible(uuid) to lintfx_member, lintfx_admin',
    'reset role',
    'alter table core.users no force row level security',
  ];

  it('the fix warns when FORCE would make a policy and its SECURITY DEFINER helper recurse, and the server agrees', async () => {
    // The policy applies to every role, the owner included: once forced, the helper's read applies it again.
    const policy = 'create policy users_known on core.users for select using (core.tenant_visible(tenant_id))';
    const { findings } = await lintWith(fx, [...helper, policy]);
    const f = expectFinding(findings, { rule: 'rls-not-forced', relation: 'core.users' });
    expect(f.fix).toContain('core.tenant_visible(t uuid)');
    expect(f.fix).toContain('stack depth limit exceeded');
    const read = (force: boolean) =>
      rolledBack(fx.db, async (tx) => {
        await apply(tx, [...helper, policy, ...(force ? ['alter table core.users force row level security'] : [])]);
        // The policy runs once per row: a user in each tenant.
        await asActorInTenantA(tx, 'lintfx_member', [`insert into core.users (tenant_id, email) values ('${TENANT_A}', 'a@example.test'), ('${TENANT_B}', 'b@example.test')`]);
        return tx.query(sql`select count(*)::int as n from core.users`);
      });
    await expect(read(false)).resolves.toEqual([{ n: 1 }]);
    await expect(read(true)).rejects.toThrow(/stack depth limit exceeded/);
  });

  it('the fix warns when FORCE would leave a SECURITY DEFINER helper of the owner without rows', async () => {
    const policy = 'create policy users_known on core.users for select to lintfx_member using (core.tenant_visible(tenant_id))';
    const f = expectFinding((await lintWith(fx, [...helper, policy])).findings, { rule: 'rls-not-forced', relation: 'core.users' });
    expect(f.fix).not.toContain('stack depth');
    expect(f.fix).toContain('no policy applies to lintfx_owner');
  });
});

describe('write-without-check: silent where PostgreSQL checks new rows with USING', () => {
  const forAll = ['drop policy users_write on core.users', 'create policy users_write on core.users for all to lintfx_admin using (tenant_id = core.current_tenant_id())'];

  it('a FOR ALL policy without WITH CHECK is not flagged, and the server refuses a row of another tenant', async () => {
    const { findings } = await lintWith(fx, forAll);
    expect(ofRule(findings, 'write-without-check')).toEqual([]);
    expect(findings.filter((f) => f.relation === 'core.users')).toEqual([]);
    const plant = (tenant: string) =>
      rolledBack(fx.db, async (tx) => {
        await apply(tx, forAll);
        await asActorInTenantA(tx, 'lintfx_admin');
        return tx.query(sql`insert into core.users (tenant_id, email) values (${tenant}, 'x@example.test') returning tenant_id::text as t`);
      });
    await expect(plant(TENANT_A)).resolves.toEqual([{ t: TENANT_A }]);
    await expect(plant(TENANT_B)).rejects.toThrow(/row-level security/);
  });

  it('a FOR UPDATE policy with USING and without WITH CHECK is not flagged', async () => {
    const { findings } = await lintWith(fx, ['create policy projects_update2 on core.projects for update to lintfx_admin using (tenant_id = core.current_tenant_id())']);
    expect(ofRule(findings, 'write-without-check')).toEqual([]);
  });

  it('a FOR INSERT policy without WITH CHECK is flagged, with a fix that runs', async () => {
    const planted = ['create policy users_insert_open on core.users for insert to lintfx_admin'];
    const f = expectFinding((await lintWith(fx, planted)).findings, { rule: 'write-without-check', object: 'policy core.users.users_insert_open', severity: 'warning' });
    expect(f.fix).toBe('ALTER POLICY users_insert_open ON core.users WITH CHECK (tenant_id = <tenant context>);');
    await rolledBack(fx.db, async (tx) => {
      await apply(tx, planted);
      await runFix(tx, f.fix);
    });
  });

  it('on a relation without a tenant column of its own, the fix checks the parent row instead', async () => {
    const planted = ['create policy document_versions_insert2 on core.document_versions for insert to lintfx_admin'];
    const f = expectFinding((await lintWith(fx, planted)).findings, { rule: 'write-without-check', relation: 'core.document_versions' });
    expect(f.fix).toContain('EXISTS (SELECT FROM core.documents p WHERE p.id = document_versions.document_id AND p.tenant_id = <tenant context>)');
    expect(f.fix).not.toMatch(/\(tenant_id =/);
    await rolledBack(fx.db, async (tx) => {
      await apply(tx, planted);
      await runFix(tx, f.fix);
    });
  });
});

describe('actor-bypasses-rls: the login counts, and platformRoles declares a platform\'s own routes', () => {
  // In the fixture the application's login lintfx_app may SET ROLE to every actor, lintfx_platform (BYPASSRLS) included.
  const declared = (c: TenantproofConfig): TenantproofConfig => ({
    ...memberLogin('lintfx_app')(c),
    platformRoles: [{ role: 'lintfx_platform', logins: ['lintfx_app'], reason: 'platform operators act through the API login' }],
  });

  it('a login that may switch to a BYPASSRLS role, undeclared: error', async () => {
    const { findings } = await lintWith(fx, [], withConfig(memberLogin('lintfx_app')));
    const f = expectFinding(findings, { rule: 'actor-bypasses-rls', actor: 'member', object: 'role lintfx_platform', severity: 'error' });
    expect(f.message).toContain('through its login lintfx_app');
    expect(f.fix).toContain("platformRoles: [{ role: 'lintfx_platform', logins: ['lintfx_app']");
  });

  it('the same route declared in platformRoles: info with the declared reason, and no error', async () => {
    const { findings } = await lintWith(fx, [], withConfig(declared));
    const f = expectFinding(findings, { rule: 'actor-bypasses-rls', actor: 'member', object: 'role lintfx_platform', severity: 'info' });
    expect(f.message).toContain('platform operators act through the API login');
    expect(errors(findings)).toEqual([]);
  });

  it("a declared login route does not excuse the actor role's own route to the same role", async () => {
    const { findings } = await lintWith(fx, ['grant lintfx_platform to lintfx_member'], withConfig(declared));
    const f = expectFinding(findings, { rule: 'actor-bypasses-rls', actor: 'member', object: 'role lintfx_platform', severity: 'error' });
    expect(f.fix).toBe('REVOKE lintfx_platform FROM lintfx_member; (or grant it WITH SET FALSE on PostgreSQL 16+)');
  });
});

describe('shared rows are honoured by the rules that look at who sees which rows', () => {
  const publicDocs = ['alter table core.documents add column is_public boolean not null default false', 'create policy documents_public on core.documents for select using (is_public)'];
  const shared = (s: { policy?: string; predicate?: string; access?: 'read' | 'write' }) => (c: TenantproofConfig): TenantproofConfig => ({
    ...c,
    sharedRows: [{ relation: 'core.documents', ...s, reason: 'public documents', reviewedBy: 'security' }],
  });

  it('a sharing policy without TO: flagged undeclared, silent once declared', async () => {
    expectFinding((await lintWith(fx, publicDocs)).findings, { rule: 'policy-to-public', object: 'policy core.documents.documents_public' });
    const { findings } = await lintWith(fx, publicDocs, withConfig(shared({ policy: 'documents_public' })));
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expectFinding(findings, { rule: 'shared-row-exception', relation: 'core.documents', severity: 'info' });
  });

  it('the anonymous actor reading declared shared rows is no finding; writing them under read access is', async () => {
    const anon = ['alter table core.documents add column is_public boolean not null default false', 'grant select on core.documents to lintfx_anon', 'create policy documents_anon on core.documents for select to lintfx_anon using (is_public)'];
    expectFinding((await lintWith(fx, anon)).findings, { rule: 'none-actor-reaches-tenant-data', actor: 'anon', relation: 'core.documents' });
    expect(ofRule((await lintWith(fx, anon, withConfig(shared({ predicate: 'is_public' })))).findings, 'none-actor-reaches-tenant-data')).toEqual([]);
    const writes = [...anon.slice(0, 2), 'grant insert on core.documents to lintfx_anon', 'create policy documents_anon on core.documents for all to lintfx_anon using (is_public)'];
    expectFinding((await lintWith(fx, writes, withConfig(shared({ policy: 'documents_anon' })))).findings, { rule: 'none-actor-reaches-tenant-data', actor: 'anon', severity: 'error' });
    expect(ofRule((await lintWith(fx, writes, withConfig(shared({ policy: 'documents_anon', access: 'write' })))).findings, 'none-actor-reaches-tenant-data')).toEqual([]);
  });
});

describe("rules that name the tenant column use the relation's own", () => {
  const files = (fk: string, nullable = false) => [
    // A primary key would make owner_tenant NOT NULL: the nullable variant keys on a unique constraint.
    `create table core.files (owner_tenant uuid ${nullable ? '' : 'not null '}references core.tenants (id), id uuid not null default gen_random_uuid(), document_id uuid not null, created_at timestamptz not null default now(), updated_at timestamptz not null default now(), ${nullable ? 'unique' : 'primary key'} (owner_tenant, id), ${fk})`,
    'create index files_document_idx on core.files (owner_tenant, document_id)',
    'alter table core.files enable row level security',
    'alter table core.files force row level security',
    'create policy files_select on core.files for select to lintfx_member using (owner_tenant = core.current_tenant_id())',
    'grant select on core.files to lintfx_member',
  ];
  const composite = 'foreign key (owner_tenant, document_id) references core.documents (tenant_id, id)';
  const override = () => withConfig((c) => ({ ...c, tenancy: { ...c.tenancy, relations: { 'core.files': { tenantColumn: 'owner_tenant' } } } }));

  it('a table whose tenant column has another name, built right: no finding', async () => {
    const { findings, catalog } = await lintWith(fx, files(composite), override());
    expect(catalog.relations.find((r) => r.qualifiedName === 'core.files')?.tenancy).toMatchObject({ kind: 'direct', column: 'owner_tenant' });
    expect(findings.map((f) => `${f.id}: ${f.message}`)).toEqual([]);
  });

  it('a plain foreign key: error whose fix pairs owner_tenant with the parent\'s tenant_id', async () => {
    const { findings } = await lintWith(fx, files('foreign key (document_id) references core.documents (id)'), override());
    const f = expectFinding(findings, { rule: 'fk-omits-tenant-column', relation: 'core.files', severity: 'error' });
    expect(f.fix).toContain('FOREIGN KEY (owner_tenant, document_id) REFERENCES core.documents (tenant_id, id)');
  });

  it('a nullable owner_tenant: error with a fix that runs', async () => {
    const planted = files(composite, true);
    const f = expectFinding((await lintWith(fx, planted, override())).findings, { rule: 'nullable-tenant-column', object: 'column core.files.owner_tenant' });
    await rolledBack(fx.db, async (tx) => {
      await apply(tx, planted);
      await runFix(tx, f.fix);
    });
  });

  it('an override naming a column the relation lacks is an error, not a silent pass', async () => {
    const config = withConfig((c) => ({ ...c, tenancy: { ...c.tenancy, relations: { 'core.files': { tenantColumn: 'owner_tenant_id' } } } }));
    expectFinding((await lintWith(fx, files(composite), config)).findings, { rule: 'config-unknown-object', relation: 'core.files', severity: 'error' });
  });
});

describe('fix SQL quotes identifiers as quote_ident would', () => {
  const odd = [
    'create table core."Odd." (tenant_id uuid references core.tenants (id), id uuid not null default gen_random_uuid(), created_at timestamptz not null default now(), updated_at timestamptz not null default now())',
    'alter table core."Odd." enable row level security',
    'alter table core."Odd." force row level security',
    'create policy "my policy." on core."Odd." for insert to lintfx_admin',
    'grant select, insert on core."Odd." to lintfx_admin',
  ];

  it('a policy name with a space and a dot, on a table whose name ends in a dot: every fix runs', async () => {
    const { findings } = await lintWith(fx, odd);
    const fixes = ['write-without-check', 'nullable-tenant-column', 'tenant-index-not-leading'].map((rule) => expectFinding(findings, { rule, relation: 'core.Odd.' }).fix);
    expect(fixes[0]).toBe('ALTER POLICY "my policy." ON core."Odd." WITH CHECK (tenant_id = <tenant context>);');
    await rolledBack(fx.db, async (tx) => {
      await apply(tx, odd);
      for (const fix of fixes) await runFix(tx, fix.replace(/^.*or (CREATE INDEX)/, '$1'));
    });
  });
});

describe('accept: a reviewed exception keeps the finding, as info with reason and reviewer', () => {
  it('accept and its alias lint.ignore', async () => {
    const planted = ['alter table core.users add constraint users_email_key unique (email)'];
    const entry = { rule: 'unique-omits-tenant-column', relation: 'core.users', reason: 'e-mail is global by design' };
    const viaAccept = await lintWith(fx, planted, withConfig((c) => ({ ...c, accept: [{ ...entry, reviewedBy: 'security@example.test' }] })));
    expect(expectFinding(viaAccept.findings, { rule: 'unique-omits-tenant-column', severity: 'info' }).message).toMatch(/\(accepted: e-mail is global by design, reviewed by security@example\.test\)$/);
    const viaIgnore = await lintWith(fx, planted, withConfig((c) => ({ ...c, lint: { ignore: [entry] } })));
    expect(expectFinding(viaIgnore.findings, { rule: 'unique-omits-tenant-column', severity: 'info' }).message).toMatch(/\(accepted: e-mail is global by design\)$/);
  });
});
