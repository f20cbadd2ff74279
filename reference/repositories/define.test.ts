import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sql, type Transaction } from '@databases/pg';
import { freshDatabase, type TestDatabase } from '../../tests/support/database.js';
import { isTenantproofError } from 'tenantproof';
import { defineRepository, inTenant, nonEmptyPatch } from './define.js';
import { documents } from './documents.js';
import { mapDatabaseError, ok, RepositoryFailure } from './result.js';
import { admin, expectErr, expectOk, seedTenants, seedUser } from './test-support.js';

let t: TestDatabase;
let tenantA: string;
let tenantB: string;
let userA: string;
let userB: string;

beforeAll(async () => {
  t = await freshDatabase();
  [tenantA, tenantB] = (await seedTenants(t.db, 2)) as [string, string];
  userA = await seedUser(t.db, tenantA, 'a@example.com');
  userB = await seedUser(t.db, tenantB, 'b@example.com');
});
afterAll(async () => t?.drop());

/** The error a statement raises, inside a transaction that is rolled back. */
async function errorOf(fn: (tx: Transaction) => Promise<unknown>): Promise<unknown> {
  return t.db.tx(fn).then(
    () => expect.fail('the statement succeeded'),
    (e: unknown) => e,
  );
}

describe('database errors become typed results', () => {
  it('maps each SQLSTATE class to its kind, with names but never row values', async () => {
    const secretHash = `$scrypt$ln=10,r=8,p=1$${'S'.repeat(22)}$${'K'.repeat(43)}`;
    const cases: [string, (tx: Transaction) => Promise<unknown>, object][] = [
      ['unique', (tx) => tx.query(sql`insert into app.users (tenant_id, email, password_hash) values (${tenantA}, 'A@example.com', ${secretHash})`), { kind: 'conflict', code: '23505', constraint: 'users_tenant_email_key' }],
      ['foreign key', (tx) => tx.query(sql`insert into app.documents (tenant_id, user_id, title, content_hash) values (${tenantA}, ${userB}, 't', ${'a'.repeat(64)})`), { kind: 'reference', code: '23503', constraint: 'documents_tenant_id_user_id_fkey' }],
      ['check', (tx) => tx.query(sql`insert into app.users (tenant_id, email, password_hash, role) values (${tenantA}, 'c@example.com', ${secretHash}, 'root')`), { kind: 'invalid', code: '23514', constraint: 'users_role_check' }],
      ['not null', (tx) => tx.query(sql`insert into app.users (tenant_id, email, password_hash) values (${tenantA}, null, ${secretHash})`), { kind: 'invalid', code: '23502', column: 'email' }],
      ['bad syntax', (tx) => tx.query(sql`select * from app.users where id = ${'not-a-uuid'}::uuid`), { kind: 'invalid', code: '22P02' }],
      ['privilege', async (tx) => { await tx.query(sql`set local role tp_member`); await tx.query(sql`delete from app.users`); }, { kind: 'forbidden', code: '42501' }],
      ['policy', async (tx) => {
        await tx.query(sql`select set_config('role', 'tp_admin', true), set_config('app.tenant_id', ${tenantA}, true)`);
        await tx.query(sql`insert into app.users (tenant_id, email, password_hash) values (${tenantB}, 'x@example.com', ${secretHash})`);
      }, { kind: 'forbidden', code: '42501' }],
    ];
    for (const [name, statement, expected] of cases) {
      const e = await errorOf(statement);
      const mapped = mapDatabaseError(e);
      expect(mapped, name).toEqual(expected);
      // The driver's detail ("Failing row contains (...)") quotes the hash; the result must not.
      expect(JSON.stringify(mapped), name).not.toContain('SSSS');
    }
    const check = await errorOf(cases[2]![1]);
    expect(JSON.stringify((check as { detail?: string }).detail)).toContain('SSSS');
  });

  it('leaves other errors unmapped', async () => {
    expect(mapDatabaseError(await errorOf((tx) => tx.query(sql`select * from app.no_such_table`)))).toBeUndefined();
    expect(mapDatabaseError(new Error('plain'))).toBeUndefined();
    expect(mapDatabaseError(undefined)).toBeUndefined();
  });
});

describe('defineRepository', () => {
  // A new entity is a description, not code: this is all tenant_configs needs.
  const configs = defineRepository({
    entity: 'tenant config',
    table: { schema: 'app', name: 'tenant_configs' },
    row: z.object({ tenant_id: z.string(), id: z.string(), template_id: z.string().nullable(), settings: z.record(z.string(), z.unknown()), created_at: z.date(), updated_at: z.date() }),
    create: z.strictObject({ template_id: z.guid().nullable().default(null), settings: z.record(z.string(), z.json()).default({}) }),
    update: nonEmptyPatch({ settings: z.record(z.string(), z.json()) }),
    sort: { columns: ['created_at'], default: 'created_at' },
    deletion: { mode: 'hard' },
    jsonColumns: ['settings'],
  });

  it('gives a described entity create, get, list and update, with typed failures', async () => {
    const [templateId] = (await t.db.query(sql`select id from app.templates limit 1`)).map((r) => r.id as string);
    const created = expectOk(await configs.create(t.db, admin(tenantA), { template_id: templateId!, settings: { mfa_required: true, retention: [30, 90] } }));
    expect(created).toMatchObject({ tenant_id: tenantA, template_id: templateId, settings: { mfa_required: true, retention: [30, 90] } });
    expect(expectOk(await configs.update(t.db, admin(tenantA), created.id, { settings: { mfa_required: false } })).settings).toEqual({ mfa_required: false });
    expect(expectOk(await configs.list(t.db, admin(tenantA)))).toMatchObject({ total: 1, items: [{ id: created.id }] });
    // One configuration per tenant.
    expect(expectErr(await configs.create(t.db, admin(tenantA), {}))).toMatchObject({ kind: 'conflict', constraint: 'tenant_configs_tenant_id_key' });
    expect(expectErr(await configs.create(t.db, admin(tenantB), { template_id: '00000000-0000-4000-8000-000000000000' }))).toMatchObject({ kind: 'reference', constraint: 'tenant_configs_template_id_fkey' });
    // Administrators may not delete a configuration (no DELETE grant).
    expect(expectErr(await configs.remove(t.db, admin(tenantA), created.id))).toEqual({ kind: 'forbidden', code: '42501' });
    expect(expectOk(await configs.get(t.db, admin(tenantA), created.id)).id).toBe(created.id);
  });

  it('keeps a role that bypasses RLS inside the tenant it acts for', async () => {
    const docA = expectOk(await documents.create(t.db, admin(tenantA), { user_id: userA, title: 'A', content_hash: 'a'.repeat(64) }));
    const docB = expectOk(await documents.create(t.db, admin(tenantB), { user_id: userB, title: 'B', content_hash: 'b'.repeat(64) }));
    const platformA = { tenantId: tenantA, role: 'tp_platform' };
    // tp_platform really does see every tenant without the repository's predicate...
    const raw = await t.db.tx(async (tx) => {
      await tx.query(sql`select set_config('role', 'tp_platform', true), set_config('app.tenant_id', ${tenantA}, true)`);
      return tx.query(sql`select distinct tenant_id from app.documents`);
    });
    expect(raw.map((r) => r.tenant_id).sort()).toEqual([tenantA, tenantB].sort());
    // ...but through the repository it reaches only tenant A.
    const listed = expectOk(await documents.list(t.db, platformA, { pageSize: 100 }));
    expect(listed.items.map((d) => d.id)).toEqual([docA.id]);
    expect(expectErr(await documents.get(t.db, platformA, docB.id))).toEqual({ kind: 'not_found' });
    expect(expectErr(await documents.update(t.db, platformA, docB.id, { title: 'moved' }))).toEqual({ kind: 'not_found' });
  });

  it('throws other database failures as a RepositoryFailure that carries no driver error', async () => {
    const ghost = defineRepository({
      entity: 'ghost',
      table: { schema: 'app', name: 'no_such_table' },
      row: z.object({ tenant_id: z.string(), id: z.string() }),
      create: z.strictObject({}),
      update: z.strictObject({}),
      sort: { columns: ['id'], default: 'id' },
      deletion: { mode: 'hard' },
    });
    const e = await ghost.list(t.db, admin(tenantA)).then(
      () => expect.fail('listing a missing table succeeded'),
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(RepositoryFailure);
    expect(isTenantproofError(e)).toBe(true);
    expect(e).toMatchObject({ code: 'database-error', sqlstate: '42P01' });
    expect((e as Error).message).toMatch(/^list ghost failed \(SQLSTATE 42P01\)/);
    expect((e as Error).cause).toBeUndefined();
  });

  it('rolls back the transaction when an operation returns a failure', async () => {
    const r = await inTenant(t.db, admin(tenantA), 'write then fail', async (tx, c) => {
      await documents.internals.insert(tx, c, { user_id: userA, title: 'rolled back', content_hash: 'c'.repeat(64) });
      return { ok: false as const, error: { kind: 'not_found' as const } };
    });
    expect(r).toEqual({ ok: false, error: { kind: 'not_found' } });
    expect(await t.db.query(sql`select 1 from app.documents where content_hash = ${'c'.repeat(64)}`)).toHaveLength(0);
    expect(await inTenant(t.db, admin(tenantA), 'noop', async () => ok(1))).toEqual({ ok: true, value: 1 });
  });

  it('refuses a mistaken definition when it is made', () => {
    const base = { entity: 'bad', table: { schema: 'app', name: 'documents' }, create: z.strictObject({}), update: z.strictObject({}), deletion: { mode: 'hard' as const } };
    expect(() => defineRepository({ ...base, row: z.object({ id: z.string(), title: z.string() }), sort: { columns: ['id'], default: 'id' } })).toThrow(/tenant_id/);
    const row = z.object({ tenant_id: z.string(), id: z.string(), title: z.string() });
    expect(() => defineRepository({ ...base, row, computed: { title: sql`upper(title)` }, sort: { columns: ['title'], default: 'title' } })).toThrow(/sort column title/);
    expect(() => defineRepository({ ...base, row, sort: { columns: ['id'], default: 'id' }, filter: z.object({ user_id: z.string() }) })).toThrow(/filter user_id/);
    expect(() => defineRepository({ ...base, row, sort: { columns: ['id'], default: 'id' }, deletion: { mode: 'soft' } })).toThrow(/is_active/);
  });
});
