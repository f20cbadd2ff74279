import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from '@databases/pg';
import { freshDatabase, type TestDatabase } from '../../tests/support/database.js';
import { documents } from './documents.js';
import { MAX_PAGE_SIZE } from './define.js';
import { admin, expectErr, expectOk, member, seedTenants, seedUser } from './test-support.js';

let t: TestDatabase;
let tenantA: string;
let tenantB: string;
let userA: string;
let userB: string;
let n = 0;
const digest = (s: string) => createHash('sha256').update(s).digest('hex');
const fresh = () => digest(`content ${n++} ${Math.random()}`);

beforeAll(async () => {
  t = await freshDatabase();
  [tenantA, tenantB] = (await seedTenants(t.db, 2)) as [string, string];
  userA = await seedUser(t.db, tenantA, 'writer@a.example');
  userB = await seedUser(t.db, tenantB, 'writer@b.example');
});
afterAll(async () => t?.drop());

async function storedDocument(id: string) {
  const [row] = await t.db.query(sql`select * from app.documents where id = ${id}`);
  return row as Record<string, unknown> | undefined;
}

describe('documents repository', () => {
  it('creates, gets, updates and deletes a document, metadata included', async () => {
    const metadata = { tags: ['pci', 'q3'], pages: 12, nested: { signed: true, by: null } };
    const created = expectOk(await documents.create(t.db, member(tenantA), { user_id: userA, title: '  Policy  ', content_hash: fresh(), metadata }));
    expect(created).toMatchObject({ tenant_id: tenantA, user_id: userA, title: 'Policy', metadata });
    expect(expectOk(await documents.get(t.db, member(tenantA), created.id))).toEqual(created);

    const updated = expectOk(await documents.update(t.db, member(tenantA), created.id, { title: 'Policy v2', metadata: { tags: [] } }));
    expect(updated).toMatchObject({ id: created.id, title: 'Policy v2', metadata: { tags: [] }, content_hash: created.content_hash });

    expect(expectOk(await documents.remove(t.db, member(tenantA), created.id)).id).toBe(created.id);
    expect(await storedDocument(created.id)).toBeUndefined();
    expect(expectErr(await documents.get(t.db, member(tenantA), created.id))).toEqual({ kind: 'not_found' });
    expect(expectErr(await documents.remove(t.db, member(tenantA), created.id))).toEqual({ kind: 'not_found' });
    // No soft delete for documents.
    expect(expectErr(await documents.restore(t.db, member(tenantA), created.id))).toMatchObject({ kind: 'invalid' });
    expect(expectErr(await documents.list(t.db, member(tenantA), { includeInactive: true }))).toMatchObject({ kind: 'invalid' });
  });

  it('paginates with exact totals: pages partition the rows, past the end is empty', async () => {
    const [tenant] = (await seedTenants(t.db, 1)) as [string];
    const user = await seedUser(t.db, tenant, 'pager@example.com');
    const ids = new Set<string>();
    for (let i = 0; i < 23; i++) {
      const d = expectOk(await documents.create(t.db, admin(tenant), { user_id: user, title: `doc ${String(i).padStart(2, '0')}`, content_hash: fresh() }));
      ids.add(d.id);
    }
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.constantFrom('created_at', 'title', 'updated_at'), fc.constantFrom('asc', 'desc'), async (pageSize, sort, direction) => {
        const pages = Math.ceil(23 / pageSize);
        const seen: string[] = [];
        for (let page = 1; page <= pages + 1; page++) {
          const r = expectOk(await documents.list(t.db, admin(tenant), { page, pageSize, sort, direction }));
          expect(r.total).toBe(23);
          expect(r.page).toBe(page);
          expect(r.pageSize).toBe(pageSize);
          expect(r.items.length).toBe(page <= pages ? Math.min(pageSize, 23 - (page - 1) * pageSize) : 0);
          seen.push(...r.items.map((d) => d.id));
        }
        expect(seen.length).toBe(23);
        expect(new Set(seen)).toEqual(ids);
      }),
      { numRuns: 15 },
    );
    // The largest page holds everything; one more is refused.
    expect(expectOk(await documents.list(t.db, admin(tenant), { pageSize: MAX_PAGE_SIZE })).items).toHaveLength(23);
    for (const query of [{ pageSize: MAX_PAGE_SIZE + 1 }, { pageSize: 0 }, { page: 0 }, { page: -1 }, { page: 1.5 }, { pageSize: Number.NaN }]) {
      expect(expectErr(await documents.list(t.db, admin(tenant), query)), JSON.stringify(query)).toMatchObject({ kind: 'invalid' });
    }
  });

  it('sorts only by whitelisted columns, in the direction asked', async () => {
    const [tenant] = (await seedTenants(t.db, 1)) as [string];
    const user = await seedUser(t.db, tenant, 'sorter@example.com');
    const titles = ['delta', 'alpha', 'echo', 'charlie', 'bravo'];
    for (const title of titles) expectOk(await documents.create(t.db, admin(tenant), { user_id: user, title, content_hash: fresh() }));
    const asc = expectOk(await documents.list(t.db, admin(tenant), { sort: 'title', direction: 'asc' }));
    expect(asc.items.map((d) => d.title)).toEqual([...titles].sort());
    const desc = expectOk(await documents.list(t.db, admin(tenant), { sort: 'title', direction: 'desc' }));
    expect(desc.items.map((d) => d.title)).toEqual([...titles].sort().reverse());
    // Default: newest first.
    const byDefault = expectOk(await documents.list(t.db, admin(tenant)));
    const times = byDefault.items.map((d) => d.created_at.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const sort of ['content_hash', 'tenant_id', 'title; drop table app.documents', 'title desc', '']) {
      const err = expectErr(await documents.list(t.db, admin(tenant), { sort: sort as never }));
      expect(err, sort).toMatchObject({ kind: 'invalid', issues: [{ path: 'sort' }] });
    }
    expect(expectErr(await documents.list(t.db, admin(tenant), { direction: 'sideways' as never }))).toMatchObject({ kind: 'invalid', issues: [{ path: 'direction' }] });
  });

  it('filters by whitelisted columns only', async () => {
    const [tenant] = (await seedTenants(t.db, 1)) as [string];
    const [u1, u2] = [await seedUser(t.db, tenant, 'u1@example.com'), await seedUser(t.db, tenant, 'u2@example.com')];
    for (let i = 0; i < 3; i++) expectOk(await documents.create(t.db, admin(tenant), { user_id: u1, title: `one ${i}`, content_hash: fresh() }));
    expectOk(await documents.create(t.db, admin(tenant), { user_id: u2, title: 'two', content_hash: fresh() }));
    expect(expectOk(await documents.list(t.db, admin(tenant), { filter: { user_id: u1 } })).total).toBe(3);
    expect(expectOk(await documents.list(t.db, admin(tenant), { filter: { user_id: u2 } })).items.map((d) => d.title)).toEqual(['two']);
    expect(expectOk(await documents.list(t.db, admin(tenant))).total).toBe(4);
    expect(expectErr(await documents.list(t.db, admin(tenant), { filter: { title: 'two' } as never }))).toMatchObject({ kind: 'invalid' });
  });

  it('refuses a reference to another tenant\'s user, and a duplicate content hash', async () => {
    const err = expectErr(await documents.create(t.db, admin(tenantA), { user_id: userB, title: 'stolen author', content_hash: fresh() }));
    expect(err).toEqual({ kind: 'reference', code: '23503', constraint: 'documents_tenant_id_user_id_fkey' });
    const hash = fresh();
    expectOk(await documents.create(t.db, admin(tenantA), { user_id: userA, title: 'first', content_hash: hash }));
    expect(expectErr(await documents.create(t.db, admin(tenantA), { user_id: userA, title: 'second', content_hash: hash }))).toEqual({
      kind: 'conflict',
      code: '23505',
      constraint: 'documents_tenant_id_content_hash_key',
    });
    // Unique per tenant, not globally.
    expectOk(await documents.create(t.db, admin(tenantB), { user_id: userB, title: 'same content elsewhere', content_hash: hash }));
    expect(expectErr(await documents.create(t.db, admin(tenantA), { user_id: userA, title: 'x', content_hash: 'ABC' }))).toMatchObject({ kind: 'invalid', issues: [{ path: 'content_hash' }] });
  });

  it("treats another tenant's document as not found, and leaves it untouched", async () => {
    const d = expectOk(await documents.create(t.db, admin(tenantA), { user_id: userA, title: 'confidential', content_hash: fresh() }));
    const before = await storedDocument(d.id);
    expect(expectErr(await documents.get(t.db, admin(tenantB), d.id))).toEqual({ kind: 'not_found' });
    expect(expectErr(await documents.update(t.db, admin(tenantB), d.id, { title: 'defaced' }))).toEqual({ kind: 'not_found' });
    expect(expectErr(await documents.remove(t.db, admin(tenantB), d.id))).toEqual({ kind: 'not_found' });
    const listed = expectOk(await documents.list(t.db, admin(tenantB), { pageSize: 100 }));
    expect(listed.items.every((x) => x.tenant_id === tenantB)).toBe(true);
    expect(listed.items.map((x) => x.id)).not.toContain(d.id);
    expect(await storedDocument(d.id)).toEqual(before);
  });

  it('maps a missing privilege to forbidden', async () => {
    const err = expectErr(await documents.list(t.db, { tenantId: tenantA, role: 'tp_anon' }));
    expect(err).toEqual({ kind: 'forbidden', code: '42501' });
  });
});
