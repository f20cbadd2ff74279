import { defineConfig } from './src/config/index.js';

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
  ],
});
