/**
 * Static reading of the permissive policies that decide what a restricted
 * actor may touch in a tenant relation, on PostgreSQL's own parse trees
 * (src/catalog/sql). Each clause (USING, WITH CHECK) is split at its
 * top-level OR, since permissive branches widen one another, and every
 * branch is classified, in this order:
 *
 *   constant-true  TRUE whatever the row and session hold (`true`, `1 = 1`,
 *                  `tenant_id = tenant_id`): every row of every tenant
 *   fail-open      reads the actor's context and is TRUE for every row when
 *                  no setting is set (`ctx IS NULL OR ...`, `coalesce(ctx, col) = col`)
 *   constrained    pins the row to the actor's context: some conjunct compares
 *                  row data with the context (or looks the row up in a tenant
 *                  relation under RLS) and reads no forgeable setting
 *   forgeable      reads a custom setting the actor can set itself and its
 *                  context does not declare trusted, anywhere, through any
 *                  function: whatever else that function reads, the actor
 *                  decides the outcome
 *   unconstrained  filters rows without pinning them to the context (`is_public`)
 *
 * Four rules report the classes other than constrained. The probes check
 * what a branch really returns; this reading errs towards "not proven safe".
 */
import { flatten, orBranches } from '../catalog/sql/branches.js';
import { indexFunctions, resolveCall } from '../catalog/sql/call-graph.js';
import { isConstantTrue, isTrueWhenUnset, evaluate, type Env, type Value } from '../catalog/sql/evaluate.js';
import { expressionFacts } from '../catalog/sql/expression.js';
import { extractFacts, callSiteOf, type SqlFacts } from '../catalog/sql/facts.js';
import { functionBody } from '../catalog/sql/function-body.js';
import { frameOf, type Frame } from '../catalog/sql/nodes.js';
import { EMPTY_SCOPE } from '../catalog/sql/setting-values.js';
import { settingMatches } from '../catalog/expressions.js';
import type { Func, Policy, Relation, SettingUse } from '../catalog/types.js';
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
        for (const clause of clausesOf(policy)) {
          // Rows shared on purpose (the policy or a branch declared in sharedRows) are exceptions for the commands their access covers.
          const commands = clause.commands.filter((c) => hasAccess(privileges, c) && !masked.has(c) && !ctx.sharedBy(rel, policy, null, c));
          if (commands.length === 0) continue;
          for (const branch of classifyClause(ctx, rel, actor, clause.text)) {
            if (branch.cls === 'constrained') continue;
            const open = commands.filter((c) => !ctx.sharedBy(rel, policy, branch.text, c));
            if (open.length > 0) out.push({ relation: rel, policy, actor, clause: { ...clause, commands: open }, branch });
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
  const a = analyzer(ctx);
  const branches = orBranches(text);
  if (!branches) return [a.unparsed(actor, text)];
  return branches.map((b) => a.classify(rel, actor, b.frame, b.text));
}

/** What a piece of a policy reads, directly and through every function it calls. */
interface Reads {
  settings: string[];
  /**
   * Settings read only as COALESCE fallbacks, with the settings they fall back from:
   * `coalesce(claims ->> 'sub', current_setting('request.jwt.claim.sub'))` decides nothing while the claims are set.
   */
  fallbacks: Map<string, string[]>;
  currentUser: boolean;
  columns: string[];
  /** Relations its subqueries read. */
  relations: string[];
}

const analyzers = new WeakMap<LintContext, Analyzer>();

function analyzer(ctx: LintContext): Analyzer {
  let a = analyzers.get(ctx);
  if (!a) analyzers.set(ctx, (a = new Analyzer(ctx)));
  return a;
}

/** The per-run reading of policy trees: facts per node cached, calls resolved against the catalog once. */
class Analyzer {
  private readonly functions: Map<string, Func[]>;
  private readonly reads = new WeakMap<object, Reads>();
  /** Whether a branch is constant true / true when unset: neither depends on the actor or the relation. */
  private readonly truth = new WeakMap<object, { constant: boolean; unset: boolean }>();
  private readonly environment: Omit<Env, 'mode'>;

  constructor(private readonly ctx: LintContext) {
    this.functions = indexFunctions(ctx.catalog.functions);
    this.environment = this.env();
  }

  classify(rel: Relation, actor: ActorInfo, frame: Frame, text: string): BranchVerdict {
    const truth = this.truthOf(frame);
    if (truth.constant) return { text, cls: 'constant-true', forgeable: [] };
    const reads = this.readsOf(frame);
    if (reads.currentUser) {
      // session_user is the actor's login and current_user its role: `session_user = 'postgres'` is never true for it.
      const identity = { ...(actor.context.rolePerTenant ? {} : { sessionUser: actor.login, currentUser: actor.role }) };
      const v = evaluate(frame, { ...this.environment, identity, mode: 'unknown' });
      if (v.k === 'const' && v.v === true) return { text, cls: 'constant-true', forgeable: [] };
      if (v.k === 'const' && v.v === false) return { text, cls: 'constrained', forgeable: [] };
    }
    const judged = judge(this.ctx, actor, reads);
    if (judged.context && truth.unset) return { text, cls: 'fail-open', forgeable: judged.forgeable };
    if (this.pins(rel, actor, frame)) return { text, cls: 'constrained', forgeable: judged.forgeable };
    if (judged.forgeable.length > 0) return { text, cls: 'forgeable', forgeable: judged.forgeable };
    return { text, cls: 'unconstrained', forgeable: [] };
  }

  /** A clause PostgreSQL printed but the parser refused (never seen): judged on its text's facts, row data assumed. */
  unparsed(actor: ActorInfo, text: string): BranchVerdict {
    const judged = judge(this.ctx, actor, this.readsOfFacts(expressionFacts(text)));
    if (judged.forgeable.length > 0) return { text, cls: 'forgeable', forgeable: judged.forgeable };
    return { text, cls: judged.context ? 'constrained' : 'unconstrained', forgeable: [] };
  }

  /**
   * Does the expression restrict rows to the actor's tenant? AND: when any
   * conjunct does; OR: when every branch does; otherwise the node must
   * compare row data with the context (or look the row up in a tenant
   * relation under RLS) and read nothing the actor can forge.
   */
  private pins(rel: Relation, actor: ActorInfo, frame: Frame): boolean {
    const ands = flatten(frame, 'AND_EXPR');
    if (ands.length > 1) return ands.some((f) => this.pins(rel, actor, f));
    const ors = flatten(frame, 'OR_EXPR');
    if (ors.length > 1) return ors.every((f) => this.pins(rel, actor, f));
    const reads = this.readsOf(frame);
    const judged = judge(this.ctx, actor, reads);
    if (judged.forgeable.length > 0) return false;
    const rowData = reads.columns.some((c) => c === this.ctx.catalog.tenancy.tenantColumn || rel.columns.some((col) => col.name === c));
    return rowData && (judged.context || this.looksUpTenantRelation(rel, reads));
  }

  /** A subquery on another tenant relation with RLS relies on that relation's policies: fine. */
  private looksUpTenantRelation(rel: Relation, reads: Reads): boolean {
    return reads.relations.some((name) => {
      const target = this.ctx.relation(name);
      return target !== undefined && target !== rel && target.tenancy !== null && target.rls.enabled;
    });
  }

  private truthOf(frame: Frame): { constant: boolean; unset: boolean } {
    let t = this.truth.get(frame.body);
    if (!t) this.truth.set(frame.body, (t = { constant: isConstantTrue(frame, this.environment), unset: isTrueWhenUnset(frame, this.environment) }));
    return t;
  }

  private readsOf(frame: Frame): Reads {
    const hit = this.reads.get(frame.body);
    if (hit) return hit;
    const r = this.readsOfFacts(extractFacts([{ [frame.kind]: frame.body }], EMPTY_SCOPE));
    this.reads.set(frame.body, r);
    return r;
  }

  private readsOfFacts(facts: SqlFacts): Reads {
    const settings = new Set<string>();
    const decisive = new Set<string>();
    const shadows = new Map<string, Set<string>>();
    const note = (name: string, uses: readonly SettingUse[]) => {
      settings.add(name);
      if (uses.length === 0 || uses.some((u) => !u.fallbackOf)) decisive.add(name);
      else for (const u of uses) for (const s of u.fallbackOf ?? []) shadows.set(name, (shadows.get(name) ?? new Set()).add(s));
    };
    for (const s of facts.settingsRead) note(s.name, s.uses);
    let currentUser = facts.readsCurrentUser;
    for (const call of facts.calls) {
      for (const f of resolveCall(this.functions, call)) {
        for (const s of f.settings) note(s.name, s.uses);
        currentUser ||= f.readsCurrentUser;
      }
    }
    const fallbacks = new Map([...shadows].filter(([name]) => !decisive.has(name)).map(([name, from]) => [name, [...from].sort()]));
    const relations = facts.relationsRead.map((r) => (r.schema === null ? r.name : `${r.schema}.${r.name}`));
    return { settings: [...settings].sort(), fallbacks, currentUser, columns: facts.columns, relations };
  }

  /** The evaluator's view of catalog functions: SQL one-expression bodies inlined, helpers of the context NULL when unset. */
  private env(): Omit<Env, 'mode'> {
    const call = (frame: Frame, args: Value[], env: Env): Value | undefined => {
      const site = callSiteOf(frame, EMPTY_SCOPE);
      const targets = site ? resolveCall(this.functions, { ...site, use: { path: [], test: { kind: 'read' } }, json: false }) : [];
      if (targets.length !== 1) return undefined;
      const f = targets[0]!;
      const body = functionBody(f);
      const inline = body.inline ? frameOf(body.inline) : null;
      if (inline && (env.depth ?? 0) < 4) {
        const byName = new Map<string, Value>();
        body.params.forEach((p, i) => {
          if (p !== '') byName.set(p, args[i] ?? { k: 'unknown' });
        });
        return evaluate(inline, { ...env, depth: (env.depth ?? 0) + 1, params: { byName, byPosition: args } });
      }
      // A helper that reads settings (current_tenant_id() in PL/pgSQL): NULL when nothing is set, the usual contract.
      if (env.mode !== 'unknown' && f.settings.length > 0) return { k: 'null' };
      return undefined;
    };
    return { call };
  }
}

/** Does a piece read the actor's tenant context, and which custom settings does it read that are not trusted? */
function judge(ctx: LintContext, actor: ActorInfo, reads: Reads): { context: boolean; forgeable: string[] } {
  const trusted = [...actor.context.trusted, ...ctx.config.tenancy.trustedSettings];
  const isContext = (name: string) => actor.context.settings.includes(name) || trusted.some((t) => settingMatches(name, t));
  let context = actor.context.rolePerTenant && reads.currentUser;
  const forgeable = new Set<string>();
  for (const name of reads.settings) {
    if (isContext(name)) context = true;
    // A fallback behind the context (`coalesce(context, forgeable)`) is never reached while the context is set.
    else if (reads.fallbacks.get(name)?.some(isContext)) continue;
    // Only custom (dotted) settings can be set by anyone; built-in ones are not an identity.
    else if (name.includes('.')) forgeable.add(name);
  }
  return { context, forgeable: [...forgeable].sort() };
}

/** Catalog functions an expression calls, resolved by schema, name and number of arguments. */
export function calledFunctions(ctx: LintContext, text: string): Func[] {
  const index = indexFunctions(ctx.catalog.functions);
  const out = new Map<string, Func>();
  for (const call of expressionFacts(text).calls) for (const f of resolveCall(index, call)) out.set(f.signature, f);
  return [...out.values()];
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

