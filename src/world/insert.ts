/**
 * Writes a world as the privileged connection, in foreign-key order, inside
 * the caller's transaction. One statement per relation; when a row breaks a
 * constraint the generator could not know (a CHECK, say), the relation is
 * retried row by row and the rejected rows are dropped and counted, never
 * silently lost.
 */
import { sql, type SQLQuery, type Transaction } from '@databases/pg';
import type { WorldPlan } from './plan.js';
import { sqlIdentifier, sqlLiteral, sqlQualified } from '../config/context.js';
import type { World, WorldRow } from './build.js';

export interface InsertResult {
  /** Rows actually written, per relation. */
  rows: Map<string, WorldRow[]>;
  /** Rows the database rejected, per relation, with the first reason seen. */
  dropped: Map<string, { count: number; reason: string }>;
}

export function qualifiedSql(name: string): SQLQuery {
  const dot = name.indexOf('.');
  return sql.ident(name.slice(0, dot), name.slice(dot + 1));
}

function insertStatement(relation: string, rows: WorldRow[]): SQLQuery {
  const cols = Object.keys(rows[0]!.values).map((c) => sql.ident(c));
  const list = sql.join(cols, ', ');
  const json = JSON.stringify(rows.map((r) => r.values));
  // OVERRIDING SYSTEM VALUE: generated keys are written explicitly so children can reference them.
  return sql`insert into ${qualifiedSql(relation)} (${list}) overriding system value
    select ${list} from json_populate_recordset(null::${qualifiedSql(relation)}, ${json}::json)`;
}

/** The whole world as plain SQL text (literals, no parameters): for the one-round-trip path. */
export function worldInsertText(plan: WorldPlan, world: World): string[] {
  const out: string[] = [];
  for (const p of plan.relations) {
    const name = p.relation.qualifiedName;
    const rows = world.rows.get(name) ?? [];
    if (rows.length === 0) continue;
    const cols = Object.keys(rows[0]!.values).map((c) => sqlIdentifier(c)).join(', ');
    const rel = sqlQualified(name);
    const json = sqlLiteral(JSON.stringify(rows.map((r) => r.values)));
    out.push(`insert into ${rel} (${cols}) overriding system value select ${cols} from json_populate_recordset(null::${rel}, ${json}::json)`);
  }
  return out;
}


export async function insertWorld(tx: Transaction, plan: WorldPlan, world: World): Promise<InsertResult> {
  const rows = new Map<string, WorldRow[]>();
  const dropped = new Map<string, { count: number; reason: string }>();
  for (const p of plan.relations) {
    const name = p.relation.qualifiedName;
    const planned = world.rows.get(name) ?? [];
    if (planned.length === 0) {
      rows.set(name, []);
      continue;
    }
    await tx.query(sql`savepoint tp_bulk`);
    try {
      await tx.query(insertStatement(name, planned));
      await tx.query(sql`release savepoint tp_bulk`);
      rows.set(name, planned);
      continue;
    } catch {
      await tx.query(sql`rollback to savepoint tp_bulk`);
    }
    const kept: WorldRow[] = [];
    for (const row of planned) {
      await tx.query(sql`savepoint tp_row`);
      try {
        await tx.query(insertStatement(name, [row]));
        await tx.query(sql`release savepoint tp_row`);
        kept.push(row);
      } catch (e) {
        await tx.query(sql`rollback to savepoint tp_row`);
        const d = dropped.get(name) ?? { count: 0, reason: (e as Error).message };
        d.count++;
        dropped.set(name, d);
      }
    }
    rows.set(name, kept);
  }
  return { rows, dropped };
}
