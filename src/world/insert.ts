/**
 * Writes a world as the privileged connection, inside the caller's
 * transaction: the tenants' login roles first (role per tenant), then each
 * relation in foreign-key order, one statement per relation, or per tenant
 * inside that tenant's context where a trigger or a default reads it. When a
 * row breaks a constraint the generator could not know, the relation is
 * retried row by row and the rejected rows are dropped and counted, never
 * silently lost.
 */
import { sql, type Transaction } from '@databases/pg';
import { quoteIdent, quoteLiteral, quoteRelation } from '../sql/text.js';
import type { World, WorldRow } from './build.js';
import type { PlannedRelation, WorldPlan } from './plan.js';

export interface InsertResult {
  /** Rows actually written, per relation. */
  rows: Map<string, WorldRow[]>;
  /** Rows the database rejected, per relation, with the first reason seen. */
  dropped: Map<string, { count: number; reason: string }>;
}

/** The statements that put a tenant's context in place for the writer (settings only; the writer stays privileged), and those that clear it. */
export interface WriterContext {
  enter(tenant: string): string[];
  leave(): string[];
}

/** One INSERT of rows of one relation, values as JSON (no parameters: the fast path sends it as text). */
export function insertStatement(relation: string, rows: readonly WorldRow[]): string {
  const cols = Object.keys(rows[0]!.values).map(quoteIdent).join(', ');
  const rel = quoteRelation(relation);
  const json = quoteLiteral(JSON.stringify(rows.map((r) => r.values)));
  // OVERRIDING SYSTEM VALUE: generated keys are written explicitly so children can reference them.
  return `insert into ${rel} (${cols}) overriding system value select ${cols} from json_populate_recordset(null::${rel}, ${json}::json)`;
}

export function roleStatements(plan: WorldPlan, world: World): string[] {
  const actor = plan.model.actors.find((a) => a.adapter.tenantRoles && !a.adapter.tenantRoles.reuse);
  if (!actor) return [];
  const member = actor.adapter.tenantRoles!.memberOf ?? actor.role;
  return [...world.tenantRoles.values()].flatMap((role) => [`create role ${quoteIdent(role)} login`, `grant ${quoteIdent(member)} to ${quoteIdent(role)}`]);
}

/** A relation's rows as statements: grouped by tenant inside its context where the plan says so. */
function relationStatements(p: PlannedRelation, rows: readonly WorldRow[], writer: WriterContext | null): string[] {
  if (rows.length === 0) return [];
  const name = p.relation.qualifiedName;
  if (!p.inContext || !writer) return [insertStatement(name, rows)];
  const out: string[] = [];
  const tenants = [...new Set(rows.map((r) => r.tenant))];
  for (const tenant of tenants) {
    if (tenant !== null) out.push(...writer.enter(tenant));
    out.push(insertStatement(name, rows.filter((r) => r.tenant === tenant)));
  }
  out.push(...writer.leave());
  return out;
}

/** The whole world as SQL text (literals, no parameters): for the one-round-trip path and for replays. */
export function worldStatements(plan: WorldPlan, world: World, writer: WriterContext | null): string[] {
  const out = roleStatements(plan, world);
  for (const p of plan.relations) out.push(...relationStatements(p, world.rows.get(p.relation.qualifiedName) ?? [], writer));
  return out;
}

/** The slow path: statement by statement, and row by row for a relation the database refuses in bulk. */
export async function insertWorld(tx: Transaction, plan: WorldPlan, world: World, writer: WriterContext | null): Promise<InsertResult> {
  const rows = new Map<string, WorldRow[]>();
  const dropped = new Map<string, { count: number; reason: string }>();
  for (const s of roleStatements(plan, world)) await tx.query(sql.__dangerous__rawValue(s));
  const attempt = async (statement: string): Promise<string | null> => {
    await tx.query(sql`savepoint tp_row`);
    try {
      await tx.query(sql.__dangerous__rawValue(statement));
      await tx.query(sql`release savepoint tp_row`);
      return null;
    } catch (e) {
      await tx.query(sql`rollback to savepoint tp_row`);
      return (e as Error).message;
    }
  };
  for (const p of plan.relations) {
    const name = p.relation.qualifiedName;
    const planned = world.rows.get(name) ?? [];
    if (planned.length === 0 || (await attempt(relationStatements(p, planned, writer).join(';\n'))) === null) {
      rows.set(name, [...planned]);
      continue;
    }
    const kept: WorldRow[] = [];
    for (const row of planned) {
      const context = p.inContext && writer && row.tenant !== null ? writer.enter(row.tenant) : [];
      const reason = await attempt([...context, insertStatement(name, [row]), ...(context.length ? writer!.leave() : [])].join(';\n'));
      if (reason === null) kept.push(row);
      else {
        const d = dropped.get(name) ?? { count: 0, reason };
        d.count++;
        dropped.set(name, d);
      }
    }
    rows.set(name, kept);
  }
  return { rows, dropped };
}
