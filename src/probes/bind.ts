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
  /** Per group, one binding per subject slot. */
  groups: Map<number, GroupBinding[]>;
  /** Payloads by `payloadKey(check, slot)` (the wire's own object). */
  payloads: Readonly<Record<string, unknown>>;
  /** The runner's argument. */
  wire: unknown;
}

/** How many subjects (tenants or principals) each actor acts as in one world: every one, up to this. */
export const MAX_SUBJECTS = 3;

/**
 * The subjects an actor acts as in a world: each of its tenants (or principals) in turn, so that one
 * world is judged from every point of view; the order starts where the world's seed says.
 */
export function subjectsOf(actor: ActorModel, actorIndex: number, world: World): Array<Omit<GroupBinding, 'statements'>> {
  const seed = world.shape.seed;
  if (actor.expect !== 'tenant') {
    const victim = world.tenants.length ? world.tenants[seed % world.tenants.length]! : null;
    return [
      {
        subject: { tenant: '', principal: '', login: actor.login ?? actor.role, role: actor.role },
        own: [],
        ownTenant: null,
        victimTenant: victim,
        victimPrincipal: world.principals[0] ?? null,
      },
    ];
  }
  const byPrincipal = actor.as === 'principal' && world.principals.length > 0;
  const pool = byPrincipal ? world.principals : world.tenants;
  const count = Math.min(MAX_SUBJECTS, pool.length);
  return Array.from({ length: count }, (_, k) => {
    const who = pool[(seed + actorIndex + k) % pool.length]!;
    const own = byPrincipal ? world.memberships.filter((m) => m.principal === who).map((m) => m.tenant) : [who];
    const tenant = byPrincipal ? (own[0] ?? '') : who;
    const principal = who;
    const victimTenant = world.tenants.find((t) => !own.includes(t)) ?? null;
    const victimPrincipal =
      world.principals.find((p) => p !== principal && !world.memberships.some((m) => m.principal === p && own.includes(m.tenant))) ??
      world.principals.find((p) => p !== principal) ??
      null;
    const roles = actor.adapter.tenantRoles;
    const role = roles ? (world.tenantRoles.get(tenant) ?? tenantRoleName(roles.template, tenant)) : actor.role;
    return {
      subject: { tenant, principal, login: actor.login ?? role, role, session: world.sessions.get(principal) },
      own,
      ownTenant: own[0] ?? null,
      victimTenant,
      victimPrincipal,
    };
  });
}

/** The subject of a group: the actor's subject with the mode's values (none, blank, garbage). */
function groupSubject(actor: ActorModel, base: Omit<GroupBinding, 'statements'>, mode: ContextMode): GroupBinding {
  let subject = subjectFor(mode, base.subject);
  if (mode === 'unset') {
    // No context at all; a role-per-tenant actor runs as the shared role itself.
    subject = actor.adapter.tenantRoles
      ? { tenant: '', principal: '', login: actor.login ?? actor.role, role: actor.role }
      : { ...subject, tenant: '', principal: '', session: '' };
  }
  const fn = actor.config.context?.statements;
  const statements = fn && mode !== 'unset' ? [fn(subject.tenant, subject)].flat() : [];
  return { ...base, subject, statements };
}

export function bindWorld(plan: CheckPlan, worldPlan: WorldPlan, world: World, build: BuildOptions, mask?: ReadonlySet<number>): WorldBinding {
  const groups = new Map<number, GroupBinding[]>();
  const wireGroups: Record<string, unknown[]> = {};
  const payloads: Record<string, unknown> = {};
  const bases = new Map<ActorModel, Array<Omit<GroupBinding, 'statements'>>>();
  plan.cx.model.actors.forEach((a, i) => bases.set(a, subjectsOf(a, i, world)));
  const extraRow = cachedExtraRows(extraRowMaker(worldPlan, world, build));
  for (const g of plan.groups) {
    if (mask && !g.checks.some((c) => mask.has(c.id))) continue;
    const slots = distinctSubjects(
      g,
      (bases.get(g.actor) ?? []).map((base) => groupSubject(g.actor, base, g.mode)),
    );
    groups.set(g.id, slots);
    wireGroups[g.id] = slots.map((gb) => {
      const s = gb.subject;
      return { t: s.tenant, p: s.principal, l: s.login, r: s.role, s: s.session ?? '', o: gb.ownTenant, vt: gb.victimTenant, vp: gb.victimPrincipal, st: gb.statements };
    });
    slots.forEach((gb, slot) => {
      const bc: BindContext = { world, plan: worldPlan, own: gb.own, ownTenant: gb.ownTenant, victimTenant: gb.victimTenant, extraRow };
      for (const c of g.checks) {
        if (!c.bind || (mask && !mask.has(c.id))) continue;
        const payload = c.bind(bc);
        if (payload === null || payload === undefined) continue;
        payloads[payloadKey(c.id, slot)] = payload;
      }
    });
  }
  const wire: Record<string, unknown> = { g: wireGroups, b: payloads };
  if (plan.tokens) wire.k = tokensOf(worldPlan, world);
  if (mask) wire.mask = Array.from({ length: plan.checks.length }, (_, i) => (mask.has(i) ? '1' : '0')).join('');
  return { groups, payloads, wire };
}

/** A check's payload in one subject's slot. */
export const payloadKey = (check: number, slot: number) => `${check}:${slot}`;

/**
 * In a group whose checks read nothing of the subject but its context (PlannedGroup.subjectFree), the
 * subjects of an actor that log in alike are one subject: the same login, role and settings, no tenant
 * to see (v_allowed is empty), so its checks would run again with the same statements and outcome.
 */
function distinctSubjects(g: CheckPlan['groups'][number], slots: GroupBinding[]): GroupBinding[] {
  if (!g.subjectFree) return slots;
  const seen = new Set<string>();
  return slots.filter((gb) => {
    const s = gb.subject;
    const key = JSON.stringify([s.tenant, s.principal, s.login, s.role, s.session ?? '', gb.statements]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * One planted row per relation and tenant per world, copied for every check that plants one: the
 * checks run in subtransactions of their own, so they may share values, and building rows (factories,
 * faker) is most of the cost of binding a world.
 */
function cachedExtraRows(make: ReturnType<typeof extraRowMaker>): BindContext['extraRow'] {
  const cache = new Map<string, Record<string, unknown> | null>();
  return (relation, tenant, salt) => {
    const key = `${relation}\u0000${tenant}`;
    if (!cache.has(key)) cache.set(key, make(relation, tenant, salt));
    const row = cache.get(key);
    // A shallow copy: a probe sets top-level values (its target key), never a nested one.
    return row ? { ...row } : null;
  };
}

/**
 * What a function's result may show of a tenant: tenant ids, and the keys and text values of the
 * world's rows (eight characters or more), each with the one tenant it belongs to. A value several
 * tenants hold says nothing and is left out.
 */
export function tokensOf(worldPlan: WorldPlan, world: World): Record<string, string> {
  const owner = new Map<string, string | null>();
  const add = (value: unknown, tenant: string) => {
    if (typeof value !== 'string' || value.length < 8) return;
    const seen = owner.get(value);
    owner.set(value, seen === undefined || seen === tenant ? tenant : null);
  };
  for (const t of world.tenants) add(t, t);
  for (const p of worldPlan.relations) {
    if (p.scope === null) continue;
    // The row's own data: its key and its text columns, not the keys it references (a user's id in
    // created_by belongs to the user, who may be anyone's).
    const references = new Set(p.parents.filter((x) => !x.sameTenant).flatMap((x) => x.fk.columns));
    const own = p.relation.columns.filter((c) => !references.has(c.name) && (p.keyColumns.includes(c.name) || c.category === 'S')).map((c) => c.name);
    for (const row of world.rows.get(p.relation.qualifiedName) ?? []) {
      if (row.tenant === null) continue;
      for (const c of own) add(row.values[c], row.tenant);
    }
  }
  const principals = new Set(world.principals);
  // No prototype: a token is any text of the world, "__proto__" included.
  const out: Record<string, string> = Object.create(null);
  for (const [value, tenant] of owner) if (tenant !== null && !principals.has(value)) out[value] = tenant;
  return out;
}
