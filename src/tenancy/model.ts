/**
 * The tenancy model of one run, resolved once from the config and the
 * catalog: what a tenant is (a table, or values of the tenant column's type
 * when tenants live elsewhere), who the principals are and which tenants each
 * belongs to, and how every actor logs in and enters a context. Every mistake
 * is reported together (exit 2), naming the key and the fix.
 */
import type { Catalog, Column, Relation } from '../catalog/types.js';
import type { ActorConfig, ResolvedConfig } from '../config/schema.js';
import { TenantproofError } from '../errors.js';
import { adapterFor, adapterKind, type ContextAdapter, type ContextAdapterKind } from './adapters/index.js';

export interface PrincipalModel {
  relation: Relation;
  key: string;
  /** format_type text of the key. */
  type: string;
}

export interface MembershipModel {
  relation: Relation;
  principalColumn: string;
  tenantColumn: string;
  roleColumn: string | null;
  /** The roles a world gives members (the column's enum labels, the config's list, or one CHECK literal). */
  roles: string[];
}

export interface SessionModel {
  relation: Relation;
  principalColumn: string;
  key: string;
  setting: string;
}

export interface ActorModel {
  config: ActorConfig;
  name: string;
  role: string;
  /** session_user during a check; for role-per-tenant actors without a login, the tenant's own role. */
  login: string | null;
  as: 'principal' | 'tenant';
  expect: ActorConfig['expect'];
  kind: ContextAdapterKind;
  adapter: ContextAdapter;
}

export interface TenancyModel {
  tenantTable: Relation | null;
  tenantKey: string | null;
  /** The SQL type of tenant ids. */
  tenantType: string;
  principals: PrincipalModel | null;
  memberships: MembershipModel | null;
  /** Session tables of session-context actors, by relation name. */
  sessions: SessionModel[];
  actors: ActorModel[];
}

export function resolveTenancy(catalog: Catalog, config: ResolvedConfig): TenancyModel {
  const problems: string[] = [];
  const byName = new Map(catalog.relations.map((r) => [r.qualifiedName, r]));
  const relation = (name: string, what: string): Relation | null => {
    const r = byName.get(name);
    if (!r) problems.push(`${what} ${name} does not exist (or is not a table the checking role can see)`);
    return r ?? null;
  };
  const column = (r: Relation | null, name: string, what: string): Column | null => {
    if (!r) return null;
    const c = r.columns.find((x) => x.name === name);
    if (!c) problems.push(`${what}: ${r.qualifiedName} has no column ${name}`);
    return c ?? null;
  };
  const keyOf = (r: Relation | null, given: string | undefined, what: string): string | null => {
    if (!r) return null;
    if (given) return column(r, given, what) ? given : null;
    const pk = r.primaryKey?.columns;
    if (pk?.length === 1) return pk[0]!;
    problems.push(`${what}: ${r.qualifiedName} has no single-column primary key; name its key column`);
    return null;
  };

  const t = config.tenancy;
  const tenantTable = catalog.tenancy.tenantTable ? relation(catalog.tenancy.tenantTable, 'tenancy.tenantTable') : null;

  let memberships: MembershipModel | null = null;
  let principals: PrincipalModel | null = null;
  if (t.memberships) {
    const m = t.memberships;
    const rel = relation(m.relation, 'tenancy.memberships.relation');
    column(rel, m.principalColumn, 'tenancy.memberships.principalColumn');
    column(rel, m.tenantColumn, 'tenancy.memberships.tenantColumn');
    const roleCol = m.roleColumn ? column(rel, m.roleColumn, 'tenancy.memberships.roleColumn') : null;
    if (rel) memberships = { relation: rel, principalColumn: m.principalColumn, tenantColumn: m.tenantColumn, roleColumn: m.roleColumn ?? null, roles: m.roles ?? rolesOf(catalog, rel, roleCol) };
  }
  const principalRelation = t.principals?.relation ?? (memberships ? referenced(memberships.relation, memberships.principalColumn) : undefined);
  if (t.memberships && !principalRelation) problems.push(`tenancy.principals: ${t.memberships.relation}.${t.memberships.principalColumn} references no table; name the principals table (tenancy.principals.relation)`);
  if (principalRelation) {
    const rel = relation(principalRelation, 'tenancy.principals.relation');
    const key = keyOf(rel, t.principals?.key ?? (memberships && !t.principals ? referencedColumn(memberships.relation, memberships.principalColumn) : undefined), 'tenancy.principals.key');
    if (rel && key) principals = { relation: rel, key, type: rel.columns.find((c) => c.name === key)!.type };
  }

  const sessions: SessionModel[] = [];
  const actors: ActorModel[] = config.actors.map((a) => {
    const adapter = adapterFor(a);
    const kind = adapterKind(a);
    if (adapter.session && !sessions.some((s) => s.relation.qualifiedName === adapter.session!.relation)) {
      const s = adapter.session;
      const rel = relation(s.relation, `actors.${a.name}.context.session.relation`);
      column(rel, s.principalColumn, `actors.${a.name}.context.session.principalColumn`);
      const key = keyOf(rel, s.key, `actors.${a.name}.context.session.key`);
      if (rel && key) sessions.push({ relation: rel, principalColumn: s.principalColumn, key, setting: s.setting });
    }
    if (adapter.tenantRoles?.column) {
      if (!tenantTable) problems.push(`actors.${a.name}.context.rolePerTenant.column: the schema has no tenant table to store the role name in`);
      else column(tenantTable, adapter.tenantRoles.column, `actors.${a.name}.context.rolePerTenant.column`);
    }
    const as = a.as ?? (memberships ? 'principal' : 'tenant');
    if (as === 'principal' && !principals && t.memberships === undefined && a.as === 'principal')
      problems.push(`actors.${a.name}.as: 'principal' needs tenancy.principals (and usually tenancy.memberships)`);
    return { config: a, name: a.name, role: a.role, login: a.login ?? (kind === 'role-per-tenant' ? null : a.role), as, expect: a.expect, kind, adapter };
  });

  if (!tenantTable && t.tenantTable === undefined && catalog.relations.every((r) => r.tenancy === null))
    problems.push(`no relation has a tenant column named ${catalog.tenancy.tenantColumns.join(' or ')}: set tenancy.tenantColumn`);
  if (problems.length > 0) {
    throw new TenantproofError('tenancy-invalid', `the tenancy model cannot be built:\n  ${problems.join('\n  ')}`, 'correct the keys named above in the config (tenantproof init proposes them from the catalog)');
  }
  return { tenantTable, tenantKey: catalog.tenancy.tenantKey, tenantType: t.tenantType ?? catalog.tenancy.tenantType, principals, memberships, sessions, actors };
}

/** The table a single-column foreign key on `column` references. */
function referenced(r: Relation, column: string): string | undefined {
  return r.foreignKeys.find((k) => k.columns.length === 1 && k.columns[0] === column)?.references;
}

function referencedColumn(r: Relation, column: string): string | undefined {
  return r.foreignKeys.find((k) => k.columns.length === 1 && k.columns[0] === column)?.referencedColumns[0];
}

/** Roles a membership may hold: an enum's labels, else the literals a CHECK on the column lists, else none (the generator fills it). */
function rolesOf(catalog: Catalog, r: Relation, col: Column | null): string[] {
  if (!col) return [];
  const type = catalog.types.find((x) => x.schema === col.typeSchema && x.name === col.typeName);
  if (type?.kind === 'enum') return type.labels;
  for (const check of r.checks) {
    if (!check.definition.includes(col.name)) continue;
    const literals = [...check.definition.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replaceAll("''", "'"));
    if (literals.length > 0) return [...new Set(literals)];
  }
  return [];
}
