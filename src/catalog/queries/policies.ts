import { sql, type Queryable } from '@databases/pg';

export interface PolicyRow {
  relid: number;
  name: string;
  cmd: string;
  permissive: boolean;
  roles: string[];
  using: string | null;
  withCheck: string | null;
  functionOids: number[];
  relations: string[];
}

/**
 * Policies with their expressions as text. pg_depend records every function
 * and relation an expression uses, which is exact where parsing text is not:
 * a helper function that reads the tenant setting is followed from here.
 * Role 0 in polroles is PUBLIC (no TO clause).
 */
export async function queryPolicies(db: Queryable, oids: readonly number[]): Promise<PolicyRow[]> {
  if (oids.length === 0) return [];
  return db.query(sql`
    select p.polrelid as relid, p.polname::text as name, p.polcmd::text as cmd, p.polpermissive as permissive,
           array(select case when r = 0 then 'PUBLIC' else pg_get_userbyid(r)::text end
                   from unnest(p.polroles) as r order by 1) as roles,
           pg_get_expr(p.polqual, p.polrelid) as using,
           pg_get_expr(p.polwithcheck, p.polrelid) as "withCheck",
           array(select distinct d.refobjid from pg_depend d
                  where d.classid = 'pg_policy'::regclass and d.objid = p.oid
                    and d.refclassid = 'pg_proc'::regclass) as "functionOids",
           array(select distinct rn.nspname || '.' || rc.relname from pg_depend d
                   join pg_class rc on rc.oid = d.refobjid join pg_namespace rn on rn.oid = rc.relnamespace
                  where d.classid = 'pg_policy'::regclass and d.objid = p.oid
                    and d.refclassid = 'pg_class'::regclass and d.refobjid <> p.polrelid) as relations
    from pg_policy p
    where p.polrelid = any(${oids}::oid[])
    order by p.polrelid, p.polname`);
}
