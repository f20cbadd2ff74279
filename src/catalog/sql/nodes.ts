/**
 * Small, generic readers of libpg-query trees. A tree node is an object with
 * one key, its type (`{ FuncCall: {...} }`); some struct fields are stored
 * unwrapped (InsertStmt.relation is a bare RangeVar). `walk` visits every
 * wrapped node with the chain of its ancestors, which is what the readers
 * of uses need ("is this setting the left operand of a `->`?").
 */
import type { Node } from 'libpg-query';

/** A visited node: its type, its fields, and where it sits in its parent. */
export interface Frame {
  kind: string;
  body: Record<string, unknown>;
  /** The parent's field holding this node (`lexpr`, `args`...), null at the root. */
  field: string | null;
  /** Its index when that field is a list. */
  index: number | null;
}

/** The frame of a wrapped node, or null for anything else. Hot: every value of every tree passes here. */
export function frameOf(value: unknown, field: string | null = null, index: number | null = null): Frame | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  let key: string | undefined;
  for (const k in value) {
    if (key !== undefined) return null;
    key = k;
  }
  if (key === undefined) return null;
  const first = key.charCodeAt(0);
  if (first < 65 || first > 90) return null; // node types start with an upper-case letter
  const body = (value as Record<string, unknown>)[key];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  return { kind: key, body: body as Record<string, unknown>, field, index };
}

// DML targets are bare RangeVars; everything else the readers need is wrapped.
const BARE_RANGEVAR_FIELDS = new Set(['relation']);

/**
 * Depth-first visit of every wrapped node below (and including) `root`.
 * `visit` returns false to skip a node's children (anything else goes on). `parents` is the chain of
 * ancestors, nearest last; it is reused between calls: copy it to keep it.
 */
export function walk(root: unknown, visit: (frame: Frame, parents: readonly Frame[]) => unknown, parents: Frame[] = []): void {
  const visitFields = (body: Record<string, unknown>, field: string | null): void => {
    for (const k in body) {
      const v = body[k];
      if (v !== null && typeof v === 'object') visitValue(v, field ?? k, null);
    }
  };
  const visitValue = (value: object, field: string | null, index: number | null): void => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (v !== null && typeof v === 'object') visitValue(v, field, i);
      }
      return;
    }
    let frame = frameOf(value, field, index);
    if (!frame && field !== null && BARE_RANGEVAR_FIELDS.has(field) && 'relname' in value) {
      frame = { kind: 'RangeVar', body: value as Record<string, unknown>, field, index };
    }
    if (frame) {
      if (visit(frame, parents) === false) return;
      parents.push(frame);
      for (const k in frame.body) {
        const v = frame.body[k];
        if (v !== null && typeof v === 'object') visitValue(v, k, null);
      }
      parents.pop();
      return;
    }
    // An unwrapped struct (TypeName, Alias, ...): look inside, keeping the field of its parent.
    visitFields(value as Record<string, unknown>, field);
  };
  if (root !== null && typeof root === 'object') visitValue(root, null, null);
}

/** The `sval`s of a name list (funcname, names of a TypeName, fields of a ColumnRef). */
export function names(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const item of list) {
    const f = frameOf(item);
    if (f?.kind === 'String' && typeof f.body.sval === 'string') out.push(f.body.sval);
  }
  return out;
}

/** A node's field as a frame (a wrapped child node). */
export function child(frame: Frame | null, field: string): Frame | null {
  return frame ? frameOf(frame.body[field], field) : null;
}

/** The frames of a list field. */
export function children(frame: Frame, field: string): Frame[] {
  const list = frame.body[field];
  if (!Array.isArray(list)) return [];
  return list.map((v, i) => frameOf(v, field, i)).filter((f): f is Frame => f !== null);
}

/** Casts and COLLATE removed: `'x'::text` -> `'x'`. */
export function stripCasts(frame: Frame | null): Frame | null {
  let f = frame;
  while (f && (f.kind === 'TypeCast' || f.kind === 'CollateClause')) f = child(f, 'arg');
  return f;
}

export type Constant = string | number | boolean | null;

/** The value of a constant (under casts), or undefined when the node is not one. */
export function constantOf(frame: Frame | null): Constant | undefined {
  const f = stripCasts(frame);
  if (f?.kind !== 'A_Const') return undefined;
  const b = f.body as { isnull?: boolean; ival?: { ival?: number }; fval?: { fval?: string }; boolval?: { boolval?: boolean }; sval?: { sval?: string }; bsval?: { bsval?: string } };
  if (b.isnull) return null;
  if (b.ival) return b.ival.ival ?? 0;
  if (b.fval) return Number(b.fval.fval);
  if (b.boolval) return b.boolval.boolval ?? false;
  if (b.sval) return b.sval.sval ?? '';
  if (b.bsval) return b.bsval.bsval ?? '';
  return undefined;
}

/** A constant as SQL would print it in text (`true`, `1`, `'x'` -> x). */
export function constantText(value: Constant): string | null {
  return value === null ? null : String(value);
}

/** The operator name of an A_Expr (`=`, `->>`, `?`...), schema dropped. */
export function operatorOf(frame: Frame): string {
  const n = names(frame.body.name);
  return n[n.length - 1] ?? '';
}

/** The last name of a type (`pg_catalog.int4` -> int4, `jsonb` -> jsonb). */
export function typeNameOf(frame: Frame): string {
  const typeName = frame.body.typeName as { names?: unknown } | undefined;
  const n = names(typeName?.names);
  return n[n.length - 1] ?? '';
}

/** A function call's name: schema (or null) and name, as the parser folded them. */
export function callName(frame: Frame): { schema: string | null; name: string } {
  const n = names(frame.body.funcname);
  return { schema: n.length > 1 ? n[n.length - 2]! : null, name: n[n.length - 1] ?? '' };
}

/** Elements of a constant array: `ARRAY['a', 'b']` or `'{a,b}'::text[]`; undefined when not constant. */
export function constantArray(frame: Frame | null): string[] | undefined {
  const f = stripCasts(frame);
  if (!f) return undefined;
  if (f.kind === 'A_ArrayExpr') {
    const out: string[] = [];
    for (const e of children(f, 'elements')) {
      const v = constantOf(e);
      if (v === undefined || v === null) return undefined;
      out.push(String(v));
    }
    return out;
  }
  const v = constantOf(f);
  return typeof v === 'string' ? arrayLiteral(v) : undefined;
}

/** Elements of a one-dimensional array literal `{a,"b c"}`. */
export function arrayLiteral(text: string): string[] | undefined {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return undefined;
  const out: string[] = [];
  const inner = t.slice(1, -1);
  let i = 0;
  while (i < inner.length) {
    while (inner[i] === ' ') i++;
    if (inner[i] === '"') {
      let s = '';
      i++;
      while (i < inner.length && inner[i] !== '"') {
        if (inner[i] === '\\') i++;
        s += inner[i] ?? '';
        i++;
      }
      out.push(s);
      i++;
    } else {
      const end = inner.indexOf(',', i);
      out.push(inner.slice(i, end < 0 ? inner.length : end).trim());
      i = end < 0 ? inner.length : end;
    }
    while (inner[i] === ' ') i++;
    if (inner[i] === ',') i++;
  }
  return out;
}

/** The smallest location of any node in the subtree (where its text starts), or -1. */
export function startOf(node: unknown): number {
  let min = -1;
  walk(node, (f) => {
    const loc = f.body.location;
    if (typeof loc === 'number' && loc >= 0 && (min < 0 || loc < min)) min = loc;
  });
  return min;
}

/** A tree with its locations dropped: equal trees mean equal expressions, whatever their spacing. */
export function shape(node: Node | Frame['body']): string {
  return JSON.stringify(node, (k, v: unknown) => (k === 'location' ? undefined : v));
}
