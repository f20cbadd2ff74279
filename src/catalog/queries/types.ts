import { sql, type Queryable } from '@databases/pg';

export interface UserTypeRow {
  schema: string;
  name: string;
  kind: 'e' | 'd';
  labels: string[];
  baseType: string | null;
  notNull: boolean;
  checks: string[];
}

/** Enum labels and domain constraints of the scanned schemas: data generators must respect them. */
export async function queryUserTypes(db: Queryable, schemas: readonly string[]): Promise<UserTypeRow[]> {
  return db.query(sql`
    select n.nspname::text as schema, t.typname::text as name, t.typtype::text as kind,
           array(select e.enumlabel::text from pg_enum e where e.enumtypid = t.oid order by e.enumsortorder) as labels,
           case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) end as "baseType",
           t.typnotnull as "notNull",
           array(select pg_get_constraintdef(c.oid) from pg_constraint c where c.contypid = t.oid and c.contype = 'c' order by c.conname) as checks
    from pg_type t
    join pg_namespace n on n.oid = t.typnamespace
    where t.typtype in ('e', 'd') and n.nspname = any(${schemas}::text[])
    order by 1, 2`);
}
