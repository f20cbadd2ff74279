import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '@databases/pg';
import { freshDatabase, type TestDatabase } from '../../tests/support/database.js';
import { hashPassword, verifyPassword } from '../security/password.js';
import { totp } from '../security/totp.js';
import { users } from './users.js';
import { admin, expectErr, expectOk, member, seedTenants, seedUser } from './test-support.js';

let t: TestDatabase;
let tenantA: string;
let tenantB: string;
const PASSWORD = 'correct horse battery staple';
// Spelled out, not derived from userRow: a secret column added to the row schema must fail here.
const PUBLIC_KEYS = ['created_at', 'email', 'id', 'is_active', 'role', 'tenant_id', 'totp_enabled', 'updated_at'];

beforeAll(async () => {
  t = await freshDatabase();
  [tenantA, tenantB] = (await seedTenants(t.db, 2)) as [string, string];
});
afterAll(async () => t?.drop());

async function storedUser(id: string) {
  const [row] = await t.db.query(sql`select * from app.users where id = ${id}`);
  return row as Record<string, unknown>;
}

describe('users repository', () => {
  it('creates, gets, updates, deactivates and restores a user', async () => {
    const created = expectOk(await users.create(t.db, admin(tenantA), { email: 'Ana@Example.com', password: PASSWORD }));
    expect(created).toMatchObject({ tenant_id: tenantA, email: 'Ana@Example.com', role: 'user', is_active: true, totp_enabled: false });
    expect(created.created_at).toBeInstanceOf(Date);

    expect(expectOk(await users.get(t.db, admin(tenantA), created.id))).toEqual(created);
    // Members read users too (the schema's grants).
    expect(expectOk(await users.get(t.db, member(tenantA), created.id)).email).toBe('Ana@Example.com');

    const updated = expectOk(await users.update(t.db, admin(tenantA), created.id, { email: 'ana@example.org', role: 'admin' }));
    expect(updated).toMatchObject({ id: created.id, email: 'ana@example.org', role: 'admin' });
    expect(updated.updated_at.getTime()).toBeGreaterThanOrEqual(created.updated_at.getTime());

    const removed = expectOk(await users.remove(t.db, admin(tenantA), created.id));
    expect(removed.is_active).toBe(false);
    // Soft delete: the row stays and get still finds it (so it can be restored).
    expect(expectOk(await users.get(t.db, admin(tenantA), created.id)).is_active).toBe(false);
    expect((await storedUser(created.id)).is_active).toBe(false);

    expect(expectOk(await users.restore(t.db, admin(tenantA), created.id)).is_active).toBe(true);
  });

  it('never returns password_hash or totp_secret, and stores only a scrypt hash', async () => {
    const created = expectOk(await users.create(t.db, admin(tenantA), { email: 'secret@example.com', password: PASSWORD }));
    expectOk(await users.enableTotp(t.db, admin(tenantA), created.id, { issuer: 'tenantproof' }));
    const got = expectOk(await users.get(t.db, admin(tenantA), created.id));
    const listed = expectOk(await users.list(t.db, admin(tenantA), { pageSize: 100 })).items;
    const stored = await storedUser(created.id);
    expect(stored.password_hash).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$/);
    expect(await verifyPassword(PASSWORD, String(stored.password_hash))).toBe(true);
    expect(stored.totp_secret).toMatch(/^[A-Z2-7]{32}$/);
    for (const u of [created, got, ...listed]) {
      expect(Object.keys(u).sort()).toEqual(PUBLIC_KEYS);
      const printed = JSON.stringify(u) + inspect(u);
      for (const secret of [String(stored.password_hash), String(stored.totp_secret), PASSWORD]) expect(printed).not.toContain(secret);
    }
    expect(got.totp_enabled).toBe(true);
  });

  it('refuses a duplicate e-mail whatever its case, naming the constraint; other tenants may reuse it', async () => {
    expectOk(await users.create(t.db, admin(tenantA), { email: 'dup@example.com', password: PASSWORD }));
    const err = expectErr(await users.create(t.db, admin(tenantA), { email: 'DUP@Example.COM', password: PASSWORD }));
    expect(err).toEqual({ kind: 'conflict', code: '23505', constraint: 'users_tenant_email_key' });
    expectOk(await users.create(t.db, admin(tenantB), { email: 'dup@example.com', password: PASSWORD }));
    // The same conflict on update.
    const other = expectOk(await users.create(t.db, admin(tenantA), { email: 'other@example.com', password: PASSWORD }));
    expect(expectErr(await users.update(t.db, admin(tenantA), other.id, { email: 'Dup@example.com' }))).toMatchObject({ kind: 'conflict', constraint: 'users_tenant_email_key' });
  });

  it("treats another tenant's user as not found: no read, no update, no delete", async () => {
    const id = await seedUser(t.db, tenantA, 'private@example.com');
    const before = await storedUser(id);
    expect(expectErr(await users.get(t.db, admin(tenantB), id))).toEqual({ kind: 'not_found' });
    expect(expectErr(await users.update(t.db, admin(tenantB), id, { role: 'admin' }))).toEqual({ kind: 'not_found' });
    expect(expectErr(await users.remove(t.db, admin(tenantB), id))).toEqual({ kind: 'not_found' });
    expect(expectErr(await users.setPassword(t.db, admin(tenantB), id, 'a brand new password'))).toEqual({ kind: 'not_found' });
    expect(expectErr(await users.enableTotp(t.db, admin(tenantB), id, { issuer: 'x' }))).toEqual({ kind: 'not_found' });
    const listedByB = expectOk(await users.list(t.db, admin(tenantB), { pageSize: 100, includeInactive: true })).items;
    expect(listedByB.map((u) => u.id)).not.toContain(id);
    expect(listedByB.every((u) => u.tenant_id === tenantB)).toBe(true);
    expect(await storedUser(id)).toEqual(before);
  });

  it('hides deactivated users from lists unless asked, and counts accordingly', async () => {
    const [tenant] = (await seedTenants(t.db, 1)) as [string];
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await seedUser(t.db, tenant, `user${i}@example.com`));
    expectOk(await users.remove(t.db, admin(tenant), ids[1]!));
    expectOk(await users.remove(t.db, admin(tenant), ids[3]!));
    const active = expectOk(await users.list(t.db, admin(tenant), { sort: 'email' }));
    expect(active.total).toBe(3);
    expect(active.items.map((u) => u.email)).toEqual(['user0@example.com', 'user2@example.com', 'user4@example.com']);
    const all = expectOk(await users.list(t.db, admin(tenant), { includeInactive: true, sort: 'email', direction: 'desc' }));
    expect(all.total).toBe(5);
    expect(all.items.map((u) => u.email)).toEqual(['user4@example.com', 'user3@example.com', 'user2@example.com', 'user1@example.com', 'user0@example.com']);
    const admins = expectOk(await users.list(t.db, admin(tenant), { filter: { role: 'admin' } }));
    expect(admins).toEqual({ items: [], total: 0, page: 1, pageSize: 20 });
  });

  it('validates input at the edge, without echoing secrets', async () => {
    const badEmail = expectErr(await users.create(t.db, admin(tenantA), { email: 'not-an-email', password: PASSWORD }));
    expect(badEmail).toMatchObject({ kind: 'invalid', issues: [{ path: 'email' }] });
    const shortPassword = 'Short-pw1';
    const short = expectErr(await users.create(t.db, admin(tenantA), { email: 'short@example.com', password: shortPassword }));
    expect(short).toMatchObject({ kind: 'invalid', issues: [{ path: 'password' }] });
    expect(JSON.stringify(short)).not.toContain(shortPassword);
    // Columns the caller must not set: unknown keys are refused, not ignored.
    const sneaky = { email: 'sneaky@example.com', password: PASSWORD, tenant_id: tenantB } as never;
    expect(expectErr(await users.create(t.db, admin(tenantA), sneaky))).toMatchObject({ kind: 'invalid' });
    const withHash = { email: 'hash@example.com', password: PASSWORD, password_hash: 'x'.repeat(30) } as never;
    expect(expectErr(await users.create(t.db, admin(tenantA), withHash))).toMatchObject({ kind: 'invalid' });
    expect(expectErr(await users.create(t.db, admin(tenantA), { email: 'r@example.com', password: PASSWORD, role: 'root' as never }))).toMatchObject({ kind: 'invalid', issues: [{ path: 'role' }] });
    const id = await seedUser(t.db, tenantA, 'patch@example.com');
    expect(expectErr(await users.update(t.db, admin(tenantA), id, {}))).toMatchObject({ kind: 'invalid', issues: [{ message: 'nothing to update' }] });
    expect(expectErr(await users.get(t.db, admin(tenantA), 'not-a-uuid'))).toMatchObject({ kind: 'invalid' });
    expect(expectErr(await users.get(t.db, { tenantId: 'nope', role: 'tp_admin' }, id))).toMatchObject({ kind: 'invalid', issues: [{ path: 'tenantId' }] });
    expect(expectErr(await users.get(t.db, { tenantId: tenantA, role: 'tp_admin; reset role' }, id))).toMatchObject({ kind: 'invalid', issues: [{ path: 'role' }] });
  });

  it('maps refusals by privilege to forbidden: members cannot create or deactivate users', async () => {
    expect(expectErr(await users.create(t.db, member(tenantA), { email: 'm@example.com', password: PASSWORD }))).toEqual({ kind: 'forbidden', code: '42501' });
    const id = await seedUser(t.db, tenantA, 'victim@example.com');
    expect(expectErr(await users.remove(t.db, member(tenantA), id))).toEqual({ kind: 'forbidden', code: '42501' });
    expect((await storedUser(id)).is_active).toBe(true);
  });

  it('verifies credentials: right password only, case-insensitive e-mail, active users, own tenant', async () => {
    const u = expectOk(await users.create(t.db, admin(tenantA), { email: 'Login@Example.com', password: PASSWORD }));
    const good = expectOk(await users.verifyCredentials(t.db, member(tenantA), { email: 'login@example.com', password: PASSWORD }));
    expect(good).toEqual({ user: expect.objectContaining({ id: u.id }), needsRehash: false });
    expect(Object.keys(good.user).sort()).toEqual(PUBLIC_KEYS);
    const refused = { kind: 'invalid_credentials' };
    expect(expectErr(await users.verifyCredentials(t.db, member(tenantA), { email: 'login@example.com', password: `${PASSWORD}!` }))).toEqual(refused);
    expect(expectErr(await users.verifyCredentials(t.db, member(tenantA), { email: 'nobody@example.com', password: PASSWORD }))).toEqual(refused);
    expect(expectErr(await users.verifyCredentials(t.db, member(tenantB), { email: 'login@example.com', password: PASSWORD }))).toEqual(refused);
    expectOk(await users.remove(t.db, admin(tenantA), u.id));
    expect(expectErr(await users.verifyCredentials(t.db, member(tenantA), { email: 'login@example.com', password: PASSWORD }))).toEqual(refused);
  });

  it('asks for a rehash of an outdated hash, and setPassword stores a current one', async () => {
    const legacy = await hashPassword(PASSWORD, { ln: 10, r: 8, p: 1 });
    const id = await seedUser(t.db, tenantA, 'legacy@example.com', legacy);
    const before = expectOk(await users.verifyCredentials(t.db, member(tenantA), { email: 'legacy@example.com', password: PASSWORD }));
    expect(before.needsRehash).toBe(true);
    expectOk(await users.setPassword(t.db, admin(tenantA), id, PASSWORD));
    const after = expectOk(await users.verifyCredentials(t.db, member(tenantA), { email: 'legacy@example.com', password: PASSWORD }));
    expect(after.needsRehash).toBe(false);
    expect((await storedUser(id)).password_hash).not.toBe(legacy);
    expect(expectErr(await users.setPassword(t.db, admin(tenantA), id, 'short'))).toMatchObject({ kind: 'invalid' });
  });

  it('enables, checks and disables TOTP; the secret is returned once and prints redacted', async () => {
    const id = await seedUser(t.db, tenantA, 'totp@example.com');
    const enabled = expectOk(await users.enableTotp(t.db, admin(tenantA), id, { issuer: 'tenantproof' }));
    const secret = enabled.secret.reveal();
    expect(enabled.user.totp_enabled).toBe(true);
    expect((await storedUser(id)).totp_secret).toBe(secret);
    expect(JSON.stringify(enabled) + inspect(enabled)).not.toContain(secret);
    expect(new URL(enabled.uri.reveal()).searchParams.get('secret')).toBe(secret);

    const time = 1_800_000_000;
    const code = totp(secret, { time });
    expect(expectOk(await users.checkTotp(t.db, member(tenantA), id, code, { time }))).toMatchObject({ valid: true });
    const wrong = code === '000000' ? '111111' : '000000';
    if (totp(secret, { time: time - 30 }) !== wrong && totp(secret, { time: time + 30 }) !== wrong) {
      expect(expectOk(await users.checkTotp(t.db, member(tenantA), id, wrong, { time }))).toEqual({ valid: false });
    }
    expect(expectErr(await users.checkTotp(t.db, member(tenantB), id, code, { time }))).toEqual({ kind: 'not_found' });

    expect(expectOk(await users.disableTotp(t.db, admin(tenantA), id)).totp_enabled).toBe(false);
    expect(expectErr(await users.checkTotp(t.db, member(tenantA), id, code, { time }))).toMatchObject({ kind: 'invalid', column: 'totp_secret' });
  });

  it('records the actor in the audit trail, and no secret reaches it', async () => {
    const actor = await seedUser(t.db, tenantA, 'auditor@example.com');
    const ctx = { ...admin(tenantA), actorUserId: actor };
    const u = expectOk(await users.create(t.db, ctx, { email: 'audited@example.com', password: PASSWORD }));
    const enabled = expectOk(await users.enableTotp(t.db, ctx, u.id, { issuer: 'tenantproof' }));
    expectOk(await users.setPassword(t.db, ctx, u.id, 'another long password'));
    const stored = await storedUser(u.id);
    const trail = await t.db.query(sql`select actor_user_id, action, old_values, new_values from app.audit_logs where resource_id = ${u.id} order by occurred_at, id`);
    expect(trail.map((r) => r.action)).toEqual(['insert', 'update', 'update']);
    expect(trail.every((r) => r.actor_user_id === actor)).toBe(true);
    const text = JSON.stringify(trail);
    expect(text).toContain('audited@example.com');
    for (const secret of [String(stored.password_hash), enabled.secret.reveal(), PASSWORD, 'password_hash', 'totp_secret']) expect(text).not.toContain(secret);
  });
});
