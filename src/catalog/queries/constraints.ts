import { sql, type Queryable } from '@databases/pg';

export interface ConstraintRow {
  relid: number;
  name: string;
  type: 'p' | 'u' | 'f' | 'c' | 'x';
  columns: string[];
  references: string | null;
  referencedColumns: string[];
  onUpdate: string;
  onDelete: string;
  deferrable: boolean;
  validated: boolean;
  inherited: boolean;
  definition: string;
}

/**
 * Primary, unique, foreign-key, check and exclusion constraints, with column
 * lists in key order (a composite foreign key must pair the tenant columns).
 * PostgreSQL 18's NOT NULL constraints ('n') are read from attnotnull instead.
 */
export async function queryConstraints(db: Queryable, oids: readonly number[]): Promise<ConstraintRow[]> {
  if (oids.length === 0) return [];
  return db.query(sql`
    select con.conrelid as relid, con.conname::text as name, con.contype::text as type,
           array(select a.attname::text from unnest(con.conkey) with ordinality k(attnum, ord)
                   join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.ord) as columns,
           (select fn.nspname || '.' || fr.relname from pg_class fr join pg_namespace fn on fn.oid = fr.relnamespace
             where fr.oid = con.confrelid) as "references",
           array(select a.attname::text from unnest(con.confkey) with ordinality k(attnum, ord)
                   join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.ord) as "referencedColumns",
           con.confupdtype::text as "onUpdate", con.confdeltype::text as "onDelete",
           con.condeferrable as deferrable, con.convalidated as validated,
           (con.conparentid <> 0 or not con.conislocal) as inherited,
           pg_get_constraintdef(con.oid) as definition
    from pg_constraint con
    where con.conrelid = any(${oids}::oid[]) and con.contype in ('p', 'u', 'f', 'c', 'x')
    order by con.conrelid, con.conname`);
}

export interface IndexRow {
  relid: number;
  name: string;
  unique: boolean;
  primary: boolean;
  valid: boolean;
  columns: Array<string | null>;
  keys: string[];
  predicate: string | null;
  constraint: string | null;
  definition: string;
}

/** Indexes with their key columns in order (INCLUDE columns left out): is the tenant column leading? */
export async function queryIndexes(db: Queryable, oids: readonly number[]): Promise<IndexRow[]> {
  if (oids.length === 0) return [];
  return db.query(sql`
    select i.indrelid as relid, ic.relname::text as name, i.indisunique as unique, i.indisprimary as primary,
           i.indisvalid as valid,
           array(select a.attname::text
                   from unnest(i.indkey::int2[]) with ordinality k(attnum, ord)
                   left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum and k.attnum > 0
                  where k.ord <= i.indnkeyatts order by k.ord) as columns,
           array(select pg_get_indexdef(i.indexrelid, k.ord::int, false)
                   from generate_series(1, i.indnkeyatts) as k(ord) order by k.ord) as keys,
           pg_get_expr(i.indpred, i.indrelid) as predicate,
           (select c.conname::text from pg_constraint c where c.conindid = i.indexrelid and c.conrelid = i.indrelid limit 1) as "constraint",
           pg_get_indexdef(i.indexrelid) as definition
    from pg_index i
    join pg_class ic on ic.oid = i.indexrelid
    where i.indrelid = any(${oids}::oid[])
    order by i.indrelid, ic.relname`);
}
