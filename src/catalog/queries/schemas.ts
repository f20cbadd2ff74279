import { sql, type Queryable } from '@databases/pg';

export interface SchemaRow {
  name: string;
  owner: string;
  privileges: Array<{ role: string; usage: boolean; create: boolean }>;
}

/**
 * Every non-system schema (the caller filters), with each actor role's USAGE
 * and CREATE: CREATE on a schema in a function's search_path lets an actor
 * shadow the objects the function calls.
 */
export async function querySchemas(db: Queryable, roles: readonly string[]): Promise<SchemaRow[]> {
  return db.query(sql`
    select n.nspname::text as name,
           pg_get_userbyid(n.nspowner)::text as owner,
           coalesce((select json_agg(json_build_object(
                       'role', r.role,
                       'usage', has_schema_privilege(r.role, n.oid, 'USAGE'),
                       'create', has_schema_privilege(r.role, n.oid, 'CREATE')) order by r.role)
                     from unnest(${roles}::text[]) as r(role)), '[]'::json) as privileges
    from pg_namespace n
    where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
      and n.nspname not like 'pg\_temp\_%' and n.nspname not like 'pg\_toast\_temp\_%'
    order by n.nspname`);
}
