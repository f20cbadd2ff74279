/**
 * Root causes: which findings one fix makes go away. An actor that bypasses
 * row level security or inherits the owner explains every probe finding of
 * that actor; a relation where row level security does not apply explains
 * the probe findings on it; a policy explains the probe findings on its
 * relation for the actors and commands it applies to; a function explains
 * its call findings; a foreign key its reference findings; the tenant
 * context its pooled, forged and fail-open findings. A finding nothing
 * explains is its own cause.
 *
 * Pure: the findings and the catalog facts it needs as plain data (see
 * cause-facts.ts for how the gate extracts them), so it is testable without
 * a database and `report --merge` recomputes the same causes. Each finding
 * gets exactly one cause: the first candidate in the order above.
 */
import { quoteIdent } from '../sql/text.js';
import { sortFindings } from './findings.js';
import type { Cause, Finding, Severity } from './types.js';

export type FactsCommand = 'all' | 'select' | 'insert' | 'update' | 'delete';

/** What the causes need from the catalog. Every field is optional: without it, the grouping is coarser, never wrong-footed. */
export interface CauseFacts {
  /** The owner role of each relation (`schema.name`). */
  owners?: Record<string, string>;
  /** Every role each actor is, directly or transitively, a member of (its own role first). */
  actorRoles?: Record<string, string[]>;
  /** The roles whose privileges each actor holds without SET ROLE (its own role first): an inherited owner skips the policies. */
  inherits?: Record<string, string[]>;
  /** Relations with FORCE ROW LEVEL SECURITY: their owner (and who inherits it) is bound by the policies too. */
  forced?: string[];
  /** Every policy: its relation, name, command and roles (`PUBLIC` for no TO clause). */
  policies?: Array<{ relation: string; name: string; command: FactsCommand; roles: string[] }>;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Lint rules whose finding says row level security does not apply to the relation at all. */
const RELATION_RULES: Record<string, string> = {
  'rls-not-enabled': 'row level security is off',
  'policy-without-rls': 'policies exist but row level security is off',
  'partition-without-rls': 'a partition queried directly has no row level security',
  'view-not-security-invoker': "a view reads as its owner, past the caller's policies",
  'matview-exposes-tenant-data': 'a materialized view ignores row level security',
  'foreign-table-exposes-tenant-data': 'a foreign table ignores row level security',
};
const ACTOR_RULES = new Set(['actor-bypasses-rls', 'actor-member-of-owner']);
/** Which cause wins when several explain a probe finding: the widest fix first. */
const KIND_RANK: Record<Cause['kind'], number> = { 'actor-bypasses-rls': 0, 'actor-owns-relation': 1, 'relation-without-rls': 2, policy: 3, function: 4, 'foreign-key': 5, other: 6, context: 7 };

/** The policy commands whose policies decide a probe (the command the probe's statement is). */
const PROBE_COMMANDS: Record<string, FactsCommand[]> = {
  read: ['select'],
  'read-unset': ['select'],
  'read-empty': ['select'],
  'read-malformed': ['select'],
  'read-forged': ['select'],
  insert: ['insert'],
  'insert-returning': ['insert', 'select'],
  update: ['update'],
  move: ['update'],
  steal: ['update'],
  delete: ['delete'],
  upsert: ['insert', 'update'],
  reference: ['insert', 'update'],
  'duplicate-key': ['insert'],
};

/** Probe findings that the tenant context explains when nothing more precise does: one cause per group. */
const CONTEXT_GROUPS: Record<string, { key: string; title: string }> = {
  'probe-pooled-context': { key: 'pooled', title: 'the tenant context outlives its transaction (a pooled connection inherits it)' },
  'probe-read-forged': { key: 'forged-settings', title: 'policies trust settings the actor can write itself' },
  'probe-read-unset': { key: 'fails-open', title: 'a missing, empty or malformed tenant context opens rows' },
  'probe-read-empty': { key: 'fails-open', title: 'a missing, empty or malformed tenant context opens rows' },
  'probe-read-malformed': { key: 'fails-open', title: 'a missing, empty or malformed tenant context opens rows' },
};

/** Coverage findings: one cause per rule, whatever relations they name. */
const COVERAGE_TITLES: Record<string, string> = {
  'coverage-vacuous': 'the probes proved nothing',
  'coverage-relation-not-proven': 'tenant relations no check proved anything about',
  'coverage-relation-unprobed': 'tenant relations no read check could judge',
  'coverage-unfilled': 'relations no world could fill',
};

/** A candidate cause while grouping: what it explains, and the findings that name it. */
interface Group {
  id: string;
  kind: Cause['kind'];
  subject: string;
  /** The findings that state the cause itself (lint findings), in report order. */
  roots: Finding[];
  /** Probe findings it explains. */
  explained: Finding[];
  /** Relation it is about (null: any). */
  relation: string | null;
  /** Actors it applies to (null: every actor). */
  actors: Set<string> | null;
  /** For an actor: the owners whose privileges it holds (it skips the policies of their relations unless forced); null elsewhere. */
  owners: Set<string> | null;
  /** For an actor: it is itself SUPERUSER or BYPASSRLS, so no policy applies to any of its statements. */
  bypassAll?: boolean;
  /** For a policy: its command and roles, when the facts know the policy. */
  policy?: { command: FactsCommand; roles: string[] } | undefined;
  /** How the title names the subject, when it reads better than the subject itself. */
  name?: string;
  title?: string;
}

const isProbe = (f: Finding) => f.rule.startsWith('probe-') && f.rule !== 'probe-over-restriction';
const probeOf = (f: Finding) => f.rule.slice('probe-'.length);

/** Every finding with its `cause`, and the causes, most findings explained first. */
export function assignCauses(input: readonly Finding[], facts: CauseFacts = {}): { findings: Finding[]; causes: Cause[] } {
  const findings = sortFindings(input.map(({ cause: _old, ...f }) => f));
  const groups = new Map<string, Group>();
  const group = (id: string, init: () => Omit<Group, 'id' | 'roots' | 'explained'>): Group => {
    let g = groups.get(id);
    if (!g) {
      g = { id, roots: [], explained: [], ...init() };
      groups.set(id, g);
    }
    return g;
  };
  const causeOf = new Map<Finding, Group>();

  // 1. Roots: lint findings that state a cause.
  for (const f of findings) {
    if (isProbe(f)) continue;
    const g = rootGroup(f, group, facts);
    if (g) {
      g.roots.push(f);
      causeOf.set(f, g);
    }
  }
  // An actor cause keeps the most severe kind: a bypass before an owner.
  for (const g of groups.values()) if (g.kind === 'actor-owns-relation' && g.roots.some((r) => r.rule === 'actor-bypasses-rls')) g.kind = 'actor-bypasses-rls';

  // 2. Relations not forced, owned by an owner an actor inherits: the actor's cause explains them.
  const actorGroups = [...groups.values()].filter((g) => g.kind === 'actor-owns-relation').sort((a, b) => cmp(a.id, b.id));
  for (const f of findings) {
    if (f.rule !== 'rls-not-forced' || !f.relation || causeOf.has(f)) continue;
    const owner = facts.owners?.[f.relation];
    const g = owner === undefined ? undefined : actorGroups.find((a) => a.owners?.has(owner));
    if (g) {
      g.roots.push(f);
      causeOf.set(f, g);
    }
  }

  // 3. Probe findings: the first cause that explains them.
  const ordered = [...groups.values()].sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind] || worst(a.roots) - worst(b.roots) || cmp(a.id, b.id));
  for (const f of findings) {
    if (!isProbe(f)) continue;
    const g = ordered.find((c) => explains(c, f, facts)) ?? contextGroup(f, group);
    if (g) {
      g.explained.push(f);
      causeOf.set(f, g);
    }
  }

  // 4. Coverage findings of one rule share a cause (the worlds could not reach those relations); the rest: each its own cause.
  for (const f of findings) {
    if (causeOf.has(f)) continue;
    const coverage = COVERAGE_TITLES[f.rule];
    if (coverage) {
      const g = group(`coverage:${f.rule}`, () => ({ kind: 'other', subject: 'coverage', relation: null, actors: null, owners: null, title: coverage }));
      g.roots.push(f);
      causeOf.set(f, g);
      continue;
    }
    const g = group(`finding:${f.id}`, () => ({ kind: 'other', subject: f.object ?? f.relation ?? f.actor ?? f.rule, relation: f.relation, actors: null, owners: null }));
    g.roots.push(f);
    causeOf.set(f, g);
  }

  const order = new Map(findings.map((f, i) => [f, i]));
  const causes: Cause[] = [...groups.values()]
    .filter((g) => g.roots.length + g.explained.length > 0)
    .map((g) => toCause(g, order));
  causes.sort((a, b) => b.findings.length - a.findings.length || RANK[a.severity] - RANK[b.severity] || cmp(a.id, b.id));
  return { findings: findings.map((f) => ({ ...f, cause: causeOf.get(f)!.id })), causes };
}

type GroupFn = (id: string, init: () => Omit<Group, 'id' | 'roots' | 'explained'>) => Group;

function rootGroup(f: Finding, group: GroupFn, facts: CauseFacts): Group | null {
  // A route declared by design (info) explains no leak: if something leaks, its cause is elsewhere. The actors it concerns share one cause.
  if (ACTOR_RULES.has(f.rule) && f.severity === 'info') {
    const subject = f.object ?? f.rule;
    return group(`declared:${subject}`, () => ({ kind: 'other', subject, relation: null, actors: new Set(), owners: null, title: `${subject}: a route declared by design (${f.rule})` }));
  }
  if (ACTOR_RULES.has(f.rule) && f.actor) {
    const actor = f.actor;
    const g = group(`actor:${actor}`, () => ({ kind: f.rule === 'actor-bypasses-rls' ? 'actor-bypasses-rls' : 'actor-owns-relation', subject: actor, relation: null, actors: new Set([actor]), owners: new Set() }));
    const role = f.object?.startsWith('role ') ? f.object.slice('role '.length) : null;
    const own = facts.actorRoles?.[actor]?.[0];
    // BYPASSRLS is not inherited: only the actor's own role bypasses every statement; a role it may SET ROLE to is an escalation.
    if (f.rule === 'actor-bypasses-rls' && (role === null || own === undefined || role === own)) g.bypassAll = true;
    // The owner's privileges (and with them the owner's exemption from policies) are inherited; SET ROLE alone is an escalation.
    if (f.rule === 'actor-member-of-owner' && role !== null && (facts.inherits?.[actor] === undefined || facts.inherits[actor]!.includes(role))) g.owners?.add(role);
    return g;
  }
  if (RELATION_RULES[f.rule] && f.relation) {
    const g = group(`relation:${f.relation}`, () => ({ kind: 'relation-without-rls', subject: f.relation!, relation: f.relation, actors: new Set(), owners: null, title: `${f.relation}: ${RELATION_RULES[f.rule]}` }));
    widenActors(g, f);
    return g;
  }
  if (f.object?.startsWith('policy ')) {
    const name = f.relation && f.object.startsWith(`policy ${f.relation}.`) ? f.object.slice(`policy ${f.relation}.`.length) : null;
    const known = name === null ? undefined : facts.policies?.find((p) => p.relation === f.relation && p.name === name);
    const title = name === null ? undefined : `policy ${quoteIdent(name)} on ${f.relation}`;
    const g = group(`policy:${f.object.slice('policy '.length)}`, () => ({ kind: 'policy', subject: f.object!, relation: f.relation, actors: new Set(), owners: null, policy: known ? { command: known.command, roles: known.roles } : undefined, ...(title ? { name: title } : {}) }));
    widenActors(g, f);
    return g;
  }
  if (f.object?.startsWith('function ')) {
    const g = group(`function:${f.object.slice('function '.length)}`, () => ({ kind: 'function', subject: f.object!, relation: f.object!.slice('function '.length), actors: new Set(), owners: null }));
    widenActors(g, f);
    return g;
  }
  if (f.rule === 'fk-omits-tenant-column' && f.relation) {
    return group(`foreign-key:${f.object ?? f.relation}`, () => ({ kind: 'foreign-key', subject: f.object ?? f.relation!, relation: f.relation, actors: null, owners: null, title: `${f.object ?? f.relation} omits the tenant column` }));
  }
  if (f.rule === 'unique-omits-tenant-column' && f.relation) {
    return group(`unique:${f.object ?? f.relation}`, () => ({ kind: 'other', subject: f.object ?? f.relation!, relation: f.relation, actors: null, owners: null, title: `${f.object ?? f.relation} omits the tenant column` }));
  }
  if (f.rule === 'session-level-context') {
    const g = group('context:pooled', () => ({ kind: 'context', subject: 'tenant context', relation: null, actors: new Set(), owners: null, title: CONTEXT_GROUPS['probe-pooled-context']!.title }));
    widenActors(g, f);
    return g;
  }
  return null;
}

/** A root with an actor narrows the cause to it; a root without one widens it to every actor. */
function widenActors(g: Group, f: Finding): void {
  if (g.actors === null) return;
  if (f.actor === null) g.actors = null;
  else g.actors.add(f.actor);
}

/** Does the cause explain this probe finding? */
function explains(g: Group, f: Finding, facts: CauseFacts): boolean {
  const probe = probeOf(f);
  if (g.actors !== null && (f.actor === null || !g.actors.has(f.actor))) return false;
  switch (g.kind) {
    case 'actor-bypasses-rls':
    case 'actor-owns-relation': {
      if (probe === 'read-escalated' || g.bypassAll) return true;
      if (!g.owners || g.owners.size === 0 || (f.relation && facts.forced?.includes(f.relation))) return false;
      const owner = f.relation ? facts.owners?.[f.relation] : undefined;
      return owner === undefined ? facts.owners === undefined : g.owners.has(owner);
    }
    case 'relation-without-rls':
      return f.relation === g.relation && probe !== 'pooled-context';
    case 'policy': {
      if (f.relation !== g.relation) return false;
      const commands = PROBE_COMMANDS[probe];
      if (!commands) return false;
      if (!g.policy) return true;
      const { command, roles } = g.policy;
      return (command === 'all' || commands.includes(command)) && (f.actor === null || appliesTo(roles, f.actor, facts));
    }
    case 'function':
      return probe.startsWith('call') && (f.relation === g.relation || f.object === g.subject);
    case 'foreign-key':
      return probe === 'reference' && f.relation === g.relation;
    case 'other':
      return g.id.startsWith('unique:') && probe === 'duplicate-key' && f.relation === g.relation;
    case 'context':
      return CONTEXT_GROUPS[f.rule]?.key === 'pooled' && g.id === 'context:pooled';
  }
}

function appliesTo(roles: string[], actor: string, facts: CauseFacts): boolean {
  if (roles.includes('PUBLIC')) return true;
  const member = facts.actorRoles?.[actor];
  return member === undefined || roles.some((r) => member.includes(r));
}

/** Probe findings of the tenant context (pooled, forged, fail-open) that nothing more precise explains. */
function contextGroup(f: Finding, group: GroupFn): Group | null {
  const c = CONTEXT_GROUPS[f.rule];
  if (c) return group(`context:${c.key}`, () => ({ kind: 'context', subject: 'tenant context', relation: null, actors: null, owners: null, title: c.title }));
  if (f.rule === 'probe-read-escalated' && f.actor) {
    return group(`escalation:${f.actor}`, () => ({ kind: 'actor-bypasses-rls', subject: f.actor!, relation: null, actors: new Set([f.actor!]), owners: null, title: `${f.actor} can SET ROLE past row level security` }));
  }
  return null;
}

const worst = (list: readonly Finding[]) => list.reduce((w, f) => Math.min(w, RANK[f.severity]), 3);

function toCause(g: Group, order: Map<Finding, number>): Cause {
  const all = [...g.roots, ...g.explained].sort((a, b) => order.get(a)! - order.get(b)!);
  const lead = [...g.roots].sort((a, b) => RANK[a.severity] - RANK[b.severity] || order.get(a)! - order.get(b)!)[0] ?? all[0]!;
  const severity = (['error', 'warning', 'info'] as const)[worst(all)]!;
  return { id: g.id, kind: g.kind, title: g.title ?? titleOf(g, lead), subject: g.subject, fix: lead.fix, findings: all.map((f) => f.id), severity };
}

function titleOf(g: Group, lead: Finding): string {
  const rules = [...new Set(g.roots.map((r) => r.rule))].join(', ');
  switch (g.kind) {
    case 'actor-bypasses-rls':
      return g.bypassAll ? `${g.subject} bypasses row level security (SUPERUSER or BYPASSRLS)` : `${g.subject} can SET ROLE to a role that bypasses row level security`;
    case 'actor-owns-relation':
      return g.owners && g.owners.size > 0 ? `${g.subject} is or inherits the owner (${[...g.owners].sort(cmp).join(', ')}) of the relations` : `${g.subject} can SET ROLE to the owner of the relations`;
    case 'policy':
    case 'function':
      return `${g.name ?? g.subject}: ${rules}`;
    default:
      return [lead.rule, lead.relation ? `on ${lead.relation}` : null, lead.actor ? `for ${lead.actor}` : null].filter(Boolean).join(' ');
  }
}
