import { sql, type Queryable } from '@databases/pg';

export interface SequenceRow {
  schema: string;
  name: string;
  owner: string;
  ownedBy: string | null;
  usedBy: string[];
  privileges: Array<{ role: string; usage: boolean; select: boolean; update: boolean }>;
}

/**
 * Sequences of the scanned schemas, the column that owns each (serial,
 * identity: pg_depend 'a'/'i') and the columns whose DEFAULT draws from it
 * (pg_depend from pg_attrdef): one sequence behind every tenant's rows tells
 * each tenant the others' volume.
 */
export async function querySequences(db: Queryable, schemas: readonly string[], roles: readonly string[]): Promise<SequenceRow[]> {
  return db.query(sql`
    select n.nspname::text as schema, c.relname::text as name, pg_get_userbyid(c.relowner)::text as owner,
           (select tn.nspname || '.' || t.relname || '.' || a.attname
              from pg_depend d join pg_class t on t.oid = d.refobjid join pg_namespace tn on tn.oid = t.relnamespace
              join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
             where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_class'::regclass
               and d.deptype in ('a', 'i') limit 1) as "ownedBy",
           array(select distinct tn.nspname || '.' || t.relname || '.' || a.attname
                   from pg_depend d join pg_attrdef ad on ad.oid = d.objid
                   join pg_class t on t.oid = ad.adrelid join pg_namespace tn on tn.oid = t.relnamespace
                   join pg_attribute a on a.attrelid = ad.adrelid and a.attnum = ad.adnum
                  where d.classid = 'pg_attrdef'::regclass and d.refclassid = 'pg_class'::regclass and d.refobjid = c.oid
                  order by 1) as "usedBy",
           coalesce((select json_agg(json_build_object(
                       'role', r.role,
                       'usage', has_sequence_privilege(r.role, c.oid, 'USAGE'),
                       'select', has_sequence_privilege(r.role, c.oid, 'SELECT'),
                       'update', has_sequence_privilege(r.role, c.oid, 'UPDATE')) order by r.role)
                     from unnest(${roles}::text[]) as r(role)), '[]'::json) as privileges
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'S' and n.nspname = any(${schemas}::text[])
    order by 1, 2`);
}
