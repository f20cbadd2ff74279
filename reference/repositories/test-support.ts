// Shared by the repository tests (not part of the public API).
import { randomBytes } from 'node:crypto';
import { sql, type Queryable } from '@databases/pg';
import { expect } from 'vitest';
import type { RepoContext } from './define.js';
import type { Result } from './result.js';

/** Tenants created with a privileged (superuser) insert: repositories act inside tenants, not on them. */
export async function seedTenants(db: Queryable, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const suffix = randomBytes(4).toString('hex');
    const [row] = await db.query(sql`insert into app.tenants (name, domain) values (${`Tenant ${suffix}`}, ${`t-${suffix}.example`}) returning id`);
    ids.push(row.id as string);
  }
  return ids;
}

// A well-formed scrypt hash at the cheapest cost, for users seeded in bulk
// (hashing at the default cost takes ~0.3 s each). Its password is unknown.
export const SEED_PASSWORD_HASH = '$scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export async function seedUser(db: Queryable, tenantId: string, email: string, passwordHash = SEED_PASSWORD_HASH): Promise<string> {
  const [row] = await db.query(sql`insert into app.users (tenant_id, email, password_hash) values (${tenantId}, ${email}, ${passwordHash}) returning id`);
  return row.id as string;
}

export const admin = (tenantId: string): RepoContext => ({ tenantId, role: 'tp_admin' });
export const member = (tenantId: string): RepoContext => ({ tenantId, role: 'tp_member' });

/** The value of a result that must have succeeded; the failure is shown otherwise. */
export function expectOk<T, E>(r: Result<T, E>): T {
  if (!r.ok) expect.fail(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}

/** The error of a result that must have failed. */
export function expectErr<T, E>(r: Result<T, E>): E {
  if (r.ok) expect.fail(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.error;
}
