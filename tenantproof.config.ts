import { defineConfig } from 'tenantproof';

// The reference schema's isolation contract: who its actors are, how the application logs in (tp_app,
// NOINHERIT, switching to each actor's role) and how each enters a tenant (a transaction-local setting).
const tenantContext = { setting: { name: 'app.tenant_id' } };
const login = 'tp_app';

export default defineConfig({
  tenancy: {
    tenantTable: 'app.tenants',
    tenantColumn: 'tenant_id',
    excludeSchemas: ['graphile_migrate'],
  },
  actors: [
    { name: 'member', role: 'tp_member', login, expect: 'tenant', context: tenantContext, description: "a tenant's ordinary member" },
    { name: 'admin', role: 'tp_admin', login, expect: 'tenant', context: tenantContext, description: "a tenant's administrator" },
    { name: 'anonymous', role: 'tp_anon', login, expect: 'none', description: 'not signed in: global reference data only' },
    { name: 'platform', role: 'tp_platform', login, expect: 'all', description: 'platform operators (BYPASSRLS)' },
  ],
  // Platform operators sign in through the application's login and switch to the BYPASSRLS role: by design.
  platformRoles: [{ role: 'tp_platform', logins: [login], reason: 'platform operators sign in through the application and switch to their BYPASSRLS role' }],
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
