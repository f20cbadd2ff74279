/**
 * Everything the rules share, computed once per lint run: the actors joined
 * with their catalog roles and contexts, lookups by name, and who bypasses
 * row level security where. Rules ask questions here instead of re-deriving
 * them (one module, one job; no copy-paste between rules).
 */
import type { Catalog, Func, Policy, Relation, RelationPrivileges, Role } from '../catalog/types.js';
import { callNames } from '../catalog/expressions.js';
import { settingsWrittenBy } from '../catalog/settings-written.js';
import { contextSettings, contextStatements, SAMPLE_TENANT, type ContextSettings } from '../config/context.js';
import type { ActorConfig, GlobalTableConfig, PlatformRoleConfig, ResolvedConfig, SharedRowConfig } from '../config/schema.js';
import { sameExpression } from './util.js';

/** How an actor is, or can become, a role: through its own role or through the login it connects as. */
export interface RoleRoute {
  /** The role reached. */
  role: string;
  /** Where the chain starts: the actor's role or its login. */
  from: string;
  /** Membership chain from `from` to `role`, both ends included (just `[role]` when it is the role itself). */
  path: string[];
  /** Holds the role's privileges without SET ROLE (INHERIT all along the chain). */
  inherits: boolean;
  /** May SET ROLE to it. */
  canSetRole: boolean;
}

export interface ActorInfo {
  name: string;
  role: string;
  /** The role the application logs in as (session_user): the actor's role unless the config names another. */
  login: string;
  loginExists: boolean;
  expect: ActorConfig['expect'];
  config: ActorConfig;
  exists: boolean;
  superuser: boolean;
  bypassRls: boolean;
  /** The settings (and JWT claim) that carry the tenant in this actor's context. */
  context: ContextSettings;
  /** Catalog functions the context SQL calls (`select app.enter_tenant($tenant)`). */
  contextHelpers: Func[];
  /** Itself and every role it is a member of (policies apply through any membership). */
  memberRoles: Set<string>;
  /** Roles whose privileges it holds without SET ROLE. */
  inheritedRoles: Set<string>;
  /** Roles it may SET ROLE to. */
  settableRoles: Set<string>;
  /**
   * Every role the actor's role or its login is, holds the privileges of, or may SET ROLE to,
   * transitively, with the chain; the login's routes count because the login is what an attacker
   * who takes over the application's connection holds (SET ROLE is checked against it).
   */
  routes: RoleRoute[];
}

export interface LintContext {
  catalog: Catalog;
  config: ResolvedConfig;
  actors: ActorInfo[];
  /** Actors expected to see one tenant or nothing: the ones isolation is about. */
  restricted: ActorInfo[];
  relation(name: string): Relation | undefined;
  func(signature: string): Func | undefined;
  role(name: string): Role | undefined;
  /** Tenant-scoped relations (tenant table, direct, indirect, derived), sorted. */
  tenantRelations: Relation[];
  globalTable(name: string): GlobalTableConfig | undefined;
  sharedRows(relation: string): SharedRowConfig[];
  privileges(rel: Relation, actor: ActorInfo): RelationPrivileges | undefined;
  /** Role names that `role` holds the privileges of (itself included), following INHERIT grants. */
  inheritedBy(role: string): Set<string>;
  /** Does `role` see every row of `rel` regardless of policies? */
  bypassesRls(role: string, rel: Relation): boolean;
  /** The routes by which the actor (its role or its login) is, or can become, `role`; empty when it cannot. */
  routesTo(actor: ActorInfo, role: string): RoleRoute[];
  /** The platformRoles entry that declares the route (the role it reaches, from the login it starts at), if any. */
  declaredRoute(route: Pick<RoleRoute, 'role' | 'from'>): PlatformRoleConfig | undefined;
  /**
   * The sharedRows declaration that makes `command` through this policy clause a reviewed
   * exception: the policy is declared by name, or the clause is the declared predicate, and the
   * declared access covers the command (reads always; writes only with access 'write').
   */
  sharedBy(rel: Relation, policy: Policy, clauseText: string | null, command: 'select' | 'insert' | 'update' | 'delete'): SharedRowConfig | undefined;
}

export function createContext(catalog: Catalog, config: ResolvedConfig): LintContext {
  const relations = new Map(catalog.relations.map((r) => [r.qualifiedName, r]));
  const functions = new Map(catalog.functions.map((f) => [f.signature, f]));
  const roles = new Map(catalog.roles.map((r) => [r.name, r]));
  const catalogActors = new Map(catalog.actors.map((a) => [a.role, a]));
  const inheritCache = new Map<string, Set<string>>();

  const inheritedBy = (role: string): Set<string> => {
    const cached = inheritCache.get(role);
    if (cached) return cached;
    const seen = new Set([role]);
    const queue = [role];
    while (queue.length > 0) {
      const r = roles.get(queue.shift()!);
      for (const m of r?.memberOf ?? []) {
        if (m.inherit && !seen.has(m.role)) {
          seen.add(m.role);
          queue.push(m.role);
        }
      }
    }
    inheritCache.set(role, seen);
    return seen;
  };

  const actors: ActorInfo[] = config.actors.map((a) => {
    const c = catalogActors.get(a.role);
    const reaches = c?.reaches ?? [];
    const helpers = contextHelpers(a, catalog);
    const login = a.login ?? a.role;
    return {
      name: a.name,
      role: a.role,
      login,
      loginExists: catalogActors.get(login)?.exists ?? roles.has(login),
      expect: a.expect,
      config: a,
      exists: c?.exists ?? false,
      superuser: c?.superuser ?? false,
      bypassRls: c?.bypassRls ?? false,
      context: withHelperSettings(contextSettings(a), helpers),
      contextHelpers: helpers,
      memberRoles: new Set([a.role, ...reaches.map((r) => r.role)]),
      inheritedRoles: new Set([a.role, ...reaches.filter((r) => r.inheritsPrivileges).map((r) => r.role)]),
      settableRoles: new Set(reaches.filter((r) => r.canSetRole).map((r) => r.role)),
      routes: routesFrom(catalog, [...new Set([a.role, login])]),
    };
  });

  const globals = new Map(config.globalTables.map((g) => [g.relation, g]));
  const tenantRelations = catalog.relations.filter((r) => r.tenancy !== null);

  return {
    catalog,
    config,
    actors,
    restricted: actors.filter((a) => a.expect !== 'all'),
    relation: (name) => relations.get(name),
    func: (sig) => functions.get(sig),
    role: (name) => roles.get(name),
    tenantRelations,
    globalTable: (name) => globals.get(name),
    sharedRows: (relation) => config.sharedRows.filter((s) => s.relation === relation),
    privileges: (rel, actor) => rel.privileges.find((p) => p.role === actor.role),
    inheritedBy,
    bypassesRls(role, rel) {
      const r = roles.get(role);
      if (r?.superuser || r?.bypassRls) return true;
      if (!rel.rls.enabled) return true;
      // The owner (or a role holding its privileges) skips policies unless FORCE.
      return !rel.rls.forced && inheritedBy(role).has(rel.owner);
    },
    routesTo: (actor, role) => actor.routes.filter((r) => r.role === role),
    declaredRoute: (route) => config.platformRoles.find((p) => p.role === route.role && p.logins.includes(route.from)),
    sharedBy(rel, policy, clauseText, command) {
      return config.sharedRows.find(
        (s) =>
          s.relation === rel.qualifiedName &&
          (s.policy === policy.name || (s.predicate !== undefined && clauseText !== null && sameExpression(s.predicate, clauseText))) &&
          (command === 'select' || s.access === 'write'),
      );
    },
  };
}

/**
 * The roles each origin (a role that exists) is, inherits or may SET ROLE to, from the server's
 * own answers (catalog.actors[].reaches); a membership that gives neither is no route.
 */
function routesFrom(catalog: Catalog, origins: readonly string[]): RoleRoute[] {
  const out: RoleRoute[] = [];
  for (const origin of origins) {
    const known = catalog.actors.find((a) => a.role === origin);
    if (!known?.exists) continue;
    out.push({ role: origin, from: origin, path: [origin], inherits: true, canSetRole: true });
    for (const r of known.reaches) {
      if (r.inheritsPrivileges || r.canSetRole) out.push({ role: r.role, from: origin, path: r.path, inherits: r.inheritsPrivileges, canSetRole: r.canSetRole });
    }
  }
  return out;
}

/** Functions the actor's context SQL calls: their bodies are part of the context. */
function contextHelpers(actor: ActorConfig, catalog: Catalog): Func[] {
  const c = actor.context;
  if (!c || (c.sql === undefined && c.statements === undefined)) return [];
  const text = contextStatements(actor, SAMPLE_TENANT).join(';\n');
  const found = new Map<string, Func>();
  for (const ref of callNames(text)) {
    for (const f of catalog.functions) if (f.name === ref.name && (ref.schema === null || ref.schema === f.schema)) found.set(f.signature, f);
  }
  return [...found.values()];
}

/** A context written as `select app.enter_tenant($tenant)` sets its settings inside the helper (or the functions it calls). */
function withHelperSettings(ctx: ContextSettings, helpers: readonly Func[]): ContextSettings {
  if (helpers.length === 0) return ctx;
  const settings = new Set(ctx.settings);
  for (const f of helpers) for (const name of settingsWrittenBy(f)) settings.add(name);
  settings.delete('role'); // SET ROLE is an identity switch, not a tenant setting
  return { ...ctx, settings: [...settings].sort() };
}
