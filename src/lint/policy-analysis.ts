/**
 * Static reading of the permissive policies that decide what a restricted
 * actor may touch in a tenant relation. Each clause (USING, WITH CHECK) is
 * split at its top-level OR, since permissive branches widen one another,
 * and every branch is classified:
 *
 *   constant-true  `true`, `1 = 1`: every row of every tenant
 *   fail-open      a test of the context for NULL / '' (or COALESCE(context,
 *                  column)) that admits every row when no tenant is set
 *   forgeable      decided by a custom setting the actor can set itself
 *   unconstrained  filters rows without the tenant context (`is_public`)
 *   constrained    compares row data with the actor's tenant context, or
 *                  with a correlated subquery on a tenant relation under RLS
 *
 * Four rules report the first four classes. The analysis is a heuristic on
 * text, so it leans towards "constrained" when the context is compared with
 * the row: the dynamic probes check what the branch really returns.
 */
import {
  callNames,
  isConstantTrue,
  matchingParen,
  mentionsColumn,
  readsCurrentUser,
  relationNames,
  settingMatches,
  settingReads,
  splitTopLevel,
} from '../catalog/expressions.js';
import type { Func, Policy, Relation } from '../catalog/types.js';
import type { ActorInfo, LintContext } from './context.js';
import { clausesOf, hasAccess, policyApplies, type Access, type Clause } from './util.js';

export type BranchClass = 'constant-true' | 'fail-open' | 'forgeable' | 'unconstrained' | 'constrained';

export interface BranchVerdict {
  text: string;
  cls: BranchClass;
  /** Custom settings the branch reads that are not the actor's context. */
  forgeable: string[];
}

export interface PolicyProblem {
  relation: Relation;
  policy: Policy;
  actor: ActorInfo;
  clause: Clause;
  branch: BranchVerdict;
}

const cache = new WeakMap<LintContext, PolicyProblem[]>();

/** Every problem branch of every permissive policy, per restricted actor it applies to. Cached per run. */
export function policyProblems(ctx: LintContext): PolicyProblem[] {
  const cached = cache.get(ctx);
  if (cached) return cached;
  const out: PolicyProblem[] = [];
  for (const rel of ctx.tenantRelations) {
    if (!rel.rls.enabled || rel.policies.length === 0) continue;
    for (const actor of ctx.restricted) {
      // Anonymous actors are judged by none-actor-reaches-tenant-data; bypassing actors by actor-bypasses-rls.
      if (actor.expect !== 'tenant' || !actor.exists || ctx.bypassesRls(actor.role, rel)) continue;
      const privileges = ctx.privileges(rel, actor);
      const masked = maskedCommands(ctx, rel, actor);
      for (const policy of rel.policies) {
        if (!policy.permissive || !policyApplies(policy, actor)) continue;
        const shared = ctx.sharedRows(rel.qualifiedName);
        if (shared.some((s) => s.policy === policy.name)) continue;
        for (const clause of clausesOf(policy)) {
          const commands = clause.commands.filter((c) => hasAccess(privileges, c) && !masked.has(c));
          if (commands.length === 0) continue;
          for (const branch of classifyClause(ctx, rel, actor, clause.text)) {
            if (branch.cls === 'constrained') continue;
            if (shared.some((s) => s.predicate !== undefined && normalize(s.predicate) === normalize(branch.text))) continue;
            out.push({ relation: rel, policy, actor, clause: { ...clause, commands }, branch });
          }
        }
      }
    }
  }
  cache.set(ctx, out);
  return out;
}

/** Commands for which a restrictive policy already pins the actor to its tenant: permissive widening cannot pass it. */
function maskedCommands(ctx: LintContext, rel: Relation, actor: ActorInfo): Set<Access> {
  const masked = new Set<Access>();
  for (const policy of rel.policies) {
    if (policy.permissive || !policyApplies(policy, actor)) continue;
    for (const clause of clausesOf(policy)) {
      if (classifyClause(ctx, rel, actor, clause.text).every((b) => b.cls === 'constrained')) for (const c of clause.commands) masked.add(c);
    }
  }
  return masked;
}

export function classifyClause(ctx: LintContext, rel: Relation, actor: ActorInfo, text: string): BranchVerdict[] {
  return splitTopLevel(text, 'OR').map((branch) => classifyBranch(ctx, rel, actor, branch));
}

const NULL_TEST = /\bIS\s+NULL\b|=\s*''(?:::text)?|\bIS\s+NOT\s+DISTINCT\s+FROM\s+NULL\b|\bIS\s+UNKNOWN\b|\bIS\s+NOT\s+TRUE\b/i;

export function classifyBranch(ctx: LintContext, rel: Relation, actor: ActorInfo, text: string): BranchVerdict {
  if (isConstantTrue(text)) return { text, cls: 'constant-true', forgeable: [] };
  const reads = contextReads(ctx, actor, text);
  const rowData = mentionsRowData(ctx, rel, text);
  const constrained = rowData && (reads.context || referencesTenantRelationUnderRls(ctx, rel, text));
  if (constrained) return { text, cls: coalesceFailOpen(ctx, rel, actor, text) ? 'fail-open' : 'constrained', forgeable: reads.forgeable };
  // Raw text: stripping literals would turn `= 'admin'` into `= ''`.
  if (reads.context && NULL_TEST.test(text)) return { text, cls: 'fail-open', forgeable: reads.forgeable };
  if (reads.forgeable.length > 0) return { text, cls: 'forgeable', forgeable: reads.forgeable };
  return { text, cls: 'unconstrained', forgeable: [] };
}

/** Does the text read the actor's tenant context, and which custom settings does it read that are not trusted? */
export function contextReads(ctx: LintContext, actor: ActorInfo, text: string): { context: boolean; forgeable: string[] } {
  const names = settingReads(text).map((s) => s.name);
  let currentUser = readsCurrentUser(text);
  for (const f of calledFunctions(ctx, text)) {
    names.push(...f.settings.map((s) => s.name));
    currentUser ||= f.readsCurrentUser;
  }
  const trusted = [...actor.context.trusted, ...ctx.config.tenancy.trustedSettings];
  let context = actor.context.rolePerTenant && currentUser;
  const forgeable = new Set<string>();
  for (const name of names) {
    if (actor.context.settings.includes(name)) context = true;
    else if (trusted.some((t) => settingMatches(name, t))) context = true;
    // Only custom (dotted) settings can be set by anyone; built-in ones are not an identity.
    else if (name.includes('.')) forgeable.add(name);
  }
  return { context, forgeable: [...forgeable].sort() };
}

/** Catalog functions the text calls (names as pg_get_expr prints them: schema-qualified outside pg_catalog). */
export function calledFunctions(ctx: LintContext, text: string): Func[] {
  const out = new Map<string, Func>();
  for (const ref of callNames(text)) {
    for (const f of ctx.catalog.functions) {
      if (f.name === ref.name && (ref.schema === null || ref.schema === f.schema)) out.set(f.signature, f);
    }
  }
  return [...out.values()];
}

/** Does the branch look at the row (a column of the relation, or the tenant column in a subquery)? */
function mentionsRowData(ctx: LintContext, rel: Relation, text: string): boolean {
  if (mentionsColumn(text, ctx.catalog.tenancy.tenantColumn)) return true;
  return rel.columns.some((c) => mentionsColumn(text, c.name));
}

/** A correlated subquery on another tenant relation with RLS relies on that relation's policies: fine. */
function referencesTenantRelationUnderRls(ctx: LintContext, rel: Relation, text: string): boolean {
  return relationNames(text).some((ref) => {
    const target = ref.schema ? ctx.relation(`${ref.schema}.${ref.name}`) : undefined;
    return target !== undefined && target !== rel && target.tenancy !== null && target.rls.enabled;
  });
}

/** `COALESCE(context, tenant_id) = tenant_id`: with no context set, the column is compared with itself. */
function coalesceFailOpen(ctx: LintContext, rel: Relation, actor: ActorInfo, text: string): boolean {
  const re = /\bCOALESCE\s*\(/gi;
  for (const m of text.matchAll(re)) {
    const open = m.index! + m[0].length - 1;
    const close = matchingParen(text, open);
    if (close < 0) continue;
    const args = text.slice(open + 1, close);
    if (contextReads(ctx, actor, args).context && mentionsRowData(ctx, rel, args)) return true;
  }
  return false;
}

/** For comparing a configured predicate with a branch: case, spaces, parentheses and casts ignored. */
export function normalize(expr: string): string {
  return expr
    .toLowerCase()
    .replace(/::[a-z_][\w. ]*?(?=[\s),=<>]|$)/g, '')
    .replace(/[()\s]/g, '');
}

export interface ProblemGroup {
  relation: Relation;
  policy: Policy;
  actor: ActorInfo;
  /** `USING (branch)` / `WITH CHECK (branch)` descriptions, one per problem branch. */
  where: string[];
  commands: Access[];
  branches: BranchVerdict[];
}

/** Problems of one class, one group per (policy, actor): the shape the four branch rules report. */
export function problemGroups(ctx: LintContext, cls: BranchClass): ProblemGroup[] {
  const groups = new Map<string, ProblemGroup>();
  for (const p of policyProblems(ctx)) {
    if (p.branch.cls !== cls) continue;
    const key = `${p.relation.qualifiedName}\u0000${p.policy.name}\u0000${p.actor.name}`;
    let g = groups.get(key);
    if (!g) {
      g = { relation: p.relation, policy: p.policy, actor: p.actor, where: [], commands: [], branches: [] };
      groups.set(key, g);
    }
    const where = `${p.clause.kind} (${oneLine(p.branch.text)})`;
    if (!g.where.includes(where)) g.where.push(where);
    for (const c of p.clause.commands) if (!g.commands.includes(c)) g.commands.push(c);
    g.branches.push(p.branch);
  }
  return [...groups.values()];
}

export function oneLine(text: string, max = 160): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
}
