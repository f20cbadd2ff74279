/**
 * What every proposal step shares: which relations and functions belong to
 * the application (not to a tool), the policies that apply to a role, and the
 * functions a policy reaches through its calls.
 */
import type { Catalog, Func, Policy, Relation } from '../../catalog/types.js';

/** Column names that usually hold the tenant, best first. */
export const TENANT_COLUMN_NAMES = ['tenant_id', 'org_id', 'organization_id', 'organisation_id', 'account_id', 'workspace_id', 'team_id', 'company_id', 'customer_id', 'client_id', 'project_id'];
/** Schemas of tools, not of the application. */
export const TOOL_SCHEMAS = ['graphile_migrate', 'graphile_worker', 'postgraphile_watch', 'supabase_migrations', 'supabase_functions', 'extensions', 'realtime', 'storage', 'vault', 'pgsodium', 'pgbouncer'];

export const inScope = (r: Relation) => !r.extension && !TOOL_SCHEMAS.includes(r.schema);
export const appFunction = (f: Func) => f.inScope && !f.extension && !TOOL_SCHEMAS.includes(f.schema);

/** Tool schemas present in the database: never scanned. */
export const toolSchemas = (catalog: Catalog) => catalog.scannedSchemas.filter((s) => TOOL_SCHEMAS.includes(s));

export const relationOf = (catalog: Catalog, name: string) => catalog.relations.find((r) => r.qualifiedName === name);

export interface AppliedPolicy {
  relation: Relation;
  policy: Policy;
}

/** Policies on tenant data that apply to `role`, directly or through a role it inherits. */
export function tenantPolicies(catalog: Catalog, role: string): AppliedPolicy[] {
  const inherits = new Set([role, ...(catalog.actors.find((a) => a.role === role)?.reaches.filter((x) => x.inheritsPrivileges).map((x) => x.role) ?? [])]);
  return catalog.relations
    .filter((r) => inScope(r) && r.tenancy)
    .flatMap((relation) => relation.policies.filter((p) => p.appliesToPublic || p.roles.some((x) => inherits.has(x))).map((policy) => ({ relation, policy })));
}

/** Every function the policies call, directly or through the functions they call. */
export function policyFunctions(catalog: Catalog, policies: readonly Policy[]): Func[] {
  const bySignature = new Map(catalog.functions.map((f) => [f.signature, f]));
  const seen = new Map<string, Func>();
  const queue = policies.flatMap((p) => p.functions);
  while (queue.length > 0) {
    const f = bySignature.get(queue.shift()!);
    if (!f || seen.has(f.signature)) continue;
    seen.set(f.signature, f);
    queue.push(...f.calls);
  }
  return [...seen.values()];
}

/** Relations the policies read, in their expressions or through the functions they call. */
export function policyRelations(catalog: Catalog, policies: readonly Policy[]): Set<string> {
  return new Set([...policies.flatMap((p) => p.relations), ...policyFunctions(catalog, policies).flatMap((f) => f.relationsReferenced)]);
}

/** The single-column primary key of a relation, if it has one. */
export function singleKey(r: Relation | undefined): string | null {
  const pk = r?.primaryKey;
  return pk && pk.columns.length === 1 ? pk.columns[0]! : null;
}
