import fc from 'fast-check';
import {
  apiKeyFactory,
  documentFactory,
  seededFaker,
  tenantConfigFactory,
  tenantFactory,
  userFactory,
  type ApiKeyRow,
  type DocumentRow,
  type TenantConfigRow,
  type TenantRow,
  type UserRow,
} from './core.js';

/** Rows of the core tables, keyed by qualified table name, in foreign-key order. */
export interface CoreWorld {
  tenants: TenantRow[];
  'app.users': UserRow[];
  'app.documents': DocumentRow[];
  'app.tenant_api_keys': ApiKeyRow[];
  'app.tenant_configs': TenantConfigRow[];
}

export interface CoreWorldShape {
  seed: number;
  tenants: { users: number; documentsPerUser: number[]; apiKeys: number; config: boolean }[];
}

/**
 * The shape (how many rows of each kind per tenant) comes from fast-check, so
 * it shrinks; the values come from faker seeded by fast-check, so a failing
 * world replays from its seed.
 */
export function coreWorldShape(o: { minTenants?: number; maxTenants?: number } = {}): fc.Arbitrary<CoreWorldShape> {
  const tenant = fc.record({
    users: fc.integer({ min: 0, max: 4 }),
    documentsPerUser: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
    apiKeys: fc.integer({ min: 0, max: 2 }),
    config: fc.boolean(),
  });
  return fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    tenants: fc.array(tenant, { minLength: o.minTenants ?? 2, maxLength: o.maxTenants ?? 5 }),
  });
}

export function buildCoreWorld(shape: CoreWorldShape, templateId: string | null): CoreWorld {
  const f = seededFaker(shape.seed);
  const world: CoreWorld = { tenants: [], 'app.users': [], 'app.documents': [], 'app.tenant_api_keys': [], 'app.tenant_configs': [] };
  let n = 0;
  for (const t of shape.tenants) {
    const tenant = tenantFactory(f, n++);
    world.tenants.push(tenant);
    for (let u = 0; u < t.users; u++) {
      const user = userFactory(f, tenant.id, n++);
      world['app.users'].push(user);
      for (let d = 0; d < (t.documentsPerUser[u] ?? 0); d++) world['app.documents'].push(documentFactory(f, tenant.id, user.id));
    }
    for (let k = 0; k < t.apiKeys; k++) world['app.tenant_api_keys'].push(apiKeyFactory(f, tenant.id, n++));
    if (t.config) world['app.tenant_configs'].push(tenantConfigFactory(f, tenant.id, f.datatype.boolean() ? templateId : null));
  }
  return world;
}
