/**
 * A world's values for the static checks: who each group acts as (the
 * subject: tenant, principal, login, role, session), the victims, and the
 * payloads of the checks that plant rows. The runner recomputes what each
 * subject may see from the database; these are only the inputs.
 */
import type { ContextSubject } from '../config/schema.js';
import { subjectFor, type ContextMode } from '../tenancy/adapters/index.js';
import { tenantRoleName } from '../tenancy/adapters/role-per-tenant.js';
import type { ActorModel } from '../tenancy/model.js';
import { extraRowMaker, type BuildOptions, type World } from '../world/build.js';
import type { WorldPlan } from '../world/plan.js';
import type { CheckPlan } from './plan.js';
import type { BindContext } from './probe.js';

/** Who a group acts as in a world, and its victims. */
export interface GroupBinding {
  subject: ContextSubject;
  /** The tenants the subject belongs to, as the world wrote them. */
  own: string[];
  ownTenant: string | null;
  victimTenant: string | null;
  victimPrincipal: string | null;
  /** For `statements` contexts: what the config's function returned for this subject. */
  statements: string[];
}

export interface WorldBinding {
  groups: Map<number, GroupBinding>;
  payloads: Map<number, unknown>;
  /** The runner's argument. */
  wire: unknown;
}

/** The subject an actor acts as in a world (its tenant or principal rotates with the world's seed). */
export function subjectOf(actor: ActorModel, actorIndex: number, world: World): Omit<GroupBinding, 'statements'> | null {
  const seed = world.shape.seed;
  if (actor.expect !== 'tenant') {
    const victim = world.tenants.length ? world.tenants[seed % world.tenants.length]! : null;
    return { subject: { tenant: '', principal: '', login: actor.login ?? actor.role, role: actor.role }, own: [], ownTenant: null, victimTenant: victim, victimPrincipal: world.principals[0] ?? null };
  }
  let tenant: string;
  let principal: string;
  let own: string[];
  if (actor.as === 'principal' && world.principals.length > 0) {
    principal = world.principals[(seed + actorIndex) % world.principals.length]!;
    own = world.memberships.filter((m) => m.principal === principal).map((m) => m.tenant);
    tenant = own[0] ?? '';
  } else {
    if (world.tenants.length === 0) return null;
    tenant = world.tenants[(seed + actorIndex) % world.tenants.length]!;
    principal = tenant;
    own = [tenant];
  }
  const victimTenant = world.tenants.find((t) => !own.includes(t)) ?? null;
  const victimPrincipal = world.principals.find((p) => p !== principal && !world.memberships.some((m) => m.principal === p && own.includes(m.tenant))) ?? world.principals.find((p) => p !== principal) ?? null;
  const roles = actor.adapter.tenantRoles;
  const role = roles ? (world.tenantRoles.get(tenant) ?? tenantRoleName(roles.template, tenant)) : actor.role;
  const login = actor.login ?? role;
  return { subject: { tenant, principal, login, role, session: world.sessions.get(principal) }, own, ownTenant: own[0] ?? null, victimTenant, victimPrincipal };
}

/** The subject of a group: the actor's subject with the mode's values (none, blank, garbage). */
function groupSubject(actor: ActorModel, base: Omit<GroupBinding, 'statements'>, mode: ContextMode): GroupBinding {
  let subject = subjectFor(mode, base.subject);
  if (mode === 'unset') {
    // No context at all; a role-per-tenant actor runs as the shared role itself.
    subject = actor.adapter.tenantRoles ? { tenant: '', principal: '', login: actor.login ?? actor.role, role: actor.role } : { ...subject, tenant: '', principal: '', session: '' };
  }
  const fn = actor.config.context?.statements;
  const statements = fn && mode !== 'unset' ? [fn(subject.tenant, subject)].flat() : [];
  return { ...base, subject, statements };
}

export function bindWorld(plan: CheckPlan, worldPlan: WorldPlan, world: World, build: BuildOptions, mask?: ReadonlySet<number>): WorldBinding {
  const groups = new Map<number, GroupBinding>();
  const payloads = new Map<number, unknown>();
  const wireGroups: Record<string, unknown> = {};
  const wirePayloads: Record<string, unknown> = {};
  const bases = new Map<ActorModel, Omit<GroupBinding, 'statements'> | null>();
  plan.cx.model.actors.forEach((a, i) => bases.set(a, subjectOf(a, i, world)));
  const extraRow = extraRowMaker(worldPlan, world, build);
  for (const g of plan.groups) {
    if (mask && !g.checks.some((c) => mask.has(c.id))) continue;
    const base = bases.get(g.actor);
    if (!base) continue;
    const gb = groupSubject(g.actor, base, g.mode);
    groups.set(g.id, gb);
    const s = gb.subject;
    wireGroups[g.id] = { t: s.tenant, p: s.principal, l: s.login, r: s.role, s: s.session ?? '', o: gb.ownTenant, vt: gb.victimTenant, vp: gb.victimPrincipal, st: gb.statements };
    const bc: BindContext = {
      world,
      plan: worldPlan,
      own: gb.own,
      ownTenant: gb.ownTenant,
      victimTenant: gb.victimTenant,
      extraRow,
    };
    for (const c of g.checks) {
      if (!c.bind || (mask && !mask.has(c.id))) continue;
      const payload = c.bind(bc);
      if (payload === null || payload === undefined) continue;
      payloads.set(c.id, payload);
      wirePayloads[c.id] = payload;
    }
  }
  const wire: Record<string, unknown> = { g: wireGroups, b: wirePayloads };
  if (mask) wire.mask = Array.from({ length: plan.checks.length }, (_, i) => (mask.has(i) ? '1' : '0')).join('');
  return { groups, payloads, wire };
}
