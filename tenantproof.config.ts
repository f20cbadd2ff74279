import { defineConfig } from 'tenantproof';

// The reference schema's isolation contract: who its actors are and how each enters a tenant.
const tenantContext = { sql: "select set_config('app.tenant_id', $tenant, true)" };

export default defineConfig({
  tenancy: {
    tenantTable: 'app.tenants',
    tenantColumn: 'tenant_id',
    excludeSchemas: ['graphile_migrate'],
  },
  actors: [
    { name: 'member', role: 'tp_member', expect: 'tenant', context: tenantContext, description: "a tenant's ordinary member" },
    { name: 'admin', role: 'tp_admin', expect: 'tenant', context: tenantContext, description: "a tenant's administrator" },
    { name: 'anonymous', role: 'tp_anon', expect: 'none', description: 'not signed in: global reference data only' },
    { name: 'platform', role: 'tp_platform', expect: 'all', description: 'platform operators (BYPASSRLS)' },
  ],
  globalTables: [
    { relation: 'app.templates', reason: 'configuration templates every tenant starts from', defaultAccess: 'read', access: { platform: 'write' } },
    ...['ref.countries', 'ref.languages', 'ref.industries', 'ref.timezones', 'ref.user_statuses', 'ref.user_roles'].map((relation) => ({
      relation,
      reason: 'reference data shared by every tenant, written by migrations only',
      defaultAccess: 'read' as const,
    })),
    {
      relation: 'config.app_settings',
      reason: 'platform-wide setting defaults; tenants override them in config.app_setting_overrides',
      defaultAccess: 'read',
      access: { anonymous: 'none', platform: 'write' },
    },
    { relation: 'config.validation_rules', reason: 'field rules sign-up forms apply before anyone is signed in', defaultAccess: 'read', access: { platform: 'write' } },
  ],
  probes: {
    // A fixed seed: the committed reports (reports/) are byte-stable across runs; `gate --seed N` explores others.
    seed: 2026,
    // Valid rows for every table (CPF/ABN domains, storage keys under the tenant's prefix...), from a seed.
    factories: './factories/index.ts',
  },
});
