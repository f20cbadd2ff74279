import { createHash } from 'node:crypto';
import { Faker, base, en } from '@faker-js/faker';

/** The "now" of every generated date: dates relative to the wall clock would differ between two runs of one seed. */
export const REFERENCE_DATE = '2026-06-01T00:00:00Z';

/** A faker whose output depends only on `seed`: the same seed builds the same rows (dates included). */
export function seededFaker(seed: number): Faker {
  const f = new Faker({ locale: [en, base] });
  f.seed(seed);
  f.setDefaultRefDate(REFERENCE_DATE);
  return f;
}

export interface TenantRow { id: string; name: string; domain: string; subscription_tier: string }
export interface UserRow { tenant_id: string; id: string; email: string; role: string; password_hash: string; totp_secret: string | null; is_active: boolean }
export interface DocumentRow { tenant_id: string; id: string; user_id: string; title: string; content_hash: string; metadata: Record<string, unknown> }
export interface ApiKeyRow { tenant_id: string; id: string; name: string; key_prefix: string; key_hash: string; permissions: string[]; expires_at: string | null }
export interface TenantConfigRow { tenant_id: string; id: string; template_id: string | null; settings: Record<string, unknown> }

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// `n` makes values unique where the schema demands it, whatever faker returns.
export const tenantFactory = (f: Faker, n: number): TenantRow => ({
  id: f.string.uuid(),
  name: f.company.name(),
  domain: `${f.internet.domainWord().toLowerCase().replace(/[^a-z0-9-]/g, '') || 'tenant'}-${n}.example.com`,
  subscription_tier: f.helpers.arrayElement(['free', 'starter', 'professional', 'enterprise']),
});

export const userFactory = (f: Faker, tenantId: string, n: number): UserRow => ({
  tenant_id: tenantId,
  id: f.string.uuid(),
  email: `${f.internet.username().toLowerCase().replace(/[^a-z0-9._-]/g, '') || 'user'}.${n}@${f.internet.domainName()}`,
  role: f.helpers.arrayElement(['sysadmin', 'admin', 'user']),
  // Shape of a bcrypt hash; the factories never need the password itself.
  password_hash: `$2b$12$${f.string.alphanumeric(53)}`,
  totp_secret: f.datatype.boolean() ? f.string.fromCharacters('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 32) : null,
  is_active: f.datatype.boolean({ probability: 0.9 }),
});

export const documentFactory = (f: Faker, tenantId: string, userId: string): DocumentRow => ({
  tenant_id: tenantId,
  id: f.string.uuid(),
  user_id: userId,
  title: f.lorem.sentence({ min: 2, max: 8 }),
  content_hash: sha256(f.string.uuid()),
  metadata: { pages: f.number.int({ min: 1, max: 400 }), language: f.helpers.arrayElement(['en', 'pt', 'es']) },
});

export const apiKeyFactory = (f: Faker, tenantId: string, n: number): ApiKeyRow => ({
  tenant_id: tenantId,
  id: f.string.uuid(),
  name: `${f.hacker.noun()} key ${n}`,
  key_prefix: `tp_${f.string.alphanumeric(4)}${n}`.slice(0, 16),
  key_hash: sha256(f.string.uuid()),
  permissions: f.helpers.arrayElements(['read', 'write', 'admin'], { min: 1, max: 3 }),
  expires_at: f.datatype.boolean() ? f.date.future().toISOString() : null,
});

export const tenantConfigFactory = (f: Faker, tenantId: string, templateId: string | null): TenantConfigRow => ({
  tenant_id: tenantId,
  id: f.string.uuid(),
  template_id: templateId,
  settings: { timezone: f.location.timeZone(), mfa_required: f.datatype.boolean() },
});
