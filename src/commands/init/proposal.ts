/**
 * The proposal from one catalog, and the plain config data it stands for.
 * Each step is a module of its own: tenancy (table and columns), memberships
 * (principals apart from tenants), actors with their login and context, and
 * global tables.
 */
import type { Catalog } from '../../catalog/types.js';
import { proposeActors, type ProposedActor, type ProposedPlatformRole } from './actors.js';
import { proposeGlobalTables, type ProposedGlobalTable } from './global-tables.js';
import { proposeMemberships, type ProposedMemberships } from './memberships.js';
import { toolSchemas } from './scope.js';
import { proposeTenancy, type ProposedTenancy } from './tenancy.js';

export type { ProposedActor, ProposedPlatformRole } from './actors.js';
export type { ProposedGlobalTable } from './global-tables.js';
export type { ProposedContext } from './context.js';

export interface ConfigProposal {
  tenancy: ProposedTenancy & { memberships: ProposedMemberships | null };
  actors: ProposedActor[];
  platformRoles: ProposedPlatformRole[];
  globalTables: ProposedGlobalTable[];
  questions: string[];
}

/**
 * The whole proposal from one catalog, introspected with every role as an
 * actor role and the tool schemas already left out (see catalogOf).
 */
export function proposeConfig(catalog: Catalog, o: { excludeSchemas?: string[] } = {}): ConfigProposal {
  const tenancy = proposeTenancy(catalog, o.excludeSchemas ?? toolSchemas(catalog));
  const members = proposeMemberships(catalog, tenancy);
  const { actors, platformRoles, questions } = proposeActors(catalog, tenancy, members);
  const known = new Map<string, string>();
  if (members) known.set(members.principals.relation, `the principals (users): they reach tenants through ${members.memberships.relation}`);
  for (const a of actors) {
    const session = a.context && 'session' in a.context ? a.context.session : undefined;
    if (session) known.set(session.relation, `the principals' sessions, read by the context (${session.setting})`);
  }
  return {
    tenancy: { ...tenancy, memberships: members },
    actors,
    platformRoles,
    globalTables: proposeGlobalTables(catalog, tenancy.tenantTable, actors, known),
    questions,
  };
}

/** The proposal as plain config data (what loadConfig validates). */
export function proposalToConfig(p: ConfigProposal): Record<string, unknown> {
  const t = p.tenancy;
  return {
    tenancy: {
      tenantTable: t.tenantTable,
      tenantColumn: t.tenantColumns.length > 1 ? t.tenantColumns : t.tenantColumn,
      ...(t.tenantKey ? { tenantKey: t.tenantKey } : {}),
      ...(t.memberships ? { principals: t.memberships.principals, memberships: t.memberships.memberships } : {}),
      ...(t.excludeSchemas.length > 0 ? { excludeSchemas: t.excludeSchemas } : {}),
    },
    actors: p.actors.map((a) => ({
      name: a.name,
      role: a.role,
      ...(a.login ? { login: a.login } : {}),
      ...(a.as ? { as: a.as } : {}),
      expect: a.expect,
      ...(a.context ? { context: a.context } : {}),
    })),
    ...(p.platformRoles.length > 0 ? { platformRoles: p.platformRoles.map((r) => ({ role: r.role, logins: r.logins, reason: r.reason })) } : {}),
    globalTables: p.globalTables.map((g) => ({
      relation: g.relation,
      reason: g.reason,
      defaultAccess: g.defaultAccess,
      ...(Object.keys(g.access).length > 0 ? { access: g.access } : {}),
    })),
  };
}
