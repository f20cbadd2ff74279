/**
 * What the code of a catalog does: each function's body and each policy's
 * expressions read through src/catalog/sql (PostgreSQL's parser), joined
 * with the call graph. Fills the parts of Func and Policy that come from
 * code (settings read and written, calls, relations, current_user) once the
 * rows are built (introspect.ts).
 */
import type { PolicyRow } from './queries/policies.js';
import { type CallGraph, mergeReads, searchPathOf } from './sql/call-graph.js';
import { expressionFacts } from './sql/expression.js';
import type { Func, Policy, PolicyCommand, Relation } from './types.js';

const POLCMD: Record<string, PolicyCommand> = { '*': 'all', r: 'select', a: 'insert', w: 'update', d: 'delete' };

/**
 * Each body's facts from its parse trees (src/catalog/sql): the functions it
 * calls and the relations it names directly, and the settings it reads and
 * writes, the relations it reads and whether it reads current_user through
 * every function it calls.
 */
export function analyzeFunctions(funcs: Func[], graph: CallGraph): void {
  for (const f of funcs) {
    const facts = graph.facts(f);
    const path = searchPathOf(f);
    const calls = new Set<string>();
    for (const { targets } of graph.callees(facts, path)) for (const g of targets) if (g.signature !== f.signature) calls.add(g.signature);
    f.calls = [...calls].sort();
    f.relationsReferenced = graph.resolveRelations([...facts.relationsRead, ...facts.relationsWritten], path).map((r) => r.qualifiedName).sort();
    f.parseError = facts.errors[0] ?? null;
  }
  for (const f of funcs) {
    const r = graph.resolve(f);
    f.settings = r.reads;
    f.settingsWritten = r.writes;
    f.relationsRead = r.relations;
    f.readsCurrentUser = r.currentUser;
  }
}

export function attachPolicies(relations: Relation[], rows: PolicyRow[], functions: Func[], graph: CallGraph): void {
  const byOid = new Map(relations.map((r) => [r.oid, r]));
  const funcByOid = new Map(functions.map((f) => [f.oid, f]));
  // Policies repeat a handful of expressions: each (text, called functions) is followed once.
  const seen = new Map<string, ReturnType<CallGraph['expression']>>();
  const follow = (text: string, called: Func[]) => {
    const key = `${text}\u0000${called.map((f) => f.oid).join(',')}`;
    let r = seen.get(key);
    if (!r) seen.set(key, (r = graph.expression(expressionFacts(text), called)));
    return r;
  };
  for (const p of rows) {
    const rel = byOid.get(p.relid);
    if (!rel) continue;
    const called = p.functionOids.map((o) => funcByOid.get(o)).filter((f): f is Func => f !== undefined);
    const parts = [p.using, p.withCheck].filter((t): t is string => t !== null).map((t) => follow(t, called));
    const errors = [p.using, p.withCheck].flatMap((t) => (t === null ? [] : expressionFacts(t).errors));
    const policy: Policy = {
      name: p.name,
      relation: rel.qualifiedName,
      command: POLCMD[p.cmd] ?? 'all',
      permissive: p.permissive,
      roles: p.roles,
      appliesToPublic: p.roles.includes('PUBLIC'),
      using: p.using,
      withCheck: p.withCheck,
      settings: mergeReads(parts.flatMap((x) => x.reads)),
      functions: called.map((f) => f.signature).sort(),
      relations: [...p.relations].sort(),
      readsCurrentUser: parts.some((x) => x.currentUser),
      relationsThroughCalls: mergeRelationReads(parts.flatMap((x) => x.relations)),
      parseError: errors[0] ?? null,
    };
    rel.policies.push(policy);
  }
}

function mergeRelationReads(reads: Policy['relationsThroughCalls']): Policy['relationsThroughCalls'] {
  const m = new Map<string, Policy['relationsThroughCalls'][number]>();
  for (const r of reads) {
    const seen = m.get(r.relation);
    if (!seen || r.chain.length < seen.chain.length) m.set(r.relation, r);
  }
  return [...m.values()].sort((a, b) => (a.relation < b.relation ? -1 : 1));
}
