import type { ResolvedConfig } from '../config/schema.js';
import type { IntrospectOptions } from './introspect.js';

/** The introspection a config asks for: its actors' roles, tenancy and schemas. */
export function catalogOptions(config: ResolvedConfig): IntrospectOptions {
  const t = config.tenancy;
  return {
    actorRoles: [...new Set(config.actors.map((a) => a.role))],
    tenantColumn: t.tenantColumn,
    ...(t.schemas ? { schemas: t.schemas } : {}),
    excludeSchemas: t.excludeSchemas,
    ...(t.tenantTable ? { tenantTable: t.tenantTable } : {}),
    ...(t.tenantKey ? { tenantKey: t.tenantKey } : {}),
    globalRelations: config.globalTables.map((g) => g.relation),
  };
}
