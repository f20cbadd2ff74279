/**
 * A boolean expression's top-level OR branches (permissive branches widen
 * one another) and AND conjuncts, on the parse tree, each with its text cut
 * from the original expression for messages: `((a = b) OR true)` has the
 * branches `a = b` and `true`. Nested ORs and ANDs are flattened;
 * `x AND (y OR z)` is one branch with two conjuncts.
 */
import { children, frameOf, startOf, type Frame } from './nodes.js';
import { parseExpression } from './parser.js';

export interface Branch {
  frame: Frame;
  /** The branch's text, outer parentheses removed. */
  text: string;
}

const CACHE_LIMIT = 4096;
const cache = new Map<string, Branch[] | null>();

/** The top-level OR branches of `text`, or null when it does not parse. Cached by text: treat as read-only. */
export function orBranches(text: string): Branch[] | null {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  const branches = split(text);
  cache.set(text, branches);
  return branches;
}

function split(text: string): Branch[] | null {
  const parsed = parseExpression(text);
  if (!parsed.ok) return null;
  const root = frameOf(parsed.value.node);
  if (!root) return null;
  const parts = flatten(root, 'OR_EXPR');
  if (parts.length === 1) return [{ frame: root, text: stripOuterParens(text) }];
  const starts = parts.map((p) => startOf({ [p.kind]: p.body }) - parsed.value.offset);
  return parts.map((frame, i) => {
    const end = i + 1 < parts.length ? starts[i + 1]! : text.length;
    const start = widen(text, Math.max(0, starts[i]!), end);
    const raw = text.slice(start, end).replace(/\s*\bOR\b[\s(]*$/i, '');
    return { frame, text: stripOuterParens(balance(raw)) };
  });
}

/**
 * A node's location is its first token after any parentheses (`(b)::text`
 * starts at b): move the start left over the parentheses its text closes.
 */
function widen(text: string, start: number, end: number): number {
  let s = start;
  for (;;) {
    const body = text.slice(s, end).replace(/[\s)]*$/, '');
    if (Math.min(0, ...depths(body).map((d, i) => d - (body[i] === ')' ? 1 : 0))) >= 0 || s === 0 || !/[\s(]/.test(text[s - 1]!)) return s;
    s--;
  }
}

/** The operands of nested `op`s, in order: `(a OR b) OR c` -> a, b, c. */
export function flatten(frame: Frame, op: 'OR_EXPR' | 'AND_EXPR'): Frame[] {
  if (frame.kind !== 'BoolExpr' || frame.body.boolop !== op) return [frame];
  return children(frame, 'args').flatMap((a) => flatten(a, op));
}

/** Quotes and identifiers skipped, the parenthesis depth at each character. */
function depths(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < text.length && !(text[j] === ch && text[j + 1] !== ch)) j += text[j] === ch ? 2 : 1;
      for (let k = i; k <= j && k < text.length; k++) out.push(depth);
      i = j;
      continue;
    }
    if (ch === '(') depth++;
    out.push(depth);
    if (ch === ')') depth--;
  }
  return out;
}

/** Unmatched trailing `)` (a slice ends inside the parentheses that held the whole OR) removed. */
function balance(text: string): string {
  let t = text.trimEnd();
  for (;;) {
    const d = depths(t);
    const final = d.length === 0 ? 0 : d[d.length - 1]! - (t.endsWith(')') ? 1 : 0);
    if (!t.endsWith(')') || final >= 0) return t;
    t = t.slice(0, -1).trimEnd();
  }
}

/** `((a OR b))` -> `a OR b`; `(a) OR (b)` is left alone. */
export function stripOuterParens(text: string): string {
  let t = text.trim();
  for (;;) {
    if (!t.startsWith('(') || !t.endsWith(')')) return t;
    const d = depths(t);
    // The opening parenthesis closes only at the very end when no inner character drops back to depth 0.
    if (d.slice(1, -1).some((x) => x < 1)) return t;
    t = t.slice(1, -1).trim();
  }
}
