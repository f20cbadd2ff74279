/**
 * A small three-valued evaluator of boolean expressions over abstract
 * values, enough to answer two questions on a policy branch's tree:
 *
 *   constant true   is it TRUE whatever the row and the session hold?
 *                   (`true`, `1 = 1`, `'a' = 'a'`, `NOT false`, `x OR true`)
 *   true when unset is it TRUE for every row when the session has set no
 *                   custom setting (current_setting(..., true) is NULL, or ''
 *                   once a transaction set and ended it)? That is a policy
 *                   failing open: `ctx IS NULL OR ...`, `coalesce(ctx, col) = col`.
 *
 * A value is NULL, a constant, or unknown; an unknown column, parameter or
 * setting carries a key (which one it is), so `col = col` is TRUE (for every
 * row where col is not NULL: `tenant_id = tenant_id` admits every tenant). Anything not modelled is unknown,
 * which never makes a branch TRUE: the evaluator errs towards "not proven".
 */
import { callName, child, children, constantOf, names, operatorOf, typeNameOf, type Frame } from './nodes.js';

export type Value = { k: 'null' } | { k: 'const'; v: string | number | boolean } | { k: 'unknown'; key?: string };

export type Mode = 'unknown' | 'unset-null' | 'unset-empty';

export interface Env {
  mode: Mode;
  /** A call of a catalog function: its value, or undefined when nothing is known (then: unknown). */
  call?: (frame: Frame, args: Value[], env: Env) => Value | undefined;
  /** Bound parameters while evaluating an inlined function body, by name and by position (1-based). */
  params?: { byName: ReadonlyMap<string, Value>; byPosition: readonly Value[] };
  /** Inlining depth, to stop runaway recursion. */
  depth?: number;
  /** The session's identity, when known: session_user (the login) and current_user (the role). */
  identity?: { sessionUser?: string; currentUser?: string };
}

const NULL: Value = { k: 'null' };
const UNKNOWN: Value = { k: 'unknown' };
const TRUE: Value = { k: 'const', v: true };
const FALSE: Value = { k: 'const', v: false };
const bool = (b: boolean): Value => (b ? TRUE : FALSE);
const isTrue = (v: Value) => v.k === 'const' && v.v === true;
const isFalse = (v: Value) => v.k === 'const' && v.v === false;

const BOOLEAN_TEXT: Record<string, boolean> = { t: true, true: true, y: true, yes: true, on: true, '1': true, f: false, false: false, n: false, no: false, off: false, '0': false };
const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'smallint', 'integer', 'bigint', 'numeric', 'float4', 'float8', 'real', 'decimal']);

export function isConstantTrue(frame: Frame, env: Omit<Env, 'mode'> = {}): boolean {
  return isTrue(evaluate(frame, { ...env, mode: 'unknown' }));
}

/** TRUE for every row when no custom setting is set, read as NULL or as ''. */
export function isTrueWhenUnset(frame: Frame, env: Omit<Env, 'mode'> = {}): boolean {
  return isTrue(evaluate(frame, { ...env, mode: 'unset-null' })) || isTrue(evaluate(frame, { ...env, mode: 'unset-empty' }));
}

export function evaluate(frame: Frame | null, env: Env): Value {
  if (!frame) return UNKNOWN;
  switch (frame.kind) {
    case 'A_Const': {
      const v = constantOf(frame);
      return v === undefined ? UNKNOWN : v === null ? NULL : { k: 'const', v };
    }
    case 'TypeCast':
      return cast(evaluate(child(frame, 'arg'), env), typeNameOf(frame));
    case 'CollateClause':
      return evaluate(child(frame, 'arg'), env);
    case 'ColumnRef': {
      const fields = names(frame.body.fields);
      const bound = fields.length === 1 ? env.params?.byName.get(fields[0]!) : undefined;
      return bound ?? { k: 'unknown', key: `column:${fields.join('.')}` };
    }
    case 'ParamRef': {
      const n = typeof frame.body.number === 'number' ? frame.body.number : 0;
      return env.params?.byPosition[n - 1] ?? { k: 'unknown', key: `param:${n}` };
    }
    case 'BoolExpr':
      return boolExpr(frame, env);
    case 'NullTest': {
      const v = evaluate(child(frame, 'arg'), env);
      if (v.k === 'unknown') return UNKNOWN;
      const isNull = v.k === 'null';
      return bool(frame.body.nulltesttype === 'IS_NULL' ? isNull : !isNull);
    }
    case 'BooleanTest':
      return booleanTest(evaluate(child(frame, 'arg'), env), String(frame.body.booltesttype));
    case 'A_Expr':
      return aExpr(frame, env);
    case 'CoalesceExpr': {
      const args = children(frame, 'args');
      for (const [i, a] of args.entries()) {
        const v = evaluate(a, env);
        if (v.k === 'null') continue;
        // An unknown that may itself be NULL decides nothing unless it is the last candidate.
        return v.k === 'const' || i === args.length - 1 ? v : UNKNOWN;
      }
      return NULL;
    }
    case 'CaseExpr':
      return caseExpr(frame, env);
    case 'FuncCall':
      return funcCall(frame, env);
    case 'SQLValueFunction': {
      const op = String(frame.body.op);
      const known = op === 'SVFOP_SESSION_USER' ? env.identity?.sessionUser : ['SVFOP_CURRENT_USER', 'SVFOP_CURRENT_ROLE', 'SVFOP_USER'].includes(op) ? env.identity?.currentUser : undefined;
      return known !== undefined ? { k: 'const', v: known } : { k: 'unknown', key: `identity:${op}` };
    }
    default:
      return UNKNOWN;
  }
}

function boolExpr(frame: Frame, env: Env): Value {
  const args = children(frame, 'args').map((a) => evaluate(a, env));
  switch (frame.body.boolop) {
    case 'AND_EXPR':
      if (args.some(isFalse)) return FALSE;
      if (args.every(isTrue)) return TRUE;
      return args.every((a) => isTrue(a) || a.k === 'null') ? NULL : UNKNOWN;
    case 'OR_EXPR':
      if (args.some(isTrue)) return TRUE;
      if (args.every(isFalse)) return FALSE;
      return args.every((a) => isFalse(a) || a.k === 'null') ? NULL : UNKNOWN;
    default: {
      const a = args[0] ?? UNKNOWN;
      return a.k === 'const' && typeof a.v === 'boolean' ? bool(!a.v) : a.k === 'null' ? NULL : UNKNOWN;
    }
  }
}

function booleanTest(v: Value, test: string): Value {
  if (v.k === 'unknown') return UNKNOWN;
  const t = v.k === 'const' && v.v === true;
  const f = v.k === 'const' && v.v === false;
  const u = v.k === 'null';
  const table: Record<string, boolean> = { IS_TRUE: t, IS_NOT_TRUE: !t, IS_FALSE: f, IS_NOT_FALSE: !f, IS_UNKNOWN: u, IS_NOT_UNKNOWN: !u };
  return test in table ? bool(table[test]!) : UNKNOWN;
}

function cast(v: Value, type: string): Value {
  if (v.k !== 'const') return v;
  if (type === 'bool' || type === 'boolean') {
    const b = BOOLEAN_TEXT[String(v.v).toLowerCase()];
    return b === undefined ? UNKNOWN : bool(b);
  }
  if (NUMERIC_TYPES.has(type)) {
    const n = Number(v.v);
    return Number.isFinite(n) && String(v.v).trim() !== '' ? { k: 'const', v: n } : UNKNOWN;
  }
  return { k: 'const', v: typeof v.v === 'boolean' ? (v.v ? 'true' : 'false') : String(v.v) };
}

/** SQL equality of two known values: NULL when either is NULL, unknown when undecidable. */
function equals(a: Value, b: Value): Value {
  if (a.k === 'null' || b.k === 'null') return NULL;
  if (a.k === 'const' && b.k === 'const') {
    if (typeof a.v === typeof b.v) return bool(a.v === b.v);
    if (typeof a.v === 'number' || typeof b.v === 'number') return bool(Number(a.v) === Number(b.v));
    const ab = typeof a.v === 'boolean' ? a.v : BOOLEAN_TEXT[String(a.v).toLowerCase()];
    const bb = typeof b.v === 'boolean' ? b.v : BOOLEAN_TEXT[String(b.v).toLowerCase()];
    return ab === undefined || bb === undefined ? UNKNOWN : bool(ab === bb);
  }
  if (a.k === 'unknown' && b.k === 'unknown' && a.key !== undefined && a.key === b.key) return TRUE;
  return UNKNOWN;
}

function not(v: Value): Value {
  return v.k === 'const' && typeof v.v === 'boolean' ? bool(!v.v) : v;
}

function aExpr(frame: Frame, env: Env): Value {
  const l = evaluate(child(frame, 'lexpr'), env);
  const kind = frame.body.kind;
  if (kind === 'AEXPR_IN') {
    const items = child(frame, 'rexpr');
    const list = items?.kind === 'List' ? children(items, 'items').map((i) => evaluate(i, env)) : [];
    if (l.k === 'null') return NULL;
    const results = list.map((i) => equals(l, i));
    const found = results.some(isTrue) ? TRUE : results.every(isFalse) ? FALSE : results.every((r) => isFalse(r) || r.k === 'null') ? NULL : UNKNOWN;
    return operatorOf(frame) === '<>' ? not(found) : found;
  }
  const r = evaluate(child(frame, 'rexpr'), env);
  switch (kind) {
    case 'AEXPR_DISTINCT':
    case 'AEXPR_NOT_DISTINCT': {
      let same: Value;
      if (l.k === 'null' || r.k === 'null') same = bool(l.k === r.k);
      else same = equals(l, r);
      if (same.k === 'null') same = UNKNOWN;
      return kind === 'AEXPR_DISTINCT' ? not(same) : same;
    }
    case 'AEXPR_NULLIF': {
      if (l.k === 'null') return NULL;
      const eq = equals(l, r);
      if (isTrue(eq)) return NULL;
      return isFalse(eq) || r.k === 'null' ? l : UNKNOWN;
    }
    case 'AEXPR_OP': {
      const op = operatorOf(frame);
      if (op === '=') return equals(l, r);
      if (op === '<>' || op === '!=') return not(equals(l, r));
      // Built-in operators are strict: NULL in, NULL out.
      if (l.k === 'null' || r.k === 'null') return NULL;
      if ((op === '->' || op === '->>') && l.k === 'const' && r.k === 'const') return jsonStep(l.v, r.v, op === '->>');
      return UNKNOWN;
    }
    default:
      return l.k === 'null' ? NULL : UNKNOWN;
  }
}

/** `'{"a": 1}'::jsonb -> 'a'` on constants: a missing key or index is NULL (how `coalesce(claims, '{}') ->> 'x'` fails). */
function jsonStep(doc: string | number | boolean, key: string | number | boolean, asText: boolean): Value {
  let value: unknown;
  try {
    value = JSON.parse(String(doc));
  } catch {
    return UNKNOWN;
  }
  let out: unknown;
  if (Array.isArray(value) && typeof key === 'number') out = value[key < 0 ? value.length + key : key];
  else if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof key === 'string') out = (value as Record<string, unknown>)[key];
  else return NULL;
  if (out === undefined || (out === null && asText)) return NULL;
  return { k: 'const', v: asText && typeof out === 'string' ? out : JSON.stringify(out) };
}

function caseExpr(frame: Frame, env: Env): Value {
  const arg = child(frame, 'arg');
  const subject = arg ? evaluate(arg, env) : null;
  for (const when of children(frame, 'args')) {
    const cond = subject ? equals(subject, evaluate(child(when, 'expr'), env)) : evaluate(child(when, 'expr'), env);
    if (isTrue(cond)) return evaluate(child(when, 'result'), env);
    if (cond.k === 'unknown' || (cond.k === 'const' && cond.v !== false)) return UNKNOWN;
  }
  const otherwise = child(frame, 'defresult');
  return otherwise ? evaluate(otherwise, env) : NULL;
}

function funcCall(frame: Frame, env: Env): Value {
  const { schema, name } = callName(frame);
  const args = children(frame, 'args');
  if ((schema === null || schema === 'pg_catalog') && name === 'current_setting') {
    const setting = constantOf(args[0] ?? null);
    const missingOk = constantOf(args[1] ?? null);
    if (env.mode === 'unknown' || typeof setting !== 'string') return { k: 'unknown', key: `setting:${String(setting)}` };
    // Never set: NULL with missing_ok (an error without it: not a pass, so unknown); set once and ended: ''.
    if (env.mode === 'unset-null') return missingOk === true ? NULL : UNKNOWN;
    return { k: 'const', v: '' };
  }
  const values = args.map((a) => evaluate(a, env));
  const known = env.call?.(frame, values, env);
  if (known) return known;
  // No key: two calls of a function need not return the same value.
  return UNKNOWN;
}
