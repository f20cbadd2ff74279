/**
 * The unique keys a generated world must respect: the primary key, unique
 * constraints, and unique indexes that no constraint stands behind, partial
 * ones included (`WHERE is_default`, `WHERE deleted_at IS NULL`). A collision
 * is no wrong verdict, but it sends the whole world down the slow row-by-row
 * path, so the builder draws another row instead.
 */
import { evaluate, type Value } from '../catalog/sql/evaluate.js';
import { frameOf } from '../catalog/sql/nodes.js';
import { parseExpression } from '../catalog/sql/parser.js';
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

/**
 * A partial index's WHERE as a test on a generated row: the expression (pg_get_expr's text) parsed by
 * PostgreSQL's grammar and evaluated by the catalog's evaluator, with the row's values for its
 * columns. The key applies unless the WHERE is certainly false or NULL for the row; what the evaluator
 * cannot decide applies to every row: stricter than the index, never a collision.
 */
export function partialPredicate(text: string): (row: Record<string, unknown>) => boolean {
  const parsed = parseExpression(text);
  const frame = parsed.ok ? frameOf(parsed.value.node) : null;
  if (!frame) return () => true;
  return (row) => {
    const byName = new Map(Object.entries(row).map(([column, v]) => [column, evaluable(v)]));
    const v = evaluate(frame, { mode: 'unknown', params: { byName, byPosition: [] } });
    return v.k === 'unknown' || (v.k === 'const' && v.v !== false);
  };
}

function evaluable(v: unknown): Value {
  if (v === null || v === undefined) return { k: 'null' };
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? { k: 'const', v } : { k: 'unknown' };
}
