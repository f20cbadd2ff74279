import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '@databases/pg';
import { freshDatabase, type TestDatabase } from '../../tests/support/database.js';
import { apiKeys } from './api-keys.js';
import { admin, expectErr, expectOk, member, seedTenants } from './test-support.js';

let t: TestDatabase;
let tenantA: string;
let tenantB: string;
// Spelled out, not derived from apiKeyRow: key_hash added to the row schema must fail here.
const PUBLIC_KEYS = ['created_at', 'expires_at', 'id', 'key_prefix', 'last_used_at', 'name', 'permissions', 'tenant_id', 'updated_at'];
const refused = { kind: 'invalid_credentials' };

beforeAll(async () => {
  t = await freshDatabase();
  [tenantA, tenantB] = (await seedTenants(t.db, 2)) as [string, string];
});
afterAll(async () => t?.drop());

async function storedKey(id: string) {
  const [row] = await t.db.query(sql`select * from app.tenant_api_keys where id = ${id}`);
  return row as Record<string, unknown> | undefined;
}

describe('API keys repository', () => {
  it('returns the plaintext key once, redacted when printed, and stores only its SHA-256', async () => {
    const created = expectOk(await apiKeys.create(t.db, admin(tenantA), { name: 'CI deploy', permissions: ['read', 'write'] }));
    const key = created.key.reveal();
    expect(key).toMatch(/^tp_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.apiKey).toMatchObject({ tenant_id: tenantA, name: 'CI deploy', permissions: ['read', 'write'], expires_at: null, last_used_at: null });
    expect(key.startsWith(`${created.apiKey.key_prefix}_`)).toBe(true);
    expect(Object.keys(created.apiKey).sort()).toEqual(PUBLIC_KEYS);
    expect(JSON.stringify(created) + inspect(created, { depth: 10 })).not.toContain(key);

    const stored = await storedKey(created.apiKey.id);
    expect(stored?.key_hash).toBe(createHash('sha256').update(key).digest('hex'));
    const secretPart = key.slice(created.apiKey.key_prefix.length + 1);
    expect(JSON.stringify(stored)).not.toContain(secretPart);

    // Later reads show the prefix, never the hash or the key.
    const got = expectOk(await apiKeys.get(t.db, admin(tenantA), created.apiKey.id));
    const listed = expectOk(await apiKeys.list(t.db, admin(tenantA))).items;
    for (const k of [got, ...listed]) {
      expect(Object.keys(k).sort()).toEqual(PUBLIC_KEYS);
      expect(JSON.stringify(k)).not.toContain(String(stored?.key_hash));
      expect(JSON.stringify(k)).not.toContain(secretPart);
    }
    expect(listed.map((k) => k.key_prefix)).toContain(created.apiKey.key_prefix);
  });

  it('authenticates the exact key only, within its tenant, and records its use', async () => {
    const { apiKey, key } = expectOk(await apiKeys.create(t.db, admin(tenantA), { name: 'auth' }));
    const used = expectOk(await apiKeys.authenticate(t.db, admin(tenantA), key));
    expect(used).toMatchObject({ id: apiKey.id, permissions: ['read'] });
    expect(used.last_used_at).toBeInstanceOf(Date);
    expect(Object.keys(used).sort()).toEqual(PUBLIC_KEYS);
    expect(expectOk(await apiKeys.authenticate(t.db, admin(tenantA), key.reveal())).id).toBe(apiKey.id);

    const k = key.reveal();
    const last = k.at(-1) === 'A' ? 'B' : 'A';
    for (const tampered of [k.slice(0, -1) + last, k.slice(0, -1), `${k}A`, k.replace(/^tp_./, (m) => (m.endsWith('x') ? 'tp_y' : 'tp_x')), '', 'tp_', 'not a key']) {
      expect(expectErr(await apiKeys.authenticate(t.db, admin(tenantA), tampered)), tampered.slice(0, 12)).toEqual(refused);
    }
    // Another tenant's context does not find it.
    expect(expectErr(await apiKeys.authenticate(t.db, admin(tenantB), key))).toEqual(refused);
  });

  it('refuses expired and revoked keys', async () => {
    const { apiKey, key } = expectOk(await apiKeys.create(t.db, admin(tenantA), { name: 'short-lived', expires_at: new Date(Date.now() + 60_000) }));
    expectOk(await apiKeys.authenticate(t.db, admin(tenantA), key));
    // Expiry in the past cannot be set through the repository: move it with a privileged update.
    await t.db.query(sql`update app.tenant_api_keys set expires_at = now() - interval '1 second' where id = ${apiKey.id}`);
    expect(expectErr(await apiKeys.authenticate(t.db, admin(tenantA), key))).toEqual(refused);

    const revoked = expectOk(await apiKeys.create(t.db, admin(tenantA), { name: 'revoked' }));
    expectOk(await apiKeys.authenticate(t.db, admin(tenantA), revoked.key));
    expectOk(await apiKeys.remove(t.db, admin(tenantA), revoked.apiKey.id));
    expect(await storedKey(revoked.apiKey.id)).toBeUndefined();
    expect(expectErr(await apiKeys.authenticate(t.db, admin(tenantA), revoked.key))).toEqual(refused);
  });

  it('updates name, permissions and expiry, validating them', async () => {
    const { apiKey, key } = expectOk(await apiKeys.create(t.db, admin(tenantA), { name: 'editable' }));
    const expires = new Date(Date.now() + 86_400_000);
    const updated = expectOk(await apiKeys.update(t.db, admin(tenantA), apiKey.id, { name: 'renamed', permissions: ['read', 'admin'], expires_at: expires }));
    expect(updated).toMatchObject({ name: 'renamed', permissions: ['read', 'admin'], key_prefix: apiKey.key_prefix });
    expect(updated.expires_at?.getTime()).toBe(expires.getTime());
    expect(expectOk(await apiKeys.update(t.db, admin(tenantA), apiKey.id, { expires_at: null })).expires_at).toBeNull();
    // The key still authenticates: its hash was not touched.
    expect(expectOk(await apiKeys.authenticate(t.db, admin(tenantA), key)).name).toBe('renamed');

    for (const patch of [{ permissions: ['superuser'] }, { permissions: [] }, { permissions: ['read', 'read'] }, { expires_at: new Date(Date.now() - 1000) }, { name: '' }, { key_hash: 'f'.repeat(64) }, {}]) {
      expect(expectErr(await apiKeys.update(t.db, admin(tenantA), apiKey.id, patch as never)), JSON.stringify(patch)).toMatchObject({ kind: 'invalid' });
    }
    expect(expectErr(await apiKeys.create(t.db, admin(tenantA), { name: 'x', key_prefix: 'tp_chosen1' } as never))).toMatchObject({ kind: 'invalid' });
  });

  it("isolates tenants: another tenant's key is not found and stays untouched", async () => {
    const { apiKey } = expectOk(await apiKeys.create(t.db, admin(tenantA), { name: 'private' }));
    const before = await storedKey(apiKey.id);
    expect(expectErr(await apiKeys.get(t.db, admin(tenantB), apiKey.id))).toEqual({ kind: 'not_found' });
    expect(expectErr(await apiKeys.update(t.db, admin(tenantB), apiKey.id, { permissions: ['admin'] }))).toEqual({ kind: 'not_found' });
    expect(expectErr(await apiKeys.remove(t.db, admin(tenantB), apiKey.id))).toEqual({ kind: 'not_found' });
    expect(expectOk(await apiKeys.list(t.db, admin(tenantB), { pageSize: 100 })).items.map((k) => k.id)).not.toContain(apiKey.id);
    expect(await storedKey(apiKey.id)).toEqual(before);
  });

  it('is for administrators only: members are forbidden', async () => {
    expect(expectErr(await apiKeys.list(t.db, member(tenantA)))).toEqual({ kind: 'forbidden', code: '42501' });
    expect(expectErr(await apiKeys.create(t.db, member(tenantA), { name: 'sneaky' }))).toEqual({ kind: 'forbidden', code: '42501' });
  });

  it('keeps key hashes out of the audit trail', async () => {
    const { apiKey, key } = expectOk(await apiKeys.create(t.db, admin(tenantA), { name: 'audited key' }));
    const first = expectOk(await apiKeys.authenticate(t.db, admin(tenantA), key));
    // Used again within the interval: last_used_at is not rewritten, so no second audit row.
    const second = expectOk(await apiKeys.authenticate(t.db, admin(tenantA), key));
    expect(second.last_used_at).toEqual(first.last_used_at);
    const stored = await storedKey(apiKey.id);
    const trail = await t.db.query(sql`select action, old_values, new_values from app.audit_logs where resource_id = ${apiKey.id}`);
    expect(trail.map((r) => r.action).sort()).toEqual(['insert', 'update']);
    // Once the interval has passed, the next use is recorded again.
    await t.db.query(sql`update app.tenant_api_keys set last_used_at = now() - interval '2 hours' where id = ${apiKey.id}`);
    const later = expectOk(await apiKeys.authenticate(t.db, admin(tenantA), key));
    expect(later.last_used_at!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const text = JSON.stringify(trail);
    expect(text).toContain('audited key');
    expect(text).not.toContain(String(stored?.key_hash));
    expect(text).not.toContain(key.reveal());
  });
});
