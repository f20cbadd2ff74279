import { sql, type Queryable } from '@databases/pg';
import { GLOBAL_TABLES, TABLE_ORDER, type Row } from './registry.js';
import type { ExistingRows, World } from './world.js';

const ident = (qualified: string) => sql.ident(...(qualified.split('.') as [string, string]));
const CHUNK = 500;

/**
 * Inserts rows of one table through json_populate_recordset (one statement
 * per chunk). With `skipExisting`, rows that repeat a key are left alone
 * (ON CONFLICT DO NOTHING). Returns how many rows were inserted.
 */
export async function insertRows(q: Queryable, table: string, rows: readonly Row[], o: { skipExisting?: boolean } = {}): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const columns = [...new Set(chunk.flatMap((r) => Object.keys(r)))].map((c) => sql.ident(c));
    const list = sql.join(columns, ', ');
    const [r] = await q.query(sql`with ins as (
        insert into ${ident(table)} (${list})
        select ${list} from json_populate_recordset(null::${ident(table)}, ${JSON.stringify(chunk)}::json)
        ${o.skipExisting ? sql`on conflict do nothing` : sql``}
        returning 1)
      select count(*)::int as n from ins`);
    inserted += r.n as number;
  }
  return inserted;
}

/** Inserts a world in foreign-key order; returns rows inserted per table. */
export async function insertWorld(q: Queryable, world: World, o: { skipExisting?: boolean } = {}): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLE_ORDER) {
    const rows = world.rows[table] ?? [];
    counts[table] = rows.length === 0 ? 0 : await insertRows(q, table, rows, o);
  }
  return counts;
}

/** Every row of the global tables, for factories to pick (seeded reference data). */
export async function loadGlobalRows(q: Queryable): Promise<ExistingRows> {
  const out: ExistingRows = {};
  for (const table of GLOBAL_TABLES) {
    // In a stable order (not by generated ids), so that a seed picks the same parents in any database.
    const rows = await q.query(sql`select to_jsonb(t) as r from ${ident(table)} t order by (to_jsonb(t) - 'id' - 'created_at' - 'updated_at')::text`);
    out[table] = rows.map((r) => r.r as Row);
  }
  return out;
}
