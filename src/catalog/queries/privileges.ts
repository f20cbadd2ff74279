import { sql, type Queryable } from '@databases/pg';

export interface RelationPrivilegeRow {
  relid: number;
  role: string;
  select: boolean;
  insert: boolean;
  update: boolean;
  delete: boolean;
  truncate: boolean;
  references: boolean;
  trigger: boolean;
  colSelect: string[];
  colInsert: string[];
  colUpdate: string[];
  colReferences: string[];
}

/**
 * Each actor role's privileges on each relation, asked through
 * has_table_privilege / has_column_privilege so that inherited memberships
 * and PUBLIC grants count exactly as the server counts them. Column lists are
 * only computed where the table-level privilege is missing.
 */
export async function queryRelationPrivileges(db: Queryable, oids: readonly number[], roles: readonly string[]): Promise<RelationPrivilegeRow[]> {
  if (oids.length === 0 || roles.length === 0) return [];
  return db.query(sql`
    with t as (
      select c.oid as relid, r.role,
             has_table_privilege(r.role, c.oid, 'SELECT') as "select",
             has_table_privilege(r.role, c.oid, 'INSERT') as "insert",
             has_table_privilege(r.role, c.oid, 'UPDATE') as "update",
             has_table_privilege(r.role, c.oid, 'DELETE') as "delete",
             has_table_privilege(r.role, c.oid, 'TRUNCATE') as "truncate",
             has_table_privilege(r.role, c.oid, 'REFERENCES') as "references",
             has_table_privilege(r.role, c.oid, 'TRIGGER') as "trigger"
      from pg_class c cross join unnest(${roles}::text[]) as r(role)
      where c.oid = any(${oids}::oid[])
    )
    select t.*,
           case when t."select" then '{}'::text[] else array(select a.attname::text from pg_attribute a where a.attrelid = t.relid and a.attnum > 0 and not a.attisdropped and has_column_privilege(t.role, t.relid, a.attnum, 'SELECT') order by a.attnum) end as "colSelect",
           case when t."insert" then '{}'::text[] else array(select a.attname::text from pg_attribute a where a.attrelid = t.relid and a.attnum > 0 and not a.attisdropped and has_column_privilege(t.role, t.relid, a.attnum, 'INSERT') order by a.attnum) end as "colInsert",
           case when t."update" then '{}'::text[] else array(select a.attname::text from pg_attribute a where a.attrelid = t.relid and a.attnum > 0 and not a.attisdropped and has_column_privilege(t.role, t.relid, a.attnum, 'UPDATE') order by a.attnum) end as "colUpdate",
           case when t."references" then '{}'::text[] else array(select a.attname::text from pg_attribute a where a.attrelid = t.relid and a.attnum > 0 and not a.attisdropped and has_column_privilege(t.role, t.relid, a.attnum, 'REFERENCES') order by a.attnum) end as "colReferences"
    from t
    order by t.relid, t.role`);
}

export interface DefaultPrivilegeRow {
  owner: string;
  schema: string | null;
  objtype: string;
  grantee: string;
  privileges: string[];
}

/**
 * ALTER DEFAULT PRIVILEGES entries: grants that every future object of
 * `owner` (in `schema`, or anywhere) gets silently. The owner's own entry is
 * left out; grantee 0 is PUBLIC.
 */
export async function queryDefaultPrivileges(db: Queryable): Promise<DefaultPrivilegeRow[]> {
  return db.query(sql`
    select pg_get_userbyid(d.defaclrole)::text as owner, n.nspname::text as schema, d.defaclobjtype::text as objtype,
           case when a.grantee = 0 then 'PUBLIC' else pg_get_userbyid(a.grantee)::text end as grantee,
           array_agg(distinct a.privilege_type::text order by a.privilege_type::text) as privileges
    from pg_default_acl d
    left join pg_namespace n on n.oid = d.defaclnamespace
    cross join lateral aclexplode(d.defaclacl) a
    where a.grantee <> d.defaclrole
    group by 1, 2, 3, 4
    order by 1, 2, 3, 4`);
}
