import { sql, type Queryable } from '@databases/pg';

export interface RelationRow {
  oid: number;
  schema: string;
  name: string;
  relkind: string;
  owner: string;
  rlsEnabled: boolean;
  rlsForced: boolean;
  options: string[] | null;
  parent: string | null;
  bound: string | null;
  partitionKey: string | null;
  partitionColumns: string[] | null;
  viewDefinition: string | null;
  foreignServer: string | null;
  extension: string | null;
  publicPrivileges: string[];
}

/**
 * Tables, partitioned tables, views, materialized views and foreign tables of
 * the scanned schemas: RLS flags, owner, view options (reloptions carry
 * security_invoker / security_barrier), partition links. `extra` names
 * relations outside those schemas the engine needs (a users table in `auth`).
 */
export async function queryRelations(db: Queryable, schemas: readonly string[], extra: readonly string[] = []): Promise<RelationRow[]> {
  return db.query(sql`
    select c.oid, n.nspname::text as schema, c.relname::text as name, c.relkind::text as relkind,
           pg_get_userbyid(c.relowner)::text as owner,
           c.relrowsecurity as "rlsEnabled", c.relforcerowsecurity as "rlsForced",
           c.reloptions::text[] as options,
           (select pn.nspname || '.' || p.relname
              from pg_inherits i join pg_class p on p.oid = i.inhparent join pg_namespace pn on pn.oid = p.relnamespace
             where i.inhrelid = c.oid and c.relispartition) as parent,
           case when c.relispartition then pg_get_expr(c.relpartbound, c.oid) end as bound,
           case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end as "partitionKey",
           (select array_agg(a.attname::text order by k.n)
              from pg_partitioned_table pt cross join unnest(pt.partattrs::int2[]) with ordinality k(attnum, n)
              join pg_attribute a on a.attrelid = pt.partrelid and a.attnum = k.attnum
             where pt.partrelid = c.oid) as "partitionColumns",
           case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid) end as "viewDefinition",
           (select s.srvname::text from pg_foreign_table ft join pg_foreign_server s on s.oid = ft.ftserver
             where ft.ftrelid = c.oid) as "foreignServer",
           (select e.extname::text from pg_depend d join pg_extension e on e.oid = d.refobjid
             where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_extension'::regclass
               and d.deptype = 'e' limit 1) as extension,
           array(select distinct a.privilege_type::text from aclexplode(c.relacl) a where a.grantee = 0 order by 1) as "publicPrivileges"
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p', 'v', 'm', 'f')
      and (n.nspname = any(${schemas}::text[]) or n.nspname || '.' || c.relname = any(${extra}::text[]))
    order by n.nspname, c.relname`);
}

export interface ViewDependencyRow {
  view: number;
  relation: string;
}

/**
 * What each view or materialized view reads: the relations its rewrite rule
 * depends on. This is how a view over tenant data is found without parsing SQL.
 */
export async function queryViewDependencies(db: Queryable, viewOids: readonly number[]): Promise<ViewDependencyRow[]> {
  if (viewOids.length === 0) return [];
  return db.query(sql`
    select distinct rw.ev_class as view, rn.nspname || '.' || rc.relname as relation
    from pg_rewrite rw
    join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = rw.oid and d.refclassid = 'pg_class'::regclass
    join pg_class rc on rc.oid = d.refobjid and rc.oid <> rw.ev_class and rc.relkind in ('r', 'p', 'v', 'm', 'f')
    join pg_namespace rn on rn.oid = rc.relnamespace
    where rw.ev_class = any(${viewOids}::oid[])
    order by 1, 2`);
}

export interface ColumnRow {
  relid: number;
  name: string;
  position: number;
  type: string;
  typeSchema: string;
  typeName: string;
  category: string;
  isArray: boolean;
  notNull: boolean;
  default: string | null;
  identity: string;
  generated: string;
}

/** Columns in order, with type, nullability and default (generators of issue 4 need them all). */
export async function queryColumns(db: Queryable, oids: readonly number[]): Promise<ColumnRow[]> {
  if (oids.length === 0) return [];
  return db.query(sql`
    select a.attrelid as relid, a.attname::text as name, a.attnum::int as position,
           format_type(a.atttypid, a.atttypmod) as type,
           coalesce(en.nspname, tn.nspname)::text as "typeSchema",
           coalesce(et.typname, t.typname)::text as "typeName",
           t.typcategory::text as category,
           (t.typcategory = 'A') as "isArray",
           a.attnotnull as "notNull",
           pg_get_expr(ad.adbin, ad.adrelid) as default,
           a.attidentity::text as identity,
           a.attgenerated::text as generated
    from pg_attribute a
    join pg_type t on t.oid = a.atttypid
    join pg_namespace tn on tn.oid = t.typnamespace
    left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
    left join pg_namespace en on en.oid = et.typnamespace
    left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
    where a.attrelid = any(${oids}::oid[]) and a.attnum > 0 and not a.attisdropped
    order by a.attrelid, a.attnum`);
}
