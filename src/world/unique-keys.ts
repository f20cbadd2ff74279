/**
 * The unique keys a generated world must respect: the primary key, unique
 * constraints, and unique indexes that no constraint stands behind, partial
 * ones included (`WHERE is_default`, `WHERE deleted_at IS NULL`). A collision
 * is no wrong verdict, but it sends the whole world down the slow row-by-row
 * path, so the builder draws another row instead.
 */
import type { Relation } from '../catalog/types.js';

export interface UniqueKey {
  columns: string[];
  /** Whether the key applies to a row (a partial index's WHERE); absent: every row. */
  applies?: (row: Record<string, unknown>) => boolean;
}

export function uniqueKeysOf(r: Relation): UniqueKey[] {
  const keys: UniqueKey[] = [r.primaryKey, ...r.uniqueConstraints].filter((k) => k !== null && k.columns.length > 0).map((k) => ({ columns: k!.columns }));
  for (const i of r.indexes) {
    // A constraint's index is listed above; an expression key (lower(email)) is not a column a row carries.
    if (!i.unique || !i.valid || i.constraint !== null || i.columns.length === 0 || i.columns.some((c) => c === null)) continue;
    const columns = i.columns as string[];
    keys.push(i.predicate ? { columns, applies: partialPredicate(i.predicate) } : { columns });
  }
  return keys;
}

const IDENT = String.raw`"(?:[^"]|"")+"|[a-z_][a-z0-9_$]*`;
const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s);
const LITERAL = String.raw`'(?:[^']|'')*'(?:::[a-z_ ."]+)?|-?\d+(?:\.\d+)?|true|false`;

function literalValue(text: string): string {
  const quoted = /^'((?:[^']|'')*)'/.exec(text);
  return quoted ? quoted[1]!.replaceAll("''", "'") : text;
}

/**
 * A partial index's WHERE as a test on a generated row, for the forms such predicates take
 * (pg_get_expr's text): a boolean column, NOT it, IS [NOT] NULL, = or <> a literal, and ANDs of
 * them. Anything else applies to every row: stricter than the index, never a collision.
 */
export function partialPredicate(text: string): (row: Record<string, unknown>) => boolean {
  const parts = splitAnd(strip(text));
  const tests = parts.map(atomTest);
  if (tests.some((t) => t === null)) return () => true;
  return (row) => tests.every((t) => t!(row));
}

function strip(s: string): string {
  let t = s.trim();
  while (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1).trim();
  return t;
}

function balanced(s: string): boolean {
  let depth = 0;
  let quoted = false;
  for (const ch of s) {
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth++;
    if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** Top-level AND operands (outside parentheses and literals). */
function splitAnd(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && /^ AND /i.test(s.slice(i, i + 5))) {
      out.push(strip(s.slice(start, i)));
      start = i + 5;
    }
  }
  out.push(strip(s.slice(start)));
  return out;
}

type Test = (row: Record<string, unknown>) => boolean;

function atomTest(atom: string): Test | null {
  let m = new RegExp(`^(${IDENT})$`, 'i').exec(atom);
  if (m) return (row) => row[unquote(m![1]!)] === true || row[unquote(m![1]!)] === 't';
  m = new RegExp(`^NOT (${IDENT})$`, 'i').exec(atom);
  if (m) return (row) => row[unquote(m![1]!)] === false || row[unquote(m![1]!)] === 'f';
  m = new RegExp(`^(${IDENT}) IS (NOT )?NULL$`, 'i').exec(atom);
  if (m) {
    const col = unquote(m[1]!);
    const not = m[2] !== undefined;
    return (row) => (row[col] === null || row[col] === undefined) !== not;
  }
  m = new RegExp(`^(${IDENT}) (=|<>) (${LITERAL})$`, 'i').exec(atom);
  if (m) {
    const col = unquote(m[1]!);
    const value = literalValue(m[3]!);
    const equal = m[2] === '=';
    // NULL = x is not true: a row without the value is outside the index.
    return (row) => row[col] !== null && row[col] !== undefined && (String(row[col]) === value) === equal;
  }
  return null;
}
