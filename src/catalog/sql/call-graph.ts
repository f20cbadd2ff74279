/**
 * The functions' call graph, followed all the way down: a function (or a
 * policy expression) reads every setting that any function it calls reads,
 * at any depth, and each read keeps the chain of calls that leads to it.
 * Calls are resolved against the catalog by schema, name and number of
 * arguments (defaults and VARIADIC counted); an unqualified call in a body
 * resolves in the function's fixed search_path, or in any schema when the
 * search_path is the caller's. Arguments flow into the callee's uses: a
 * function that looks up `groups -> p_group::text` called as `f(group_id)`
 * reads the groups object keyed by the row's group_id.
 *
 * Cycle-safe: a result computed while one of its callers was still in
 * progress is not memoised (it may lack that caller's reads); the caller
 * that closes the cycle holds the whole set.
 */
import type { Func, JsonStep, Relation, RelationRead, SettingRead, SettingTest, SettingUse, SettingWrite, ValueSource } from '../types.js';
import type { CallSite, DirectRead, NameRef, SqlFacts } from './facts.js';
import { functionBody } from './function-body.js';
import { UseSet } from './use-set.js';

type FuncRef = Pick<Func, 'signature' | 'schema' | 'name' | 'argTypes' | 'argDefaults' | 'variadic'>;

/** Functions by name, for resolving calls. */
export type FunctionIndex = ReadonlyMap<string, readonly FuncRef[]>;

export function indexFunctions<F extends FuncRef>(funcs: readonly F[]): Map<string, F[]> {
  const m = new Map<string, F[]>();
  for (const f of funcs) {
    const list = m.get(f.name);
    if (list) list.push(f);
    else m.set(f.name, [f]);
  }
  return m;
}

/** The catalog functions a call may reach (several when overloads of that arity exist). */
export function resolveCall<F extends FuncRef>(index: ReadonlyMap<string, readonly F[]>, call: CallSite, searchPath: readonly string[] | null = null): F[] {
  const candidates = (index.get(call.name) ?? []).filter((f) => {
    if (call.schema !== null ? f.schema !== call.schema : searchPath !== null && !searchPath.includes(f.schema)) return false;
    if (call.arity < 0) return true;
    const max = f.variadic ? Infinity : f.argTypes.length;
    return call.arity >= f.argTypes.length - f.argDefaults && call.arity <= max;
  });
  return candidates;
}

/** proconfig's search_path as schema names (`"$user"` and pg_temp dropped); null when the caller's applies. */
export function searchPathOf(f: Pick<Func, 'searchPath'>): string[] | null {
  if (f.searchPath === null) return null;
  return f.searchPath
    .split(',')
    .map((s) => s.trim().replace(/^"(.*)"$/, '$1').replaceAll('""', '"'))
    .filter((s) => s !== '' && s !== '$user' && s !== 'pg_temp');
}

/** A setting's value a function returns (at `path` into it), through the functions it returns the result of. */
interface ReturnedSetting {
  name: string;
  path: JsonStep[];
  json: boolean;
  fallbackOf?: string[];
  /** From the function down to the one whose body reads the setting. */
  chain: string[];
}

interface Resolved {
  reads: SettingRead[];
  writes: SettingWrite[];
  relations: RelationRead[];
  currentUser: boolean;
}

export class CallGraph {
  private readonly byName: Map<string, Func[]>;
  private readonly relations: Map<string, Relation[]>;
  private readonly memo = new Map<string, Resolved>();
  private readonly inProgress = new Set<string>();
  private readonly returnMemo = new Map<string, ReturnedSetting[]>();

  constructor(funcs: readonly Func[], relations: readonly Relation[]) {
    this.byName = indexFunctions(funcs);
    this.relations = new Map();
    for (const r of relations) {
      const list = this.relations.get(r.name);
      if (list) list.push(r);
      else this.relations.set(r.name, [r]);
    }
  }

  /** A function body's facts (parsed once per source, cached). */
  facts(f: Func): SqlFacts {
    return functionBody(f).facts;
  }

  /** The targets of each call a body (or expression) makes. */
  callees(facts: SqlFacts, searchPath: readonly string[] | null): Array<{ call: CallSite; targets: Func[] }> {
    return facts.calls.map((call) => ({ call, targets: resolveCall(this.byName, call, searchPath) }));
  }

  /** Relations named by `refs`, resolved like calls. */
  resolveRelations(refs: readonly NameRef[], searchPath: readonly string[] | null): Relation[] {
    const out = new Map<string, Relation>();
    for (const ref of refs) {
      for (const r of this.relations.get(ref.name) ?? []) {
        if (ref.schema !== null ? r.schema === ref.schema : searchPath === null || searchPath.includes(r.schema)) out.set(r.qualifiedName, r);
      }
    }
    return [...out.values()];
  }

  /** Everything `f` reads and writes, through every function it calls; chains start with `f`. */
  resolve(f: Func): Resolved {
    return this.resolveTracked(f).result;
  }

  /**
   * What an expression (a policy's USING / WITH CHECK) reads through its own
   * text and the functions it calls. `dependencies` are the functions
   * pg_depend says it calls: any the parse did not match are followed too.
   */
  expression(facts: SqlFacts, dependencies: readonly Func[] = []): Resolved {
    const reads: SettingRead[] = facts.settingsRead.map((r) => directRead(r, []));
    const writes: SettingWrite[] = [];
    const relations: RelationRead[] = [];
    let currentUser = facts.readsCurrentUser;
    const matched = new Set<string>();
    for (const { call, targets } of this.callees(facts, null)) {
      reads.push(...this.returnedReads(call, targets));
      for (const g of targets) {
        matched.add(g.signature);
        const sub = this.resolve(g);
        reads.push(...sub.reads.map((r) => mapArguments(r, call.args)));
        relations.push(...sub.relations);
        currentUser ||= sub.currentUser;
      }
    }
    for (const g of dependencies) {
      if (matched.has(g.signature)) continue;
      const sub = this.resolve(g);
      reads.push(...sub.reads);
      relations.push(...sub.relations);
      currentUser ||= sub.currentUser;
    }
    return { reads: mergeReads(reads), writes, relations: mergeRelations(relations), currentUser };
  }

  /**
   * The settings `f` returns the value of. A recursive function's own
   * result adds nothing while it is being computed (cycles are cut).
   */
  returned(f: Func): ReturnedSetting[] {
    const hit = this.returnMemo.get(f.signature);
    if (hit) return hit;
    this.returnMemo.set(f.signature, []);
    const out: ReturnedSetting[] = [];
    for (const r of functionBody(f).returns) {
      if (r.kind === 'setting') {
        out.push({ ...r.origin, chain: [f.signature] });
        continue;
      }
      for (const g of resolveCall(this.byName, { ...r.call, use: { path: [], test: { kind: 'read' } }, json: false }, searchPathOf(f))) {
        for (const inner of this.returned(g)) {
          out.push({ ...inner, path: [...mapPath(inner.path, r.call.args), ...r.path], json: inner.json || r.json, chain: [f.signature, ...inner.chain] });
        }
      }
    }
    this.returnMemo.set(f.signature, out);
    return out;
  }

  /** Reads of the settings whose values the call's targets return, used as the call site uses the result. */
  private returnedReads(call: CallSite, targets: readonly Func[]): SettingRead[] {
    const out: SettingRead[] = [];
    for (const g of targets) {
      for (const r of this.returned(g)) {
        const fallbackOf = [...new Set([...(r.fallbackOf ?? []), ...(call.use.fallbackOf ?? [])])].sort();
        const use = { path: [...mapPath(r.path, call.args), ...call.use.path], test: call.use.test, ...(fallbackOf.length > 0 ? { fallbackOf } : {}) };
        out.push({ name: r.name, via: r.chain[r.chain.length - 1] ?? null, claims: [], chain: r.chain, json: r.json || call.json, uses: [use], exact: true });
      }
    }
    return out;
  }

  private resolveTracked(f: Func): { result: Resolved; cut: Set<string> } {
    const hit = this.memo.get(f.signature);
    if (hit) return { result: hit, cut: new Set() };
    if (this.inProgress.has(f.signature)) return { result: { reads: [], writes: [], relations: [], currentUser: false }, cut: new Set([f.signature]) };
    this.inProgress.add(f.signature);
    const facts = this.facts(f);
    const path = searchPathOf(f);
    const reads: SettingRead[] = facts.settingsRead.map((r) => directRead(r, [f.signature]));
    const writes: SettingWrite[] = facts.settingsWritten.map((w) => ({ name: w.name, via: f.signature, chain: [f.signature], local: w.local }));
    const relations: RelationRead[] = this.resolveRelations(facts.relationsRead, path).map((r) => ({ relation: r.qualifiedName, chain: [f.signature] }));
    let currentUser = facts.readsCurrentUser;
    const cut = new Set<string>();
    for (const { call, targets } of this.callees(facts, path)) {
      reads.push(...this.returnedReads(call, targets).map((r) => prefixRead(r, f.signature)));
      for (const g of targets) {
        const sub = this.resolveTracked(g);
        for (const s of sub.cut) cut.add(s);
        reads.push(...sub.result.reads.map((r) => prefixRead(mapArguments(r, call.args), f.signature)));
        writes.push(...sub.result.writes.map((w) => ({ ...w, chain: [f.signature, ...w.chain] })));
        relations.push(...sub.result.relations.map((r) => ({ ...r, chain: [f.signature, ...r.chain] })));
        currentUser ||= sub.result.currentUser;
      }
    }
    this.inProgress.delete(f.signature);
    cut.delete(f.signature);
    const result = { reads: mergeReads(reads), writes: mergeWrites(writes), relations: mergeRelations(relations), currentUser };
    if (cut.size === 0) this.memo.set(f.signature, result);
    return { result, cut };
  }
}

function directRead(r: DirectRead, chain: string[]): SettingRead {
  return { name: r.name, via: chain[chain.length - 1] ?? null, claims: [], chain, json: r.json, uses: r.uses, exact: r.exact };
}

function prefixRead(r: SettingRead, caller: string): SettingRead {
  return { ...r, chain: [caller, ...r.chain] };
}

/** The callee's parameters, in its uses, replaced by what the call passes. */
function mapArguments(r: SettingRead, args: readonly ValueSource[]): SettingRead {
  return { ...r, uses: r.uses.map((u) => ({ ...u, path: mapPath(u.path, args), test: mapTest(u.test, args) })) };
}

function mapSource(s: ValueSource, args: readonly ValueSource[]): ValueSource {
  return s.kind === 'parameter' ? (args[s.position - 1] ?? { kind: 'other' }) : s;
}

function mapPath(path: readonly JsonStep[], args: readonly ValueSource[]): JsonStep[] {
  return path.map((st) => {
    if (st.kind !== 'key-from') return st;
    const source = mapSource(st.source, args);
    return source.kind === 'literal' ? { kind: 'key', key: source.value } : { kind: 'key-from', source };
  });
}

function mapTest(t: SettingTest, args: readonly ValueSource[]): SettingTest {
  if (t.kind === 'compared') {
    const w = mapSource(t.with, args);
    return w.kind === 'literal' ? { kind: 'equals', literals: [w.value] } : { kind: 'compared', with: w };
  }
  if (t.kind === 'has-key') {
    const source = mapSource(t.source, args);
    return source.kind === 'literal' ? { kind: 'contains', operator: '?', literals: [source.value] } : { kind: 'has-key', source };
  }
  return t;
}

/** Literal key prefixes of the uses' paths: the JSON claims read. */
function claimsOf(uses: readonly SettingUse[]): string[][] {
  const out = new Map<string, string[]>();
  for (const u of uses) {
    const keys: string[] = [];
    for (const s of u.path) {
      if (s.kind !== 'key') break;
      keys.push(s.key);
    }
    if (keys.length > 0) out.set(JSON.stringify(keys), keys);
  }
  return [...out.values()];
}

const byChain = (a: readonly string[], b: readonly string[]) => a.length - b.length || (a.join('\u0000') < b.join('\u0000') ? -1 : a.join('\u0000') > b.join('\u0000') ? 1 : 0);

/** One read per (setting, via): uses merged, the shortest chain kept; sorted by name, then via. */
export function mergeReads(reads: readonly SettingRead[]): SettingRead[] {
  const m = new Map<string, { read: SettingRead; uses: UseSet }>();
  for (const r of reads) {
    const key = `${r.name}\u0000${r.via ?? ''}`;
    const e = m.get(key);
    if (!e) {
      m.set(key, { read: { ...r }, uses: new UseSet().add(r.uses) });
      continue;
    }
    if (byChain(r.chain, e.read.chain) < 0) e.read.chain = r.chain;
    e.read.json ||= r.json;
    e.read.exact &&= r.exact;
    e.uses.add(r.uses);
  }
  return [...m.values()]
    .map(({ read, uses }) => {
      const sorted = uses.sorted();
      return { ...read, uses: sorted, claims: claimsOf(sorted) };
    })
    .sort((a, b) => cmp(a.name, b.name) || cmp(a.via ?? '', b.via ?? ''));
}

function mergeWrites(writes: readonly SettingWrite[]): SettingWrite[] {
  const m = new Map<string, SettingWrite>();
  for (const w of writes) {
    const key = `${w.name}\u0000${w.via}\u0000${String(w.local)}`;
    const e = m.get(key);
    if (!e || byChain(w.chain, e.chain) < 0) m.set(key, w);
  }
  return [...m.values()].sort((a, b) => cmp(a.name, b.name) || cmp(a.via, b.via) || cmp(String(a.local), String(b.local)));
}

function mergeRelations(rels: readonly RelationRead[]): RelationRead[] {
  const m = new Map<string, RelationRead>();
  for (const r of rels) {
    const e = m.get(r.relation);
    if (!e || byChain(r.chain, e.chain) < 0) m.set(r.relation, r);
  }
  return [...m.values()].sort((a, b) => cmp(a.relation, b.relation));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
