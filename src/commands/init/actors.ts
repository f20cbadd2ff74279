/**
 * Actors: roles with a privilege in the scanned schemas or a policy that
 * names them, without the objects' owners, superusers and the login roles
 * that only SET ROLE to others (those become each actor's `login`). Expect
 * 'all' for BYPASSRLS, 'tenant' when a policy on tenant data applies to the
 * role, else 'none'. BYPASSRLS roles a login may switch to are platform roles.
 */
import type { Catalog, Role } from '../../catalog/types.js';
import type { Expectation } from '../../config/schema.js';
import { proposeContext, type ProposedContext } from './context.js';
import type { ProposedMemberships } from './memberships.js';
import type { ProposedTenancy } from './tenancy.js';
import { inScope, tenantPolicies } from './scope.js';

const SUPABASE_ACTORS: Record<string, Expectation | undefined> = { anon: 'none', authenticated: 'tenant', service_role: 'all' };

export interface ProposedActor {
  name: string;
  role: string;
  /** The role the application logs in as, when it is not the actor's role. */
  login?: string;
  as?: 'principal' | 'tenant';
  expect: Expectation;
  context?: ProposedContext;
  /** Why this role and this expectation: a comment above the actor. */
  why: string;
  /** More about its context, a comment line each. */
  notes?: string[];
  questions: string[];
}

export interface ProposedPlatformRole {
  role: string;
  logins: string[];
  reason: string;
}

/** Roles with a privilege in the scanned schemas or named by a policy: who uses this database. */
function usingRoles(catalog: Catalog): Set<string> {
  const out = new Set<string>();
  for (const r of catalog.relations.filter(inScope)) {
    // What PUBLIC may do every role may do: it tells nothing about who uses the database.
    const pub = new Set(r.publicPrivileges.map((x) => x.toLowerCase()));
    for (const p of r.privileges) if ((['select', 'insert', 'update', 'delete'] as const).some((k) => p[k] && !pub.has(k))) out.add(p.role);
    for (const pol of r.policies) for (const role of pol.roles) out.add(role);
  }
  for (const f of catalog.functions) if (f.inScope && !f.extension && !f.publicExecute) for (const role of f.executableBy) out.add(role);
  // Schema USAGE is no signal: PUBLIC has it on schema public in every database, and alone it reads nothing.
  out.delete('PUBLIC');
  return out;
}

/**
 * A short actor name: the role without the prefix its siblings share (tp_member -> member). The
 * siblings are the other actors, their logins and the objects' owners: a lone sst_visitor next to
 * sst_authenticator and sst_owner is `visitor`.
 */
function actorNames(roles: string[], siblings: readonly string[]): Map<string, string> {
  const prefix = (() => {
    const all = [...new Set([...roles, ...siblings])];
    if (roles.length === 0 || all.length < 2) return '';
    const first = /^([a-z0-9]+_)/i.exec(roles[0]!)?.[1];
    return first && all.every((r) => r.startsWith(first)) && roles.every((r) => r.length > first.length) ? first : '';
  })();
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const role of roles) {
    let name = role.slice(prefix.length).replace(/[^A-Za-z0-9_-]/g, '_');
    if (!/^[A-Za-z]/.test(name)) name = `actor_${name}`;
    let unique = name;
    for (let i = 2; used.has(unique); i++) unique = `${name}${i}`;
    used.add(unique);
    out.set(role, unique);
  }
  return out;
}

/** Login roles (not superusers) that are members of `role` and may SET ROLE to it: how the application reaches it. */
function gatewaysOf(roles: readonly Role[], role: string): string[] {
  return roles
    .filter((r) => r.login && !r.superuser && r.name !== role && r.memberOf.some((m) => m.role === role && m.set))
    .map((r) => r.name)
    .sort();
}

export function proposeActors(catalog: Catalog, tenancy: ProposedTenancy, members: ProposedMemberships | null): { actors: ProposedActor[]; platformRoles: ProposedPlatformRole[]; questions: string[] } {
  const roles = new Map(catalog.roles.map((r) => [r.name, r]));
  const owners = new Set([...catalog.relations.filter(inScope).map((r) => r.owner), ...catalog.schemas.map((s) => s.owner), ...catalog.functions.filter((f) => f.inScope).map((f) => f.owner)]);
  const used = usingRoles(catalog);
  const named = new Set(catalog.relations.filter(inScope).flatMap((r) => r.policies.flatMap((p) => p.roles)));
  const candidates = [...used]
    .filter((name) => {
      const r = roles.get(name);
      if (!r || r.superuser || owners.has(name)) return false;
      // A login role that is a member of other candidates is the application's gateway, not an actor (unless a policy names it).
      if (r.login && r.memberOf.some((m) => used.has(m.role)) && !named.has(name)) return false;
      return true;
    })
    .sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const siblings = [...owners, ...candidates.flatMap((c) => gatewaysOf(catalog.roles, c))].filter((n) => roles.get(n)?.superuser === false);
  const names = actorNames(candidates, siblings);
  const questions: string[] = [];
  if (candidates.length === 0) questions.push('no role other than the owner uses these schemas: add the roles your application connects as');
  const actors = candidates.map((role): ProposedActor => {
    const r = roles.get(role)!;
    const gateways = gatewaysOf(catalog.roles, role);
    const login = gateways[0];
    const via = gateways.length > 0 ? `granted to login role ${gateways.join(', ')}` : r.login ? 'a login role' : 'no login role is granted it';
    const qs: string[] = [];
    if (gateways.length > 1) qs.push(`several login roles may switch to it (${gateways.join(', ')}): ${login} was chosen as the login`);
    const common = { name: names.get(role)!, role, ...(login ? { login } : {}) };
    const pols = tenantPolicies(catalog, role);
    if (r.bypassRls) return { ...common, expect: 'all', why: `${role}: BYPASSRLS, ${via}`, questions: qs };
    if (pols.length > 0) {
      const ctx = proposeContext(catalog, role, pols, tenancy, members);
      const perTenant = 'rolePerTenant' in ctx.context;
      if (gateways.length === 0 && !r.login && !perTenant) qs.push('no login role can become this role: is it used at all?');
      const tables = new Set(pols.map((p) => p.relation.qualifiedName)).size;
      return {
        ...common,
        as: ctx.as,
        expect: 'tenant',
        context: ctx.context,
        why: `${role}: ${perTenant ? "each tenant's login role is a member of it" : via}; policies on ${tables} tenant tables apply to it; ${ctx.why}`,
        notes: ctx.notes,
        questions: [...qs, ...ctx.questions],
      };
    }
    if (gateways.length === 0 && !r.login) qs.push('no login role can become this role: is it used at all?');
    const readable = catalog.relations.filter((x) => inScope(x) && x.tenancy && x.privileges.some((p) => p.role === role && p.select)).length;
    if (readable > 0) qs.push(`it may SELECT ${readable} tenant tables, but no policy on them applies to it: 'none' assumed (it should see no tenant row); if it is a tenant's user, give it policies and expect 'tenant'`);
    const base = SUPABASE_ACTORS[role];
    if (base && base !== 'none') qs.push(`named like Supabase's ${role}, which usually expects '${base}'`);
    return { ...common, expect: 'none', why: `${role}: ${via}; no policy on tenant data applies to it`, questions: qs };
  });
  return { actors, platformRoles: platformRoles(catalog.roles, actors), questions };

  function order(role: string): number {
    const r = roles.get(role);
    if (r?.bypassRls) return 2;
    return tenantPolicies(catalog, role).length > 0 ? 0 : 1;
  }
}

/** BYPASSRLS roles that the actors' logins may switch to, directly or through other roles: by design, or a finding. */
function platformRoles(roles: readonly Role[], actors: readonly ProposedActor[]): ProposedPlatformRole[] {
  const byName = new Map(roles.map((r) => [r.name, r]));
  const found = new Map<string, Set<string>>();
  for (const login of new Set(actors.flatMap((a) => (a.login ? [a.login] : [])))) {
    const seen = new Set<string>();
    const queue = [login];
    while (queue.length > 0) {
      for (const m of byName.get(queue.shift()!)?.memberOf ?? []) {
        if (!m.set || seen.has(m.role)) continue;
        seen.add(m.role);
        queue.push(m.role);
        if (byName.get(m.role)?.bypassRls) found.set(m.role, (found.get(m.role) ?? new Set()).add(login));
      }
    }
  }
  return [...found.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([role, logins]) => ({
      role,
      logins: [...logins].sort(),
      reason: `${role} has BYPASSRLS and the application's login ${[...logins].sort().join(', ')} may SET ROLE to it: trusted server-side work sees every tenant by design`,
    }));
}
