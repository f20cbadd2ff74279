import { tenantColumnsOf, type ResolvedConfig } from '../config/schema.js';
import type { IntrospectOptions } from './introspect.js';

/** The introspection a config asks for: its actors' roles, tenancy and schemas, and the relations the world needs. */
export function catalogOptions(config: ResolvedConfig): IntrospectOptions {
  const t = config.tenancy;
  const extra = new Set<string>();
  if (t.tenantTable) extra.add(t.tenantTable);
  if (t.principals) extra.add(t.principals.relation);
  if (t.memberships) extra.add(t.memberships.relation);
  for (const a of config.actors) if (a.context?.session) extra.add(a.context.session.relation);
  const roles = new Set<string>();
  for (const a of config.actors) {
    roles.add(a.role);
    if (a.login) roles.add(a.login);
  }
  return {
    actorRoles: [...roles],
    tenantColumns: tenantColumnsOf(t),
    relationColumns: Object.fromEntries(Object.entries(t.relations).map(([rel, o]) => [rel, o.tenantColumn])),
    extraRelations: [...extra].sort(),
    ...(t.schemas ? { schemas: t.schemas } : {}),
    excludeSchemas: t.excludeSchemas,
    ...(t.tenantTable !== undefined ? { tenantTable: t.tenantTable } : {}),
    ...(t.tenantKey ? { tenantKey: t.tenantKey } : {}),
    globalRelations: config.globalTables.map((g) => g.relation),
  };
}
