/**
 * The catalog model read from a real server: tenancy discovery (direct,
 * indirect with its path, derived), transitive memberships with INHERIT and
 * SET, settings read by policies (directly and through helper functions),
 * partitions, views, functions, keys, indexes, sequences, privileges.
 */
import { IsolationLevel, sql } from '@databases/pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOptions, introspect, type Catalog, type Relation } from '../../src/catalog/index.js';
import { apply, fixtureDatabase, rolledBack, uniqueRole, type FixtureDatabase } from './support/harness.js';

let fx: FixtureDatabase;
let base: Catalog;

beforeAll(async () => {
  fx = await fixtureDatabase('clean-schema.sql', 'clean-schema.config.ts');
  base = await introspect(fx.db, catalogOptions(fx.config));
});
afterAll(async () => {
  await fx?.drop();
});

function rel(c: Catalog, name: string): Relation {
  const r = c.relations.find((x) => x.qualifiedName === name);
  if (!r) throw new Error(`no relation ${name}`);
  return r;
}

async function catalogWith(statements: string[], actorRoles?: string[]): Promise<Catalog> {
  return rolledBack(fx.db, async (tx) => {
    await apply(tx, statements);
    return introspect(tx, { ...catalogOptions(fx.config), ...(actorRoles ? { actorRoles } : {}) });
  });
}

describe('tenancy', () => {
  it('classifies the tenant table, direct, indirect, derived and global relations', () => {
    const kinds = Object.fromEntries(base.relations.map((r) => [r.qualifiedName, r.tenancy?.kind ?? null]));
    expect(kinds).toMatchObject({
      'core.tenants': 'tenant-table',
      'core.users': 'direct',
      'core.document_versions': 'indirect',
      'billing.invoices': 'direct',
      'billing.invoices_2025': 'direct',
      'billing.invoice_totals': 'direct',
      'core.countries': null,
    });
    expect(base.tenancy).toEqual({
      tenantColumn: 'tenant_id',
      tenantColumns: ['tenant_id'],
      relationColumns: {},
      tenantType: 'uuid',
      tenantTable: 'core.tenants',
      tenantKey: 'id',
      tenantTableSource: 'config',
      globalRelations: ['core.countries'],
    });
  });

  it('reports the path of indirect tenancy, transitively, and ignores nullable keys', async () => {
    const c = await catalogWith([
      'create table core.version_notes (id uuid primary key default gen_random_uuid(), version_id uuid not null references core.document_versions (id))',
      'create table core.loose_notes (id uuid primary key default gen_random_uuid(), document_id uuid references core.documents (id))',
      'create view core.version_note_ids as select id from core.version_notes',
    ]);
    expect(rel(c, 'core.version_notes').tenancy).toEqual({
      kind: 'indirect',
      column: null,
      path: [
        { from: 'core.version_notes', to: 'core.document_versions', via: 'version_notes_version_id_fkey', columns: ['version_id'] },
        { from: 'core.document_versions', to: 'core.documents', via: 'document_versions_document_id_fkey', columns: ['document_id'] },
      ],
    });
    expect(rel(c, 'core.loose_notes').tenancy).toBeNull();
    const derived = rel(c, 'core.version_note_ids').tenancy!;
    expect(derived.kind).toBe('derived');
    expect(derived.path.map((h) => `${h.from}->${h.to} (${h.via})`)).toEqual([
      'core.version_note_ids->core.version_notes (view)',
      'core.version_notes->core.document_versions (version_notes_version_id_fkey)',
      'core.document_versions->core.documents (document_versions_document_id_fkey)',
    ]);
  });

  it("infers the tenant table from the tenant column's foreign keys when the config names none", async () => {
    const c = await introspect(fx.db, { actorRoles: [], tenantColumns: ['tenant_id'] });
    expect(c.tenancy).toMatchObject({ tenantTable: 'core.tenants', tenantKey: 'id', tenantTableSource: 'inferred' });
  });

  it('scans only the schemas asked for', async () => {
    const c = await introspect(fx.db, { actorRoles: [], schemas: ['billing'] });
    expect(c.scannedSchemas).toEqual(['billing']);
    expect(new Set(c.relations.map((r) => r.schema))).toEqual(new Set(['billing']));
  });
});

describe('roles', () => {
  it("follows memberships transitively, with the path and the server's INHERIT / SET answers", async () => {
    const [a, b, top] = [uniqueRole(), uniqueRole(), uniqueRole()];
    const c = await catalogWith(
      [`create role ${a} nologin`, `create role ${b} nologin`, `create role ${top} nologin bypassrls`, `grant ${top} to ${b}`, `grant ${b} to ${a}`],
      [a],
    );
    const actor = c.actors[0]!;
    expect(actor).toMatchObject({ role: a, exists: true, bypassRls: false });
    expect(actor.reaches.find((r) => r.role === top)).toEqual({ role: top, path: [a, b, top], inheritsPrivileges: true, canSetRole: true });
    expect(c.roles.find((r) => r.name === top)).toMatchObject({ bypassRls: true, superuser: false, login: false });
    expect(c.roles.find((r) => r.name === a)?.memberOf.map((m) => m.role)).toEqual([b]);
  });

  it('a NOINHERIT member holds no privileges of the role but may still SET ROLE', async () => {
    const [a, b] = [uniqueRole(), uniqueRole()];
    const c = await catalogWith([`create role ${a} nologin noinherit`, `create role ${b} nologin`, `grant ${b} to ${a}`], [a]);
    expect(c.actors[0]!.reaches).toEqual([{ role: b, path: [a, b], inheritsPrivileges: false, canSetRole: true }]);
  });

  it('reads the per-grant INHERIT and SET options on PostgreSQL 16+', async () => {
    if (base.serverVersion < 160000) return;
    const [a, b, d] = [uniqueRole(), uniqueRole(), uniqueRole()];
    const c = await catalogWith(
      [`create role ${a} nologin`, `create role ${b} nologin`, `create role ${d} nologin`, `grant ${b} to ${a} with inherit false`, `grant ${d} to ${a} with set false`],
      [a],
    );
    const reaches = Object.fromEntries(c.actors[0]!.reaches.map((r) => [r.role, r]));
    expect(reaches[b]).toMatchObject({ inheritsPrivileges: false, canSetRole: true });
    expect(reaches[d]).toMatchObject({ inheritsPrivileges: true, canSetRole: false });
    expect(c.roles.find((r) => r.name === a)?.memberOf).toEqual(
      expect.arrayContaining([expect.objectContaining({ role: b, inherit: false, set: true }), expect.objectContaining({ role: d, inherit: true, set: false })]),
    );
  });

  it('marks actor roles that do not exist', async () => {
    const c = await introspect(fx.db, { actorRoles: ['lintfx_member', 'lintfx_does_not_exist'] });
    expect(c.actors.map((a) => [a.role, a.exists])).toEqual([
      ['lintfx_member', true],
      ['lintfx_does_not_exist', false],
    ]);
  });
});

describe('policies', () => {
  it('extracts settings read inline and through helper functions (two levels deep), with the chain and the uses', async () => {
    const compared = (column: string) => ({ path: [], test: { kind: 'compared', with: { kind: 'column', name: column } } });
    expect(rel(base, 'core.tasks').policies.find((p) => p.name === 'tasks_select')!.settings).toEqual([
      { name: 'app.tenant_id', via: null, chain: [], claims: [], json: false, exact: true, uses: [compared('tenant_id')] },
    ]);
    const users = rel(base, 'core.users').policies.find((p) => p.name === 'users_select')!;
    // The helper returns the setting's value: where the policy compares the helper's result, it compares the setting.
    expect(users.settings).toEqual([
      {
        name: 'app.tenant_id',
        via: 'core.current_tenant_id()',
        chain: ['core.current_tenant_id()'],
        claims: [],
        json: false,
        exact: true,
        uses: [compared('tenant_id'), { path: [], test: { kind: 'read' } }],
      },
    ]);
    expect(users.functions).toEqual(['core.current_tenant_id()']);
    expect(users.parseError).toBeNull();

    const c = await catalogWith([
      "create function core.can_see(t uuid) returns boolean language plpgsql stable as $$ begin return t = core.current_tenant_id() and current_setting('app.region', true) <> 'blocked'; end $$",
      'create policy users_helper on core.users for select to lintfx_member using (core.can_see(tenant_id))',
    ]);
    const helper = rel(c, 'core.users').policies.find((p) => p.name === 'users_helper')!;
    expect(helper.functions).toEqual(['core.can_see(t uuid)']);
    expect(helper.settings.map((s) => [s.name, s.via, s.chain])).toEqual([
      ['app.region', 'core.can_see(t uuid)', ['core.can_see(t uuid)']],
      ['app.tenant_id', 'core.current_tenant_id()', ['core.can_see(t uuid)', 'core.current_tenant_id()']],
    ]);
    expect(helper.settings[0]!.uses).toEqual([{ path: [], test: { kind: 'equals', literals: ['blocked'] } }]);
    // t = core.current_tenant_id() inside the helper, called with the row's tenant_id.
    expect(helper.settings[1]!.uses).toContainEqual(compared('tenant_id'));
    const fn = c.functions.find((f) => f.signature === 'core.can_see(t uuid)')!;
    expect(fn).toMatchObject({ language: 'plpgsql', calls: ['core.current_tenant_id()'], parseError: null, arguments: 't uuid', argDefaults: 0, variadic: false });
    expect(fn.settings.map((s) => s.chain)).toEqual([['core.can_see(t uuid)'], ['core.can_see(t uuid)', 'core.current_tenant_id()']]);
  });

  it('follows relations read by the functions a policy calls', async () => {
    const c = await catalogWith([
      'create function core.tenant_of(u uuid) returns uuid language sql stable as $$ select tenant_id from core.users where id = u $$',
      'create policy projects_owner on core.projects for select to lintfx_member using (tenant_id = core.tenant_of(owner_id))',
    ]);
    const p = rel(c, 'core.projects').policies.find((x) => x.name === 'projects_owner')!;
    expect(p.relations).toEqual([]);
    expect(p.relationsThroughCalls).toEqual([{ relation: 'core.users', chain: ['core.tenant_of(u uuid)'] }]);
    expect(c.functions.find((f) => f.name === 'tenant_of')!.relationsRead).toEqual([{ relation: 'core.users', chain: ['core.tenant_of(u uuid)'] }]);
  });

  it('keeps command, roles, PUBLIC, USING and WITH CHECK text and subquery relations', async () => {
    const c = await catalogWith(["create policy users_pub on core.users as restrictive for update using (true) with check (email <> '')"]);
    const p = rel(c, 'core.users').policies.find((x) => x.name === 'users_pub')!;
    expect(p).toMatchObject({ command: 'update', permissive: false, roles: ['PUBLIC'], appliesToPublic: true, using: 'true', withCheck: "(email <> ''::text)" });
    const versions = rel(base, 'core.document_versions').policies.find((x) => x.name === 'document_versions_select')!;
    expect(versions.relations).toEqual(['core.documents']);
    expect(versions.using).toContain('core.current_tenant_id()');
  });

  it('notices current_user', async () => {
    const c = await catalogWith(['create policy users_me on core.users for select to lintfx_member using (email = current_user)']);
    expect(rel(c, 'core.users').policies.find((p) => p.name === 'users_me')!.readsCurrentUser).toBe(true);
    expect(rel(base, 'core.users').policies.every((p) => !p.readsCurrentUser)).toBe(true);
  });
});

describe('relations', () => {
  it('links partitions to their parent with RLS flags of their own', () => {
    const parent = rel(base, 'billing.invoices');
    expect(parent).toMatchObject({
      kind: 'partitioned-table',
      partitionOf: null,
      partitions: ['billing.invoices_2025', 'billing.invoices_2026'],
      rls: { enabled: true, forced: true },
    });
    expect(parent.partitionKey).toBe('RANGE (issued_on)');
    expect(parent.partitionColumns).toEqual(['issued_on']);
    const child = rel(base, 'billing.invoices_2025');
    expect(child).toMatchObject({ kind: 'table', partitionOf: 'billing.invoices', rls: { enabled: true, forced: true }, policies: [] });
    expect(child.partitionBound).toBe("FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')");
  });

  it('reads view options, owner and dependencies', () => {
    expect(rel(base, 'billing.invoice_totals')).toMatchObject({
      kind: 'view',
      owner: 'lintfx_owner',
      securityInvoker: true,
      securityBarrier: false,
      dependsOn: ['billing.invoices'],
    });
  });

  it('keeps composite foreign keys in column order, and NOT NULL-ness', () => {
    expect(rel(base, 'core.projects').foreignKeys.find((k) => k.references === 'core.users')).toMatchObject({
      columns: ['tenant_id', 'owner_id'],
      referencedColumns: ['tenant_id', 'id'],
      notNull: true,
      onDelete: 'no action',
    });
    expect(rel(base, 'core.users').foreignKeys.find((k) => k.references === 'core.countries')).toMatchObject({ columns: ['country_code'], notNull: false });
  });

  it('reads primary, unique and check constraints, and indexes with expressions and predicates', async () => {
    const users = rel(base, 'core.users');
    expect(users.primaryKey).toEqual({ name: 'users_pkey', columns: ['tenant_id', 'id'] });
    expect(users.uniqueConstraints).toEqual([{ name: 'users_tenant_id_email_key', columns: ['tenant_id', 'email'] }]);
    expect(rel(base, 'core.tasks').checks[0]!.definition).toContain("'open'::text");
    const c = await catalogWith(['create unique index users_lower_email on core.users (tenant_id, lower(email)) where country_code is not null']);
    expect(rel(c, 'core.users').indexes.find((i) => i.name === 'users_lower_email')).toMatchObject({
      columns: ['tenant_id', null],
      keys: ['tenant_id', 'lower(email)'],
      unique: true,
      predicate: '(country_code IS NOT NULL)',
    });
  });

  it('reads columns with type, nullability and default', () => {
    expect(rel(base, 'core.tasks').columns.find((c) => c.name === 'status')).toMatchObject({
      type: 'text',
      notNull: true,
      default: "'open'::text",
      identity: null,
      generated: false,
    });
    expect(rel(base, 'billing.invoices').columns.find((c) => c.name === 'amount')).toMatchObject({ type: 'numeric(12,2)', typeName: 'numeric' });
  });

  it('asks the server for privileges, column grants included', async () => {
    const c = await catalogWith(['grant select (email) on core.users to lintfx_anon']);
    const anon = rel(c, 'core.users').privileges.find((p) => p.role === 'lintfx_anon')!;
    expect(anon).toMatchObject({ select: false, insert: false, columns: { select: ['email'] } });
    expect(rel(base, 'core.users').privileges.find((p) => p.role === 'lintfx_admin')).toMatchObject({ select: true, insert: true, update: true, delete: true, truncate: false });
  });
});

describe('functions, sequences, default privileges', () => {
  it('reads SECURITY DEFINER, search_path, EXECUTE, result and trigger-ness', async () => {
    const count = base.functions.find((f) => f.signature === 'billing.invoice_count()')!;
    expect(count).toMatchObject({
      securityDefiner: true,
      searchPath: 'pg_catalog, pg_temp',
      executableBy: ['lintfx_platform'],
      publicExecute: false,
      returnType: 'bigint',
      owner: 'lintfx_owner',
      inScope: true,
      relationsReferenced: ['billing.invoices'],
    });
    expect(base.functions.find((f) => f.name === 'touch_updated_at')).toMatchObject({ isTrigger: true, language: 'plpgsql' });
    const c = await catalogWith([
      'create function core.tasks_of(p uuid) returns setof core.tasks language sql stable leakproof as $$ select * from core.tasks where project_id = p $$',
      'create function core.task_ids() returns table (tenant_id uuid, id uuid) language sql as $$ select tenant_id, id from core.tasks $$',
    ]);
    expect(c.functions.find((f) => f.name === 'tasks_of')).toMatchObject({
      signature: 'core.tasks_of(p uuid)',
      argTypes: ['uuid'],
      returnsSet: true,
      returnsRelation: 'core.tasks',
      leakproof: true,
      volatility: 'stable',
      securityDefiner: false,
    });
    expect(c.functions.find((f) => f.name === 'task_ids')).toMatchObject({
      returnsSet: true,
      returnsTable: [
        { name: 'tenant_id', type: 'uuid' },
        { name: 'id', type: 'uuid' },
      ],
    });
  });

  it('finds which columns own and draw from a sequence', async () => {
    const c = await catalogWith([
      'alter table core.tasks add column number bigint generated always as identity',
      'create sequence core.codes',
      "alter table core.projects add column code bigint not null default nextval('core.codes')",
    ]);
    expect(c.sequences.find((s) => s.ownedBy === 'core.tasks.number')).toBeDefined();
    expect(c.sequences.find((s) => s.qualifiedName === 'core.codes')).toMatchObject({ ownedBy: null, usedBy: ['core.projects.code'] });
  });

  it('lists default privileges granted to other roles', async () => {
    const c = await catalogWith(['alter default privileges for role lintfx_owner in schema core grant select, insert on tables to lintfx_member']);
    expect(c.defaultPrivileges).toContainEqual({ owner: 'lintfx_owner', schema: 'core', objectType: 'table', grantee: 'lintfx_member', privileges: ['INSERT', 'SELECT'] });
    expect(base.defaultPrivileges).toEqual([]);
  });
});

describe('introspection itself', () => {
  it('is deterministic and JSON-safe', async () => {
    // Two readings of one snapshot: other files' fixtures create roles meanwhile, and roles are the cluster's.
    const [first, again] = await fx.db.tx(async (tx) => [await introspect(tx, catalogOptions(fx.config)), await introspect(tx, catalogOptions(fx.config))], {
      readOnly: true,
      isolationLevel: IsolationLevel.REPEATABLE_READ,
    });
    expect(again).toEqual(first);
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
  });

  it("leaves the caller's transaction as it was (search_path restored, nothing written)", async () => {
    const path = await rolledBack(fx.db, async (tx) => {
      await tx.query(sql`set local search_path = core, public`);
      await introspect(tx, catalogOptions(fx.config));
      const [row] = await tx.query(sql`select current_setting('search_path') as p`);
      return (row as { p: string }).p;
    });
    expect(path).toBe('core, public');
  });
});
