/**
 * Following a setting's value through the tree: from `current_setting('x')`
 * (or a variable holding it) up through casts, NULLIF, COALESCE and JSON
 * steps (`-> 'a'`, `->> group_id::text`, `#> '{a,b}'`, jsonb_array_elements)
 * to the node that uses it, and what that use tests: equality with literals,
 * comparison with a column or another setting, `?` / `?|` / `?&` / `@>`
 * containment, or a key looked up by a run-time value.
 */
import type { JsonStep, SettingTest, ValueSource } from '../types.js';
import { callName, child, children, constantArray, constantOf, frameOf, names, operatorOf, stripCasts, typeNameOf, walk, type Frame } from './nodes.js';

/** A setting's value, or a part of it reached by JSON steps. */
export interface Origin {
  name: string;
  path: JsonStep[];
  json: boolean;
  /** Settings read by earlier COALESCE arguments: the value is used only when they are unset. */
  fallbackOf?: string[];
}

/** What the code around an expression declares. */
export interface Scope {
  /** Input parameter names of the enclosing function, in order ('' when unnamed). */
  params: readonly string[];
  /** Names (PL/pgSQL variables, output columns of subqueries) known to hold a setting's value. */
  aliases: ReadonlyMap<string, Origin>;
  /** PL/pgSQL local variables: not columns of a row. */
  variables: ReadonlySet<string>;
}

export const EMPTY_SCOPE: Scope = { params: [], aliases: new Map(), variables: new Set() };

const JSON_TYPES = new Set(['json', 'jsonb']);
const JSON_EXTRACT = new Set(['jsonb_extract_path', 'jsonb_extract_path_text', 'json_extract_path', 'json_extract_path_text']);
const ELEMENTS = new Set(['jsonb_array_elements', 'jsonb_array_elements_text', 'json_array_elements', 'json_array_elements_text', 'string_to_array', 'regexp_split_to_array', 'unnest']);
const KEYS = new Set(['jsonb_object_keys', 'json_object_keys']);
/** Text functions that keep the value recognisable (a comparison after lower() is still a comparison). */
const TRANSPARENT = new Set(['lower', 'upper', 'btrim', 'trim', 'ltrim', 'rtrim', 'text']);
const COMPARISONS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);

const isBuiltin = (f: Frame, name: string): boolean => {
  const c = callName(f);
  return c.name === name && (c.schema === null || c.schema === 'pg_catalog');
};

/** A setting read where the value starts: `current_setting('x', ...)` with a literal name, or a name holding one. */
export function sourceOf(frame: Frame, scope: Scope): Origin | undefined {
  if (frame.kind === 'FuncCall' && isBuiltin(frame, 'current_setting')) {
    const name = constantOf(children(frame, 'args')[0] ?? null);
    return typeof name === 'string' ? { name: name.toLowerCase(), path: [], json: false } : undefined;
  }
  if (frame.kind === 'ColumnRef' && scope.aliases.size > 0) {
    const fields = names(frame.body.fields);
    const alias = fields.length <= 2 ? scope.aliases.get(fields[fields.length - 1] ?? '') : undefined;
    if (alias) return { name: alias.name, path: [...alias.path], json: alias.json };
  }
  return undefined;
}

/** The same value one level up, when `parent` only transforms or steps into its child `c`; else undefined. */
export function extend(parent: Frame, c: Frame, o: Origin, scope: Scope): Origin | undefined {
  switch (parent.kind) {
    case 'TypeCast':
      return { ...o, json: o.json || JSON_TYPES.has(typeNameOf(parent)) };
    case 'CollateClause':
      return o;
    case 'CoalesceExpr': {
      // coalesce(a, b): b counts only when a is NULL. Which settings a reads, b falls back from.
      const earlier = children(parent, 'args').slice(0, c.index ?? 0).flatMap((a) => settingsReadIn(a, scope));
      if (earlier.length === 0) return o;
      return { ...o, fallbackOf: [...new Set([...(o.fallbackOf ?? []), ...earlier])].sort() };
    }
    case 'A_Expr': {
      const kind = parent.body.kind;
      if (kind === 'AEXPR_NULLIF') return c.field === 'lexpr' ? o : undefined;
      if (kind !== 'AEXPR_OP' || c.field !== 'lexpr') return undefined;
      const op = operatorOf(parent);
      const right = child(parent, 'rexpr');
      if (op === '->' || op === '->>') return { ...o, json: true, path: [...o.path, stepOf(right, scope)] };
      if (op === '#>' || op === '#>>') {
        const keys = constantArray(right);
        return { ...o, json: true, path: [...o.path, ...(keys ? keys.map(keyStep) : [{ kind: 'key-from' as const, source: classify(right, scope) }])] };
      }
      return undefined;
    }
    case 'FuncCall': {
      if (c.field !== 'args') return undefined;
      const { name, schema } = callName(parent);
      if (schema !== null && schema !== 'pg_catalog') return undefined;
      if (c.index !== 0) return undefined;
      if (JSON_EXTRACT.has(name)) {
        const rest = children(parent, 'args').slice(1);
        return { ...o, json: true, path: [...o.path, ...rest.map((a) => stepOf(a, scope))] };
      }
      if (ELEMENTS.has(name)) return { ...o, json: o.json || name.startsWith('json'), path: [...o.path, { kind: 'element' }] };
      if (KEYS.has(name)) return { ...o, json: true, path: [...o.path, { kind: 'keys' }] };
      if (TRANSPARENT.has(name)) return o;
      return undefined;
    }
    case 'A_Indirection': {
      if (c.field !== 'arg') return undefined;
      const steps: JsonStep[] = [];
      for (const ind of children(parent, 'indirection')) {
        if (ind.kind !== 'A_Indices' || ind.body.is_slice) return undefined;
        steps.push(stepOf(child(ind, 'uidx'), scope));
      }
      return { ...o, json: true, path: [...o.path, ...steps] };
    }
    default:
      return undefined;
  }
}

/** Names of the settings read (directly) anywhere in a subtree. */
function settingsReadIn(frame: Frame, scope: Scope): string[] {
  const out: string[] = [];
  walk({ [frame.kind]: frame.body }, (f) => {
    const s = sourceOf(f, scope);
    if (s) out.push(s.name);
    return undefined;
  });
  return out;
}

function keyStep(key: string): JsonStep {
  return /^-?\d+$/.test(key) ? { kind: 'index', index: Number(key) } : { kind: 'key', key };
}

/** One JSON step given by the operand of `->`: a literal key or index, or a key computed from something. */
function stepOf(operand: Frame | null, scope: Scope): JsonStep {
  const v = constantOf(operand);
  if (typeof v === 'number') return { kind: 'index', index: v };
  if (typeof v === 'string') return { kind: 'key', key: v };
  return { kind: 'key-from', source: classify(operand, scope) };
}

/** Where a value comes from, for the other side of a comparison or a computed key. */
export function classify(frame: Frame | null, scope: Scope): ValueSource {
  const f = stripCasts(frame);
  if (!f) return { kind: 'other' };
  const value = constantOf(f);
  if (value !== undefined) return value === null ? { kind: 'other' } : { kind: 'literal', value: String(value) };
  const origin = originOf(f, scope);
  if (origin) return { kind: 'setting', name: origin.name, path: origin.path.map((s) => (s.kind === 'key' ? s.key : s.kind === 'index' ? String(s.index) : '*')) };
  if (f.kind === 'ColumnRef') {
    const fields = names(f.body.fields);
    const last = fields[fields.length - 1] ?? '';
    const position = fields.length === 1 ? scope.params.indexOf(last) : -1;
    if (position >= 0 && last !== '') return { kind: 'parameter', name: last, position: position + 1 };
    if (fields.length === 1 && scope.variables.has(last)) return { kind: 'other' };
    return { kind: 'column', name: last };
  }
  if (f.kind === 'ParamRef') {
    const n = typeof f.body.number === 'number' ? f.body.number : 0;
    return { kind: 'parameter', name: scope.params[n - 1] || `$${n}`, position: n };
  }
  if (f.kind === 'FuncCall') {
    const { schema, name } = callName(f);
    return { kind: 'call', name: schema ? `${schema}.${name}` : name };
  }
  if (f.kind === 'SQLValueFunction') return { kind: 'call', name: String(f.body.op ?? '').replace(/^SVFOP_/, '').toLowerCase() };
  return { kind: 'other' };
}

/**
 * The setting value an expression is, when it is one (top down): some
 * setting read inside it whose value reaches the expression's root through
 * transformations and JSON steps only.
 */
export function originOf(frame: Frame, scope: Scope): Origin | undefined {
  if (frame.kind === 'A_Const' || frame.kind === 'ParamRef') return undefined;
  if (frame.kind === 'ColumnRef') return sourceOf(frame, scope);
  // Asked for every argument of every call: cached per scope and node (trees are shared and read-only).
  let cache = originCache.get(scope);
  if (!cache) originCache.set(scope, (cache = new WeakMap()));
  const hit = cache.get(frame.body);
  if (hit !== undefined) return hit ?? undefined;
  let found: Origin | undefined;
  walk({ [frame.kind]: frame.body }, (f, parents) => {
    if (found) return false;
    const leaf = sourceOf(f, scope);
    if (!leaf) return;
    const up = climb(f, parents, leaf, scope);
    if (up.top === 0 && parents.length > 0) found = up.origin;
    else if (parents.length === 0) found = leaf;
    return false;
  });
  cache.set(frame.body, found ?? null);
  return found;
}

const originCache = new WeakMap<Scope, WeakMap<object, Origin | null>>();

/** From a source up through the wrappers: the value at the top wrapper, and that wrapper's index in `parents` (parents.length: the source itself). */
export function climb(source: Frame, parents: readonly Frame[], origin: Origin, scope: Scope): { origin: Origin; top: number } {
  let o = origin;
  let c = source;
  let i = parents.length - 1;
  for (; i >= 0; i--) {
    const next = extend(parents[i]!, c, o, scope);
    if (!next) break;
    o = next;
    c = parents[i]!;
  }
  return { origin: o, top: i + 1 };
}

/**
 * What the node at `parents[top]` (or above) does with the value `value`
 * (the frame at index `top`, or the source): the test, and any step the test
 * itself takes (`x = ANY (setting)` compares each element).
 */
export function useAt(value: Frame, parents: readonly Frame[], top: number, scope: Scope): { steps: JsonStep[]; test: SettingTest } {
  const parent = parents[top - 1];
  const read: { steps: JsonStep[]; test: SettingTest } = { steps: [], test: { kind: 'read' } };
  if (!parent) return read;
  if (parent.kind === 'NullTest') return { steps: [], test: { kind: 'null-test' } };
  if (parent.kind === 'ResTarget') return subqueryUse(parents, top - 1, scope) ?? read;
  if (parent.kind !== 'A_Expr') return read;
  const kind = parent.body.kind;
  const other = child(parent, value.field === 'lexpr' ? 'rexpr' : 'lexpr');
  if (kind === 'AEXPR_DISTINCT' || kind === 'AEXPR_NOT_DISTINCT') return { steps: [], test: compare(other, scope) };
  if (kind === 'AEXPR_IN') {
    if (value.field === 'lexpr') {
      const list = listItems(parent.body.rexpr);
      const literals = list.map((f) => constantOf(f));
      if (literals.every((l) => l !== undefined && l !== null)) return { steps: [], test: { kind: 'equals', literals: literals.map(String) } };
      return read;
    }
    return { steps: [], test: compare(child(parent, 'lexpr'), scope) };
  }
  if (kind === 'AEXPR_OP_ANY') {
    if (value.field === 'lexpr') {
      const literals = constantArray(other);
      return literals ? { steps: [], test: { kind: 'equals', literals } } : { steps: [], test: compare(other, scope) };
    }
    return { steps: [{ kind: 'element' }], test: compare(other, scope) };
  }
  if (kind !== 'AEXPR_OP') return read;
  const op = operatorOf(parent);
  if (COMPARISONS.has(op)) return { steps: [], test: compare(other, scope) };
  if (op === '?' && value.field === 'lexpr') {
    const literal = constantOf(other);
    return typeof literal === 'string' ? { steps: [], test: { kind: 'contains', operator: '?', literals: [literal] } } : { steps: [], test: { kind: 'has-key', source: classify(other, scope) } };
  }
  if ((op === '?|' || op === '?&') && value.field === 'lexpr') {
    const literals = constantArray(other);
    return literals ? { steps: [], test: { kind: 'contains', operator: op, literals } } : read;
  }
  if ((op === '@>' && value.field === 'lexpr') || (op === '<@' && value.field === 'rexpr')) {
    const literal = constantOf(other);
    return typeof literal === 'string' ? { steps: [], test: { kind: 'contains', operator: '@>', literals: [literal] } } : read;
  }
  return read;
}

function compare(other: Frame | null, scope: Scope): SettingTest {
  const literal = constantOf(other);
  if (literal !== undefined && literal !== null) return { kind: 'equals', literals: [String(literal)] };
  return { kind: 'compared', with: classify(other, scope) };
}

function listItems(value: unknown): Frame[] {
  const f = frameOf(value);
  if (f?.kind === 'List') return children(f, 'items');
  if (Array.isArray(value)) return value.map((v) => frameOf(v)).filter((x): x is Frame => x !== null);
  return [];
}

/** `x IN (SELECT <value> ...)` / `x = ANY (SELECT <value>)`: the value is compared with x. */
function subqueryUse(parents: readonly Frame[], resTarget: number, scope: Scope): { steps: JsonStep[]; test: SettingTest } | undefined {
  const select = parents[resTarget - 1];
  const link = parents[resTarget - 2];
  if (select?.kind !== 'SelectStmt' || link?.kind !== 'SubLink' || link.body.subLinkType !== 'ANY_SUBLINK') return undefined;
  return { steps: [], test: compare(child(link, 'testexpr'), scope) };
}
